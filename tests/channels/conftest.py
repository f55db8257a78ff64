"""Channel fixtures: the real ``wrap_asgi`` app, a fresh channel layer, a logged-in socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.core.asgi import get_asgi_application
from django.test import AsyncClient

from mizan import wrap_asgi
from mizan.channels.hub import hub

GRAPHQL = "/api/mizan/graphql/"
PROTOCOL = "graphql-transport-ws"


class Socket:
    """A graphql-transport-ws client over Channels' ``WebsocketCommunicator``."""

    def __init__(
        self,
        app: Any,
        path: str = GRAPHQL,
        headers: list[tuple[bytes, bytes]] | None = None,
        subprotocols: list[str] | None = None,
    ) -> None:
        self.communicator = WebsocketCommunicator(
            app, path, headers=headers or [], subprotocols=subprotocols or [PROTOCOL]
        )

    async def connect(self) -> tuple[bool, Any]:
        return await self.communicator.connect()

    async def open(self) -> Socket:
        accepted, protocol = await self.connect()
        assert (accepted, protocol) == (True, PROTOCOL)
        await self.send({"type": "connection_init"})
        from mizan.schema import get_schema

        # The ack names the schema, so a generated client can tell it is stale.
        assert await self.receive() == {
            "type": "connection_ack",
            "payload": {"schema": get_schema().hash},
        }
        return self

    async def send(self, message: dict[str, Any]) -> None:
        await self.communicator.send_json_to(message)

    async def receive(self, timeout: float = 2) -> dict[str, Any]:
        message: dict[str, Any] = await self.communicator.receive_json_from(timeout)
        return message

    async def subscribe(self, id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        await self.send({"id": id, "type": "subscribe", "payload": payload})

    async def complete(self, id: str) -> None:
        await self.send({"id": id, "type": "complete"})

    async def nothing(self, timeout: float = 0.2) -> bool:
        return bool(await self.communicator.receive_nothing(timeout))

    async def close(self) -> None:
        await self.communicator.disconnect()


def members(layer: Any, group: str) -> int:
    """How many channels the in-memory layer has in ``group``: 1 while this process's
    hub listens to it, however many subscriptions do."""
    assert isinstance(layer, InMemoryChannelLayer)
    return len(layer.groups.get(group, {}))


def listeners(layer: Any, group: str) -> int:
    """How many local subscriptions the running loop's hub feeds from ``group``."""
    return hub().members(layer, group)


def hub_groups(layer: Any) -> list[str]:
    """The groups of ``layer`` the running loop's hub has joined."""
    return [group for (joined, group) in hub().groups if joined is layer]


async def eventually(condition: Callable[[], Any], timeout: float = 2.0) -> None:
    """Wait until ``condition()`` is true (or awaitable to true): joins happen after a
    subscribe message, and the protocol has no acknowledgement to wait for."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if loop.time() > deadline:
            raise AssertionError(f"still false after {timeout}s: {condition}")
        await asyncio.sleep(0.01)


@pytest.fixture
def layer(settings: Any) -> Any:
    """A fresh in-memory channel layer for this test (setting it drops the cached one)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return get_channel_layer()


@pytest.fixture
def app(layer: Any, transactional_db: None) -> Any:
    """The real ASGI app. Consumers reach the database from other threads (sessions,
    Channels' connection clean-up), so the test database must be committed to."""
    return wrap_asgi(get_asgi_application())


@pytest.fixture
async def socket(app: Any) -> AsyncIterator[Socket]:
    opened = await Socket(app).open()
    yield opened
    await opened.close()


@pytest.fixture
def login(transactional_db: None) -> Callable[..., Any]:
    """``await login("ada")`` → the session cookie header of a logged-in user."""

    async def log_in(username: str, **fields: Any) -> list[tuple[bytes, bytes]]:
        user = await sync_to_async(User.objects.create_user)(username, password="x", **fields)
        client = AsyncClient()
        await client.aforce_login(user)
        session = client.cookies["sessionid"].value
        return [(b"cookie", f"sessionid={session}".encode())]

    return log_in
