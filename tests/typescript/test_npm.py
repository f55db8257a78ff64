"""The npm workspace records versions and integrity hashes, never where packages came from."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def lock_files() -> list[Path]:
    return [p for p in ROOT.rglob("package-lock.json") if "node_modules" not in p.parts]


def test_the_workspace_has_a_lock_file() -> None:
    assert ROOT / "js" / "package-lock.json" in lock_files()


def test_no_lock_file_names_a_download_url() -> None:
    for path in lock_files():
        packages = json.loads(path.read_text()).get("packages", {})
        for name, entry in packages.items():
            # A workspace's own packages are links to its folders; anything else is a URL.
            if entry.get("link"):
                assert not Path(entry["resolved"]).is_absolute(), (path, name)
                assert "://" not in entry["resolved"], (path, name)
                continue
            assert "resolved" not in entry, (
                f"{path.relative_to(ROOT)}: {name} records where it was downloaded from. "
                "Keep js/.npmrc (omit-lockfile-registry-resolved=true) and run npm install again."
            )


def test_npmrc_keeps_it_that_way() -> None:
    settings = (ROOT / "js" / ".npmrc").read_text().splitlines()
    assert "omit-lockfile-registry-resolved=true" in settings


def test_the_guides_react_example_is_the_type_checked_one() -> None:
    """docs/guides/frontend.md's example is js/example/src/guide.tsx, which `npm run
    typecheck` compiles against the example project's generated client."""
    import re

    guide = (ROOT / "docs" / "guides" / "frontend.md").read_text()
    block = re.search(r"```tsx\n(.*?)```", guide, re.S)
    assert block is not None
    checked = (ROOT / "js" / "example" / "src" / "guide.tsx").read_text()
    assert checked.split("\n", 1)[1] == block.group(1), (
        "docs/guides/frontend.md's example and js/example/src/guide.tsx differ: keep them the same."
    )
