"""Live contexts across processes: two real daphne servers of the example project on one
Redis (channel layer and cache), real WebSocket clients, and writes committed in a third
process (``manage.py shell``) or through the other server."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import redis
import websockets

from tests.channels.test_cross_process import Example, http
from tests.services import free_port, listening, need_redis

USERS = """
from django.contrib.auth import get_user_model
from django.test import Client
for name in ("ada", "grace"):
    user = get_user_model().objects.create_user(name, password="x", first_name=name.title())
    client = Client()
    client.force_login(user)
    print(name, user.pk, client.cookies["sessionid"].value)
"""

PROFILE = "subscription($id: Int!) { userContext(userId: $id) { userProfile { displayName } } }"
INBOX = "subscription { inboxContext { inbox { username noteCount latest } } }"


def start(example: Example) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = example.serve(port)
    deadline = time.monotonic() + 30
    while not listening("127.0.0.1", port):
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        assert time.monotonic() < deadline, "daphne did not start listening"
        time.sleep(0.1)
    return process, port


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Example, list[int], dict[str, tuple[int, str]]]]:
    """Two servers of one example project, one database, one Redis (with our own prefix)."""
    example = Example(tmp_path_factory.mktemp("live"), need_redis())
    example.manage("migrate", "--noinput")
    users = {}
    for line in example.manage("shell", "-c", USERS).strip().splitlines()[-2:]:
        name, pk, session = line.split()
        users[name] = (int(pk), session)
    processes = [start(example) for _ in range(2)]
    try:
        yield example, [port for _, port in processes], users
    finally:
        for process, _ in processes:
            process.terminate()
            process.wait(timeout=10)
            if process.stderr:
                process.stderr.close()
        client = redis.Redis.from_url(example.env["MIZAN_EXAMPLE_REDIS"])
        for key in client.scan_iter(f"{example.prefix}*"):  # the shared Redis stays clean
            client.delete(key)
        client.close()


class Live:
    """A graphql-transport-ws client of one subscription."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket

    async def next(self, timeout: float = 10) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
        return message

    async def nothing(self, timeout: float = 0.6) -> bool:
        try:
            message = await asyncio.wait_for(self.socket.recv(), timeout)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected message {message}")


@asynccontextmanager
async def subscribed(
    port: int, query: str, variables: dict[str, Any] | None = None, session: str | None = None
) -> AsyncIterator[tuple[Live, dict[str, Any]]]:
    """A socket subscribed to ``query``, and the first value it sent."""
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/api/mizan/graphql/",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers=headers,
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        payload = {"query": query, "variables": variables or {}}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        live = Live(socket)
        yield live, await live.next()


def data(message: dict[str, Any]) -> Any:
    assert message["type"] == "next" and "errors" not in message["payload"], message
    return message["payload"]["data"]


def name_of(message: dict[str, Any]) -> str:
    return str(data(message)["userContext"]["userProfile"]["displayName"])


async def shell(example: Example, code: str) -> None:
    await asyncio.to_thread(example.manage, "shell", "-c", code)


async def test_a_commit_in_another_process_reaches_subscribers_of_its_scope_on_every_server(
    servers: tuple[Example, list[int], dict[str, tuple[int, str]]],
) -> None:
    example, ports, users = servers
    ada, grace = users["ada"][0], users["grace"][0]
    async with (
        subscribed(ports[0], PROFILE, {"id": ada}) as (first, initial),
        subscribed(ports[1], PROFILE, {"id": ada}) as (second, _),
        subscribed(ports[0], PROFILE, {"id": grace}) as (other, _),
    ):
        assert name_of(initial) == "Ada"
        await asyncio.sleep(0.3)  # both servers have joined mizan.live.user on Redis
        await shell(
            example,
            "from django.contrib.auth import get_user_model\n"
            "from mizan import invalidate\n"
            f"get_user_model().objects.filter(pk={ada}).update(first_name='Countess')\n"
            f"invalidate('user', user_id={ada})\n",
        )
        assert name_of(await first.next()) == "Countess"
        assert name_of(await second.next()) == "Countess"
        assert await other.nothing()  # another scope: nothing

        # A mutation through one server: affects= pushes to both.
        cookies = {"sessionid": users["ada"][1]}
        token = await asyncio.to_thread(csrf, ports[1], cookies)
        body = json.dumps(
            {"query": f'mutation {{ rename(userId: {ada}, name: "Ada L.") {{ displayName }} }}'}
        ).encode()
        answer = await asyncio.to_thread(
            http,
            ports[1],
            "/api/mizan/graphql/",
            {**cookies, "csrftoken": token},
            body,
            **{"Content-Type": "application/json", "X-CSRFToken": token},
        )
        assert json.loads(answer[1])["data"] == {"rename": {"displayName": "Ada L."}}
        assert name_of(await first.next()) == "Ada L."
        assert name_of(await second.next()) == "Ada L."
        assert await other.nothing()


def csrf(port: int, cookies: dict[str, str]) -> str:
    """A CSRF token, from a page of the example that sets one."""
    _, _, jar = http(port, "/chat/?room=lobby", cookies)
    return jar["csrftoken"]


async def test_private_data_never_crosses_users(
    servers: tuple[Example, list[int], dict[str, tuple[int, str]]],
) -> None:
    example, ports, users = servers
    async with (
        subscribed(ports[0], INBOX, session=users["ada"][1]) as (ada, ada_first),
        subscribed(ports[1], INBOX, session=users["grace"][1]) as (grace, grace_first),
        subscribed(ports[1], INBOX, session=users["ada"][1]) as (ada_too, _),
    ):
        assert data(ada_first)["inboxContext"]["inbox"]["username"] == "ada"
        before = data(grace_first)["inboxContext"]["inbox"]
        assert before["username"] == "grace"
        await asyncio.sleep(0.3)
        await shell(
            example,
            "from demo.models import Note\n"
            "from django.contrib.auth import get_user_model\n"
            "Note.objects.create(owner=get_user_model().objects.get(username='ada'), "
            "text='only for ada')\n",
        )
        for socket in (ada, ada_too):
            inbox = data(await socket.next())["inboxContext"]["inbox"]
            assert inbox["username"] == "ada" and inbox["latest"] == "only for ada"
        # The whole context was invalidated: grace's own inbox, recomputed for her.
        assert data(await grace.next())["inboxContext"]["inbox"] == before


@pytest.mark.parametrize("revoke", ["deactivate", "flush"])
async def test_auth_revoked_in_another_process_ends_the_subscription(
    servers: tuple[Example, list[int], dict[str, tuple[int, str]]],
    revoke: str,
) -> None:
    example, ports, _ = servers
    name = f"{revoke}-user"
    login = example.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from django.test import Client\n"
        f"user = get_user_model().objects.create_user({name!r}, password='x')\n"
        "client = Client()\nclient.force_login(user)\n"
        "print(client.cookies['sessionid'].value)\n",
    )
    session = login.strip().splitlines()[-1]
    revoking = (
        f"get_user_model().objects.filter(username={name!r}).update(is_active=False)"
        if revoke == "deactivate"
        else f"Session.objects.filter(session_key={session!r}).delete()"
    )
    async with subscribed(ports[0], INBOX, session=session) as (live, first):
        assert data(first)["inboxContext"]["inbox"]["username"] == name
        await asyncio.sleep(0.3)
        await shell(
            example,
            "from django.contrib.auth import get_user_model\n"
            "from django.contrib.sessions.models import Session\n"
            "from mizan import invalidate\n"
            f"{revoking}\ninvalidate('inbox')\n",
        )
        ended = await live.next()
        assert ended["type"] == "next" and ended["payload"]["data"] is None
        assert ended["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert await live.next() == {"id": "1", "type": "complete"}
