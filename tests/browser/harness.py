"""Browser tests: the example project served as ``make demo`` serves it (daphne's
``runserver``, static files included) on a free 127.0.0.1 port, and a Node script in
``js/browser-tests/`` driving Debian's Chromium through playwright-core.

Each script prints one JSON report: the steps it passed (with their times), every request
the browser made, the requests it refused (any host but 127.0.0.1) and what the page
logged as an error. Screenshots of a failed run are kept in ``build/browser/``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mizan import graphiql
from tests.edge.stack import stop, wait_listening
from tests.example import EXAMPLE, ROOT, example_env, manage
from tests.services import free_port, missing

CHROMIUM = Path(os.environ.get("MIZAN_CHROMIUM", "/usr/bin/chromium"))
SCRIPTS = ROOT / "js" / "browser-tests"
ARTIFACTS = ROOT / "build" / "browser"
#: Every browser scenario must finish within this (the docs state it: docs/guides/graphiql.md).
SCENARIO_SECONDS = 90


def need_browser() -> str:
    """Node, Chromium and playwright-core, or a skip (a failure in CI) saying what is missing."""
    node = shutil.which("node")
    if node is None:
        missing("Node is not installed (browser tests need Node 20 or newer)")
    if not CHROMIUM.exists():
        missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    if not (ROOT / "js" / "node_modules" / "playwright-core").is_dir():
        missing("playwright-core is not installed: run `make js`")
    assert node is not None
    return node


def need_graphiql() -> None:
    if not graphiql.built():
        missing("GraphiQL's bundle is not built: run `make graphiql`")


def need_app() -> None:
    if not (EXAMPLE / "demo" / "static" / "demo" / "app" / "app.js").is_file():
        missing("The example's React app is not built: run `make app`")


@dataclass
class Report:
    data: dict[str, Any]
    stderr: str

    @property
    def outside(self) -> list[str]:
        """Requests (made or refused) for anything but 127.0.0.1."""
        urls = self.data["requests"] + self.data["blocked"]
        return [url for url in urls if urlsplit(url).hostname not in (None, "127.0.0.1")]

    def check(self) -> None:
        """Fail with the error, the page's problems and where the screenshots are."""
        if not self.data["ok"]:
            shots = ", ".join(self.data.get("screenshots") or []) or "none taken"
            raise AssertionError(
                f"{self.data['error']}\nsteps passed: {self.data['steps']}\n"
                f"page problems: {self.data['problems']}\nscreenshots: {shots}\n{self.stderr}"
            )
        assert self.data["problems"] == [], self.data["problems"]
        assert self.outside == [], f"requests left 127.0.0.1: {self.outside}"
        assert self.data["blocked"] == []


class Demo:
    """The example project on a free port, with a database of its own."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = example_env(directory)

    def manage(self, *args: str) -> str:
        return manage(self.env, *args)

    def browse(self, script: str, node: str, **env: str) -> Report:
        """Run ``js/browser-tests/<script>`` against this server."""
        name = Path(script).stem
        result = subprocess.run(
            [node, str(SCRIPTS / script)],
            cwd=SCRIPTS,
            env={
                **os.environ,
                "MIZAN_BASE_URL": self.base,
                "MIZAN_CHROMIUM": str(CHROMIUM),
                "MIZAN_BROWSER_ARTIFACTS": str(ARTIFACTS),
                "MIZAN_BROWSER_TEST": name,
                **env,
            },
            capture_output=True,
            text=True,
            timeout=SCENARIO_SECONDS,
        )
        lines = result.stdout.strip().splitlines()
        if result.returncode != 0 or not lines:
            raise AssertionError(f"{script} exited {result.returncode}:\n{result.stderr}")
        return Report(json.loads(lines[-1]), result.stderr)


@contextmanager
def demo(directory: Path) -> Iterator[Demo]:
    """``make demo`` on a free port: migrate, seed, ``runserver``; stopped by its pid."""
    site = Demo(directory)
    site.manage(  # one process for both: each start of Django costs seconds here
        "shell",
        "--no-imports",
        "-c",
        "from django.core.management import call_command\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        f"call_command('seed_demo', port={site.port})",
    )
    log = directory / "server.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{site.port}", "--noreload"],
            cwd=EXAMPLE,
            env=site.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_listening(site.port, process, log)
        yield site
    finally:
        stop(process)
