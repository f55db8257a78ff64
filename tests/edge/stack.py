"""The example project behind a real Varnish, for the end-to-end test and the bench:
each process started on a free 127.0.0.1 port and stopped by its pid."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mizan.edge.vcl import render_vcl
from tests.example import EXAMPLE, ROOT, example_env, manage
from tests.services import free_port, listening


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)

    @property
    def cache(self) -> str:
        return self.headers.get("x-cache", "")


def fetch(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        raw = connection.getresponse()
        data = raw.read()
        return Reply(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)
    finally:
        connection.close()


class Session:
    """One kept-alive connection (per thread: http.client is not thread-safe), reopened
    when the server closed it; for the tests that send thousands of requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def __call__(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Reply:
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                self.connection.request(method, path, body=body or None, headers=headers or {})
                raw = self.connection.getresponse()
                data = raw.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
                continue
            if raw.will_close:
                self.close()
            return Reply(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def wait_listening(
    port: int, process: subprocess.Popen[bytes], log: Path, seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while not listening("127.0.0.1", port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"{process.args!r} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to this pid, then SIGKILL if it lingers; never anything by name."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)


class Stack:
    """``manage.py`` commands, an origin (daphne serving example.asgi) and varnishd."""

    def __init__(self, directory: Path, varnishd: str) -> None:
        self.directory = directory
        self.varnishd = varnishd
        self.origin_port = free_port()
        self.varnish_port = free_port()
        self.env = example_env(directory, PYTHONPATH=os.pathsep.join([str(EXAMPLE), str(ROOT)]))
        self.origin: subprocess.Popen[bytes] | None = None
        self.varnish: subprocess.Popen[bytes] | None = None

    def manage(self, *args: str) -> str:
        return manage(self.env, *args)

    def start_origin(self, purge_varnish: bool = False, threaded: bool = False) -> None:
        """daphne serving example.asgi; or, ``threaded``, a WSGI server computing requests
        side by side on threads, with the test-only hold of :mod:`tests.edge.origin`."""
        env = dict(self.env, MIZAN_TEST_HOLD_DIR=str(self.directory))
        if purge_varnish:
            env["MIZAN_EDGE_VARNISH"] = f"http://127.0.0.1:{self.varnish_port}"
        if threaded:  # as production runs: no query log, no debug pages
            env["MIZAN_EXAMPLE_DEBUG"] = "0"
        server = (
            ["tests.edge.origin", str(self.origin_port)]
            if threaded
            else [
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.origin_port),
                "example.asgi:application",
            ]
        )
        log = self.directory / "origin.log"
        with log.open("ab") as out:  # the child keeps its own copy of the descriptor
            self.origin = subprocess.Popen(
                [sys.executable, "-m", *server],
                cwd=EXAMPLE,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_listening(self.origin_port, self.origin, log)

    def stop_origin(self) -> None:
        if self.origin is not None:
            stop(self.origin)
            self.origin = None

    def start_varnish(self) -> None:
        vcl = self.directory / "mizan.vcl"
        vcl.write_text(render_vcl(f"127.0.0.1:{self.origin_port}"))
        log = self.directory / "varnish.log"
        with log.open("ab") as out:
            self.varnish = subprocess.Popen(
                [
                    self.varnishd,
                    "-F",
                    "-j",
                    "none",
                    "-n",
                    str(self.directory / "varnish"),
                    "-a",
                    f"127.0.0.1:{self.varnish_port}",
                    "-T",
                    "none",
                    "-f",
                    str(vcl),
                    "-s",
                    "malloc,64m",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_listening(self.varnish_port, self.varnish, log)

    def close(self) -> None:
        self.stop_origin()
        if self.varnish is not None:
            stop(self.varnish)
            self.varnish = None

    @property
    def edge_url(self) -> str:
        return f"http://127.0.0.1:{self.varnish_port}"

    def edge(self, method: str, path: str, **kwargs: Any) -> Reply:
        return fetch(self.varnish_port, method, path, **kwargs)

    def direct(self, method: str, path: str, **kwargs: Any) -> Reply:
        return fetch(self.origin_port, method, path, **kwargs)


SEED = """
from django.contrib.auth import get_user_model
from django.test import Client
from demo.models import Note
User = get_user_model()
ada = User.objects.create_user("ada", password="pw", pk=5, first_name="Ada")
grace = User.objects.create_user("grace", password="pw", pk=6, first_name="Grace")
User.objects.create_user("root", password="pw", pk=7, is_staff=True)
Note.objects.create(owner=ada, text="hello")
for name in ("ada", "grace", "root"):
    client = Client()
    assert client.login(username=name, password="pw")
    print("session", name, client.cookies["sessionid"].value)
"""


def seed(stack: Stack) -> dict[str, str]:
    """Users 5 (ada) and 6 (grace), a staff user, and a logged-in session for each."""
    stack.manage("migrate", "--noinput")
    out = stack.manage("shell", "-c", SEED)
    found = [line.split() for line in out.splitlines() if line.startswith("session ")]
    return {name: value for _, name, value in found}


CSRF = "c" * 32


def session_headers(session: str) -> dict[str, str]:
    return {
        "Cookie": f"sessionid={session}; csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "Content-Type": "application/json",
    }


def graphql(
    send: Any, session: str, query: str, variables: dict[str, Any], **headers: str
) -> Reply:
    import json

    body = json.dumps({"query": query, "variables": variables}).encode()
    return send(
        "POST", "/api/mizan/graphql/", headers={**session_headers(session), **headers}, body=body
    )


RENAME = "mutation($id: Int!, $name: String!) { rename(userId: $id, name: $name) { displayName } }"
ADD_NOTE = "mutation($text: String!) { addNote(note: {text: $text}) { text } }"


def user_urls(user_id: int) -> list[str]:
    return [
        f"/api/mizan/ctx/user/?user_id={user_id}",
        f"/api/mizan/q/UserProfile/?user_id={user_id}",
        f"/api/mizan/q/UserNotes/?user_id={user_id}",
        f"/profile/{user_id}/",
    ]
