"""Sending one request over each transport, and judging the answer."""

from __future__ import annotations

import contextlib
import http.client
import json
import secrets
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

GRAPHQL = "/api/mizan/graphql/"
JSON_TYPES = ("application/json", "application/graphql-response+json")
# What a client must never read: mizan's masked message, Django's debug pages, a traceback.
INTERNAL = (
    b"Internal server error",
    b"INTERNAL_SERVER_ERROR",
    b"Traceback",
    b"<html",
    b"<!DOCTYPE",
)
CSRF = secrets.token_hex(16)
URL_LIMIT = 8000


@dataclass
class Tally:
    """What was sent, and every answer that broke a rule."""

    sent: Counter[str] = field(default_factory=Counter)
    # Answered by the HTTP server itself, before Django saw the request: daphne (Twisted)
    # parses multipart bodies and answers a broken one with a bare 400 and no headers.
    server: Counter[str] = field(default_factory=Counter)
    # GET URLs longer than servers and proxies accept (8 KB) are not sent.
    too_long: int = 0
    failures: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)

    def judge(
        self, transport: str, request: object, status: int, headers: Any, body: bytes
    ) -> None:
        self.sent[transport] += 1
        kind = headers.get("content-type", "").split(";")[0].strip()
        problem = None
        if status == 400 and not headers and not body:
            self.server[transport] += 1
            return
        if status >= 500:
            problem = f"HTTP {status}"
        elif status in (301, 302, 304, 307, 308) and not body:
            return  # a redirect to the canonical URL, or not modified
        elif kind not in JSON_TYPES:
            problem = f"not JSON ({kind or 'no content type'}, HTTP {status})"
        else:
            try:
                json.loads(body)
            except ValueError:
                problem = f"a body that is not JSON (HTTP {status})"
        if problem is None and any(word in body for word in INTERNAL):
            problem = f"an internal message (HTTP {status})"
        if problem is not None:
            self.kinds[f"{transport}: {problem}"] += 1
            self.fail(transport, problem, request, body)

    def fail(self, transport: str, problem: str, request: object, body: bytes) -> None:
        self.failures.append(
            f"{transport}: {problem}\n  sent: {request!r:.300}\n  got: {body[:300]!r}"
        )

    def summary(self) -> str:
        lines = [f"{transport}: {count} sent" for transport, count in sorted(self.sent.items())]
        lines += [
            f"{transport}: {count} refused by the HTTP server before Django (bare 400)"
            for transport, count in sorted(self.server.items())
        ]
        lines.append(f"GET URLs over {URL_LIMIT} characters, not sent: {self.too_long}")
        lines.append(f"failures: {len(self.failures)}")
        lines += [f"  {count} x {kind}" for kind, count in self.kinds.most_common()]
        return "\n".join(lines)


class Http:
    """One keep-alive connection to the server, reopened when the server closes it."""

    def __init__(self, port: int, tally: Tally) -> None:
        self.port = port
        self.tally = tally
        self.connection: http.client.HTTPConnection | None = None

    def send(
        self,
        transport: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError) as exc:
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    self.tally.sent[transport] += 1
                    self.tally.kinds[f"{transport}: no answer"] += 1
                    self.tally.fail(transport, f"no answer ({exc!r})", (method, path, body), b"")
                continue
            if response.getheader("connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
            self.tally.judge(
                transport, (method, path, body), response.status, _lower(response), data
            )
            return

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    # --- the transports ---------------------------------------------------------------

    def post_json(self, body: bytes, accept: str = "application/json") -> None:
        headers = {"Content-Type": "application/json", "Accept": accept}
        self.send("POST json", "POST", GRAPHQL, body, headers)

    def get(
        self, params: dict[str, str] | str, path: str = GRAPHQL, transport: str = "GET"
    ) -> None:
        if isinstance(params, str):  # sent as written, but a request line is ASCII
            query = urllib.parse.quote(params, safe="&=%+/:,;@$!*'()~?")
        else:
            query = urllib.parse.urlencode(params)
        if len(path) + len(query) > URL_LIMIT:
            self.tally.too_long += 1
            return
        self.send(transport, "GET", f"{path}?{query}", headers={"Accept": "application/json"})

    def multipart(
        self,
        parts: list[tuple[str, bytes, str | None]],
        boundary: str = "fuzzboundary",
        *,
        csrf: bool = True,
        content_type: str | None = None,
    ) -> None:
        body = b""
        for name, value, filename in parts:
            disposition = f'form-data; name="{name}"'
            if filename is not None:
                disposition += f'; filename="{filename}"'
            body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
            body += value + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": content_type or f"multipart/form-data; boundary={boundary}"}
        if csrf:
            headers |= {"Cookie": f"csrftoken={CSRF}", "X-CSRFToken": CSRF}
        self.send("POST multipart", "POST", GRAPHQL, body, headers)

    def raw(
        self, transport: str, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> None:
        self.send(transport, method, path, body, headers)


def _lower(response: http.client.HTTPResponse) -> dict[str, str]:
    return {k.lower(): v for k, v in response.getheaders()}


class WebSocket:
    """graphql-transport-ws over one socket, reconnected after the server closes it."""

    def __init__(self, port: int, tally: Tally) -> None:
        self.url = f"ws://127.0.0.1:{port}{GRAPHQL}"
        self.tally = tally
        self.socket: ClientConnection | None = None
        self.ids = 0

    def open(self) -> ClientConnection:
        if self.socket is None:
            self.stack = contextlib.ExitStack()
            self.socket = self.stack.enter_context(
                connect(
                    self.url,
                    subprotocols=["graphql-transport-ws"],
                    open_timeout=10,
                    max_size=None,
                    # The keepalive thread's pings draw from the global `random` while
                    # hypothesis draws a document: HypothesisDeprecationWarning, a flaky
                    # failure once a run lasts past the 20 s ping interval.
                    ping_interval=None,
                )
            )
            self.socket.send(json.dumps({"type": "connection_init"}))
            ack = json.loads(self.socket.recv(timeout=10))
            assert ack["type"] == "connection_ack", ack
        return self.socket

    def close(self) -> None:
        if self.socket is not None:
            self.stack.close()
            self.socket = None

    def operation(self, query: str, variables: object = None) -> None:
        """Subscribe with ``query``: an answer must come (an error, data, complete)."""
        self.ids += 1
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        frame = json.dumps({"id": str(self.ids), "type": "subscribe", "payload": payload})
        self.frame(frame, expect_id=str(self.ids))

    def frame(self, frame: str | bytes, expect_id: str | None = None) -> None:
        """Send any frame: the server answers, or closes with a code; it never goes silent."""
        transport = "WebSocket"
        self.tally.sent[transport] += 1
        socket_ = self.open()
        try:
            socket_.send(frame)
            if expect_id is None:
                # No answer is owed to a frame that is not an operation: ping to see the
                # handler is still alive.
                socket_.send(json.dumps({"type": "ping"}))
            while True:
                message = socket_.recv(timeout=10)
                problem = _ws_problem(message)
                if problem is not None:
                    self._fail(problem, frame, message)
                    return
                data = json.loads(message)
                if expect_id is None and data.get("type") == "pong":
                    return
                if data.get("id") == expect_id and data.get("type") in ("error", "complete"):
                    return
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else None
            self.close()
            if code is None or code == 1011 or code < 1000:
                self._fail(f"closed with {code}", frame, b"")
        except TimeoutError:
            self._fail("no answer within 10 s (a dead handler)", frame, b"")
            self.close()
        except OSError as exc:
            self._fail(f"socket error {exc!r}", frame, b"")
            self.close()

    def _fail(self, problem: str, frame: object, got: object) -> None:
        self.tally.kinds[f"WebSocket: {problem.split(' (')[0]}"] += 1
        body = got if isinstance(got, bytes) else str(got).encode()
        self.tally.fail("WebSocket", problem, frame, body)


def _ws_problem(message: str | bytes) -> str | None:
    raw = message.encode() if isinstance(message, str) else message
    try:
        json.loads(raw)
    except ValueError:
        return "a frame that is not JSON"
    if any(word in raw for word in INTERNAL):
        return "an internal message"
    return None
