"""Read-your-writes under concurrency: after a mutation's response, a re-read sees the
write, while other readers of the same data keep reading (and caching) throughout.

A live server with real threads: the mutation's invalidation must apply after the
transaction committed and the session was saved (``InvalidationMiddleware`` above
``SessionMiddleware``), or a concurrent reader caches the old state under the new
generation and the re-read is stale until the entry's TTL.
"""

from __future__ import annotations

import json
import secrets
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction

from mizan import client
from tests.app.models import Message

ROUNDS = 1000
READERS = 2


class Browser:
    """One browser session: its cookies, a CSRF token, JSON over HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        token = secrets.token_hex(16)  # a CSRF secret: 32 characters
        self.headers = {"X-CSRFToken": token, "Content-Type": "application/json"}
        self.cookies = {"csrftoken": token}

    def send(self, request: urllib.request.Request) -> Any:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        with urllib.request.urlopen(request, timeout=10) as response:
            for header in response.headers.get_all("Set-Cookie") or ():
                name, _, rest = header.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return json.loads(response.read())

    def mutate(self, query: str) -> Any:
        body = json.dumps({"query": query}).encode()
        request = urllib.request.Request(
            f"{self.base}/api/mizan/graphql/", body, headers=self.headers, method="POST"
        )
        return self.send(request)

    def read(self, query: str) -> Any:
        url = f"{self.base}/api/mizan/graphql/?" + urllib.parse.urlencode({"query": query})
        return self.send(urllib.request.Request(url, headers={"Accept": "application/json"}))


@pytest.fixture
def server_url(transactional_db: None, settings: Any) -> Iterator[str]:
    """Django's threaded development server (a thread per request) on a free port."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    # Sessions saved as slowly as a database saves them (SQLite would lock its table).
    settings.SESSION_ENGINE = "tests.slow_session"

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def readers() -> Iterator[Callable[[Callable[[], object]], None]]:
    """Start READERS threads calling a read in a loop until the test ends."""
    stop = threading.Event()
    threads: list[threading.Thread] = []
    failures: list[BaseException] = []

    def start(read: Callable[[], object]) -> None:
        def loop() -> None:
            try:
                while not stop.is_set():
                    read()
            except BaseException as exc:
                failures.append(exc)

        for _ in range(READERS):
            thread = threading.Thread(target=loop, daemon=True)
            thread.start()
            threads.append(thread)

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert not failures, failures


def test_session_state_is_read_back_after_every_mutation(
    server_url: str, readers: Callable[[Callable[[], object]], None]
) -> None:
    @client(context="cart")
    def cart(request) -> list[str]:
        return list(request.session.get("cart", []))

    @client(affects="cart")
    def add_to_cart(request, item: str) -> int:
        request.session["cart"] = [*request.session.get("cart", [])[-4:], item]
        return len(request.session["cart"])

    browser = Browser(server_url)
    browser.mutate('mutation { addToCart(item: "first") }')  # the session exists now
    readers(lambda: browser.read("{ cart }"))
    stale = []
    for round_ in range(ROUNDS):
        item = f"item{round_}"
        done = browser.mutate(f'mutation {{ addToCart(item: "{item}") }}')
        assert "errors" not in done, done
        seen = browser.read("{ cart }")["data"]["cart"]
        if seen[-1] != item:
            stale.append((round_, seen))
    assert stale == [], f"{len(stale)} of {ROUNDS} re-reads were stale"


def test_committed_rows_are_read_back_after_every_mutation(
    server_url: str, readers: Callable[[Callable[[], object]], None]
) -> None:
    @client(context="messages", public=True)
    def latest_message(request) -> str:
        last = Message.objects.order_by("-id").first()
        return last.text if last else ""

    @client(affects="messages")
    def post_message(request, text: str) -> int:
        with transaction.atomic():
            return Message.objects.create(text=text).id

    writer, reader = Browser(server_url), Browser(server_url)
    readers(lambda: reader.read("{ latestMessage }"))
    stale = []
    for round_ in range(ROUNDS):
        text = f"message {round_}"
        done = writer.mutate(f'mutation {{ postMessage(text: "{text}") }}')
        assert "errors" not in done, done
        seen = writer.read("{ latestMessage }")["data"]["latestMessage"]
        if seen != text:
            stale.append((round_, seen))
    assert stale == []
