"""The tutorial tells the truth: its files and commands, replayed in an empty directory,
give the outputs it shows.

``docs/tutorial.md`` is read block by block: a code block titled with a path writes that
file (``(add at the end)`` appends to it), a ``sh`` block runs in bash, and the block
titled ``output`` after it is what that run must print: JSON equal to it, or text whose
lines appear in order. ``python manage.py runserver`` starts the server on a free port
(restarted after files change, as its autoreloader would), and the tutorial's
``127.0.0.1:8000`` is rewritten to that port. The installation lines (``python -m venv``,
activating it, ``pip install``) are skipped: the package under test is this checkout,
already installed in the interpreter that runs the tests.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import free_port, need_program

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"
BLOCK = re.compile(r'^```(\w+)(?: title="([^"]*)")?\n(.*?)^```$', re.S | re.M)
INSTALLATION = ("python -m venv", ". .venv/bin/activate", "pip install")


@dataclass
class Block:
    language: str
    title: str
    text: str
    line: int


def blocks() -> list[Block]:
    text = TUTORIAL.read_text()
    return [
        Block(m.group(1), m.group(2) or "", m.group(3), text.count("\n", 0, m.start()) + 1)
        for m in BLOCK.finditer(text)
    ]


def commands(script: str) -> list[str]:
    """The block's commands, continuation lines joined, installation lines left out."""
    joined = script.replace("\\\n", " ")
    return [
        line
        for line in (raw.strip() for raw in joined.splitlines())
        if line and not line.startswith("#") and not line.startswith(INSTALLATION)
    ]


class Server:
    def __init__(self, project: Path, env: dict[str, str]) -> None:
        self.project = project
        self.env = env
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = project.parent / "runserver.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
                cwd=self.project,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"runserver exited:\n{self.log.read_text()}")
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/api/mizan/graphql/", timeout=2
                )
            except urllib.error.HTTPError:
                return  # it answers (a GET without a query is a 400)
            except OSError:
                time.sleep(0.2)
            else:
                return
        pytest.fail(f"runserver did not answer within 90 s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


def expect(output: Block, stdout: str, both: str, where: str) -> None:
    if output.language == "json":
        assert json.loads(stdout) == json.loads(output.text), where
        return
    lines = iter(both.splitlines())
    for wanted in output.text.strip().splitlines():
        assert any(wanted.strip() in line for line in lines), (
            f"{where}: {wanted.strip()!r} not printed (in this order):\n{both}"
        )


def test_the_tutorial_replays_as_written(tmp_path: Path) -> None:
    need_program("curl")
    project = tmp_path / "board"
    project.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    server = Server(project, env)
    changed = False
    steps = blocks()
    try:
        for index, block in enumerate(steps):
            where = f"docs/tutorial.md:{block.line}"
            if block.title and block.title != "output":
                path, _, how = block.title.partition(" ")
                target = project / path
                target.parent.mkdir(parents=True, exist_ok=True)
                if how == "(add at the end)":
                    target.write_text(target.read_text() + "\n" + block.text)
                else:
                    assert not how, f"{where}: unknown file title {block.title!r}"
                    target.write_text(block.text)
                changed = True
            elif block.language == "sh":
                lines = commands(block.text)
                if lines == ["python manage.py runserver"]:
                    server.start()
                    changed = False
                    continue
                if changed and server.process is not None and "127.0.0.1:8000" in block.text:
                    server.stop()  # the code changed: what runserver's autoreloader does
                    server.start()
                    changed = False
                script = "\n".join(lines).replace("127.0.0.1:8000", f"127.0.0.1:{server.port}")
                run = subprocess.run(
                    ["bash", "-e", "-o", "pipefail", "-c", script],
                    cwd=project,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                both = run.stdout + run.stderr
                assert run.returncode == 0, f"{where}: exit {run.returncode}\n{both}"
                following = steps[index + 1] if index + 1 < len(steps) else None
                if following is not None and following.title == "output":
                    expect(following, run.stdout, both, where)
    finally:
        server.stop()
    assert server.log.exists(), "the tutorial never started its server"


def test_the_tutorial_shows_every_step_the_issue_asks_for() -> None:
    text = TUTORIAL.read_text()
    for needed in (
        "python manage.py startapp notes",
        'title="notes/apps.py"',
        "def ready(self):",
        'affects="board"',
        "MizanFormMixin",
        "ReactChannel",
        "X-CSRFToken",
        "MizanTestClient",
    ):
        assert needed in text, needed
