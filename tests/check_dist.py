"""Check what ``make dist`` built: ``python -m tests.check_dist dist/``.

- the wheel holds every file of ``mizan/`` that git tracks (code, ``py.typed``, the VCL,
  templates and static files: everything mizan serves), and nothing else of the
  repository's;
- the sdist holds everything its tests need (every tracked file but the benchmarks and
  CI's script: the tests, the example project, the docs, the JavaScript workspace's
  sources, the files they compare), and its tests run: a quick part of the suite is run from the unpacked sdist, importing mizan from
  there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Enough of the suite to show the sdist's tests import, configure and run: the seed's
# public API, the registry, a transport end to end, the docs reference and the forms guide.
SDIST_TESTS = [
    "tests/test_seed.py",
    "tests/test_registry.py",
    "tests/test_views.py",
    "tests/test_docs.py",
    "tests/forms/test_guide.py",
]


# What the sdist leaves out: the benchmarks, CI's script, and the manifest itself.
NOT_IN_THE_SDIST = ("bench/", ".ci/", "MANIFEST.in")


def tracked(*folders: str) -> set[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--", *folders],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = set()
    for name in filter(None, out.split("\0")):
        path = ROOT / name
        if path.is_dir():  # a tracked symlink to a folder: the files it brings
            found |= {
                f"{name}/{file.relative_to(path)}"
                for file in path.rglob("*")
                if file.is_file() and "__pycache__" not in file.parts
            }
        elif path.exists():
            found.add(name)
    return found


def fail(message: str) -> None:
    print(f"check_dist: {message}", file=sys.stderr)
    sys.exit(1)


def only(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if len(found) != 1:
        fail(f"expected one {pattern} in {folder}, found {[p.name for p in found]}")
    return found[0]


def check_wheel(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    package = {name for name in names if not name.startswith("django_mizan-")}
    missing = sorted(tracked("mizan") - package)
    if missing:
        fail(f"{wheel.name} lacks {missing}: add them to [tool.setuptools.package-data]")
    strays = sorted(name for name in package if not name.startswith("mizan/"))
    if strays:
        fail(f"{wheel.name} holds files outside mizan/: {strays[:5]}")
    if not any(name.endswith(".dist-info/licenses/LICENSE") for name in names):
        fail(f"{wheel.name} has no LICENSE in its .dist-info")
    print(f"check_dist: {wheel.name}: {len(package)} files, every tracked file of mizan/")


def check_sdist(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        names = {name.removeprefix(top + "/") for name in archive.getnames()}
        needed = {
            name
            for name in tracked(".")
            if not name.startswith(NOT_IN_THE_SDIST) and Path(name).name != ".gitignore"
        }
        missing = sorted(needed - names)
        if missing:
            fail(f"{sdist.name} lacks {missing[:10]}: add them to MANIFEST.in")
        with tempfile.TemporaryDirectory() as tmp:
            archive.extractall(tmp, filter="data")
            unpacked = Path(tmp) / top
            # `python -m pytest` puts the current directory first on sys.path: mizan and
            # the tests are imported from the unpacked sdist, not from this checkout.
            env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
            where = subprocess.run(
                [sys.executable, "-c", "import mizan; print(mizan.__file__)"],
                cwd=unpacked,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            if not where.startswith(str(unpacked)):
                fail(f"the sdist's tests would import mizan from {where}, not from the sdist")
            run = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SDIST_TESTS],
                cwd=unpacked,
                env=env,
            )
            if run.returncode:
                fail(f"the tests of {sdist.name} failed (exit {run.returncode})")
    print(f"check_dist: {sdist.name}: {len(names)} files; its tests ran from the sdist")


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "dist")
    check_wheel(only(folder, "django_mizan-*.whl"))
    check_sdist(only(folder, "django_mizan-*.tar.gz"))


if __name__ == "__main__":
    main()
