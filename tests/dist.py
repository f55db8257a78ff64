"""``python -m tests.dist DIR``: the wheel and the sdist in DIR carry GraphiQL's bundle
(``make dist`` runs it; a package without it would serve the "not built" page)."""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

NEEDED = (
    "mizan/static/mizan/graphiql/graphiql.js",
    "mizan/static/mizan/graphiql/graphiql.css",
    "mizan/static/mizan/graphiql/editor.worker.js",
    "mizan/static/mizan/graphiql/graphql.worker.js",
    "mizan/static/mizan/graphiql/json.worker.js",
    "mizan/templates/mizan/graphiql.html",
)


def missing(names: list[str]) -> list[str]:
    return [path for path in NEEDED if not any(name.endswith(path) for name in names)]


def names(path: Path) -> list[str]:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            return wheel.namelist()
    with tarfile.open(path) as sdist:
        return sdist.getnames()


def main(directory: Path) -> int:
    found = sorted(directory.glob("*.whl")) + sorted(directory.glob("*.tar.gz"))
    archives = {path: names(path) for path in found}
    if len(archives) != 2:
        print(f"expected a wheel and an sdist in {directory}, found {list(archives)}")
        return 1
    failed = False
    for path, listed in archives.items():
        if absent := missing(listed):
            print(f"{path.name} lacks {', '.join(absent)}")
            failed = True
        else:
            print(f"{path.name}: GraphiQL's bundle included")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
