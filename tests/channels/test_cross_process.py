"""Across processes: a real daphne server with channels_redis, a real WebSocket client
(``websockets``), and a broadcast sent from a different process."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio
import websockets

from tests.example import EXAMPLE, example_env, manage
from tests.services import free_port, listening, need_redis

GROUP = "mizan.chatChannel.chat_lobby"

SESSION = """
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.create_user("ada", password="x"))
print(client.cookies["sessionid"].value)
"""

BROADCAST = """
import datetime
from demo.chat import ChatChannel
ChatChannel.send(
    ChatChannel.DjangoMessage(text="from another process", author="cron",
                              at=datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)),
    room="lobby",
)
"""


class Example:
    def __init__(self, tmp_path: Path, redis_url: str) -> None:
        self.prefix = f"mizan-test-{uuid.uuid4().hex[:8]}"
        self.env = example_env(
            tmp_path, MIZAN_EXAMPLE_REDIS=redis_url, MIZAN_EXAMPLE_REDIS_PREFIX=self.prefix
        )

    def manage(self, *args: str) -> str:
        return manage(self.env, *args)

    def serve(self, port: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "example.asgi:application",
            ],
            cwd=EXAMPLE,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Example, int, str]]:
    """One server for the module: starting Django three times is most of its run time."""
    example = Example(tmp_path_factory.mktemp("example"), need_redis())
    example.manage("migrate", "--noinput")
    # Django's shell announces its automatic imports first; the key is the last line.
    session = example.manage("shell", "-c", SESSION).strip().splitlines()[-1]
    port = free_port()
    process = example.serve(port)
    try:
        deadline = time.monotonic() + 30
        while not listening("127.0.0.1", port):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "daphne did not start listening"
            time.sleep(0.1)
        yield example, port, session
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


async def subscribers(example: Example) -> int:
    client = redis.asyncio.Redis.from_url(example.env["MIZAN_EXAMPLE_REDIS"])
    try:
        [(_, count)] = await client.pubsub_numsub(f"{example.prefix}__group__{GROUP}")
        return int(count)
    finally:
        await client.aclose()


async def wait_for(example: Example, count: int) -> None:
    for _ in range(200):
        if await subscribers(example) == count:
            return
        await asyncio.sleep(0.025)
    raise AssertionError(f"the server never had {count} Redis subscription(s) to {GROUP}")


async def test_a_broadcast_from_another_process_reaches_a_real_websocket(
    server: tuple[Example, int, str],
) -> None:
    example, port, session = server
    url = f"ws://127.0.0.1:{port}/api/mizan/graphql/"
    headers = {"Cookie": f"sessionid={session}"}
    async with websockets.connect(
        url,
        subprotocols=["graphql-transport-ws"],
        additional_headers=headers,  # type: ignore[list-item]
    ) as socket:
        assert socket.subprotocol == "graphql-transport-ws"
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        query = 'subscription { chatChannel(room: "lobby") { text author at } }'
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        await wait_for(example, 1)

        await asyncio.to_thread(example.manage, "shell", "-c", BROADCAST)
        message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert message == {
            "id": "1",
            "type": "next",
            "payload": {
                "data": {
                    "chatChannel": {
                        "text": "from another process",
                        "author": "cron",
                        "at": "2025-01-02T03:04:05+00:00",
                    }
                }
            },
        }
    await wait_for(example, 0)  # the server left the group when the socket closed


async def test_the_real_server_refuses_anonymous_and_foreign_origins(
    server: tuple[Example, int, str],
) -> None:
    _, port, _ = server
    url = f"ws://127.0.0.1:{port}/api/mizan/graphql/"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        query = 'subscription { chatChannel(room: "lobby") { text } }'
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        error = json.loads(await socket.recv())
        assert error["type"] == "error"
        assert error["payload"][0]["extensions"]["code"] == "FORBIDDEN"

    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(
            url,
            subprotocols=["graphql-transport-ws"],
            origin="http://evil.example",  # type: ignore[list-item, arg-type]
        ):
            pass
    assert refused.value.response.status_code == 403
    allowed = "http://localhost:5173"  # the example's Vite dev server, listed in its settings
    async with websockets.connect(
        url, subprotocols=["graphql-transport-ws"], origin=allowed
    ) as socket:  # type: ignore[list-item, arg-type]
        assert socket.subprotocol == "graphql-transport-ws"


def http(
    port: int, path: str, cookies: dict[str, str], body: bytes | None = None, **headers: str
) -> tuple[int, str, dict[str, str]]:
    """One request to the real server; the status, the body and the cookies it sets."""
    import urllib.request
    from http.cookies import SimpleCookie

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers)
    request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    with urllib.request.urlopen(request, timeout=10) as response:
        jar: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return response.status, response.read().decode(), {k: m.value for k, m in jar.items()}


async def test_the_chat_page_in_two_tabs(server: tuple[Example, int, str]) -> None:
    """What the example's /chat/ page does: one tab subscribed, the other posting."""
    _, port, session = server
    status, page, cookies = await asyncio.to_thread(
        http, port, "/chat/?room=lobby", {"sessionid": session}
    )
    assert status == 200 and "graphql-transport-ws" in page and "chatChannelSend" in page
    token = cookies["csrftoken"]

    url = f"ws://127.0.0.1:{port}/api/mizan/graphql/"
    async with websockets.connect(
        url,
        subprotocols=["graphql-transport-ws"],
        additional_headers={"Cookie": f"sessionid={session}"},  # type: ignore[list-item]
    ) as tab:
        await tab.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await tab.recv())["type"] == "connection_ack"
        query = 'subscription { chatChannel(room: "lobby") { text author } }'
        await tab.send(json.dumps({"id": "chat", "type": "subscribe", "payload": {"query": query}}))
        await asyncio.sleep(0.3)  # the page, like a user, posts a little after subscribing

        body = json.dumps(
            {
                "query": 'mutation { chatChannelSend(room: "lobby", message: {text: "hello from tab 2"}) }'
            }
        ).encode()
        status, answer, _ = await asyncio.to_thread(
            http,
            port,
            "/api/mizan/graphql/",
            {"sessionid": session, "csrftoken": token},
            body,
            **{"Content-Type": "application/json", "X-CSRFToken": token},
        )
        assert (status, json.loads(answer)) == (200, {"data": {"chatChannelSend": True}})
        message = json.loads(await asyncio.wait_for(tab.recv(), 10))
        assert message["payload"]["data"]["chatChannel"] == {
            "text": "hello from tab 2",
            "author": "ada",
        }
