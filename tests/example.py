"""The example project in its own processes, as a user runs it: ``manage.py`` commands
with the example's settings and a database of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example_project"


def example_env(directory: Path, **extra: str) -> dict[str, str]:
    """The environment of an example process whose SQLite database lives in ``directory``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example.settings",
        "MIZAN_EXAMPLE_DB": str(directory / "db.sqlite3"),
        **extra,
    }


def run_manage(
    env: dict[str, str], *args: str, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=EXAMPLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py *args``; its output, or a failure with its stderr."""
    result = run_manage(env, *args)
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout
