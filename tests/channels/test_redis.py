"""The production layer: channels_redis against the Redis on this machine.

Each test uses its own key prefix, and two layer instances where it matters:
the subscriber's (the server process) and the sender's (another process).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from django.core.asgi import get_asgi_application
from django.db import transaction
from pydantic import BaseModel

from mizan import wrap_asgi
from mizan.channels import ReactChannel
from mizan.channels.groups import group_name
from tests.channels.conftest import Socket, eventually
from tests.services import need_redis

CORE = "channels_redis.core.RedisChannelLayer"
PUBSUB = "channels_redis.pubsub.RedisPubSubChannelLayer"
GROUP = group_name("chatChannel", "chat_lobby")


class Line(BaseModel):
    text: str


def make_channel() -> type[ReactChannel]:
    class ChatChannel(ReactChannel):
        class Params(BaseModel):
            room: str

        DjangoMessage = Line

        def group(self, params: Any) -> str:
            return f"chat_{params.room}"

    return ChatChannel


class Redis:
    def __init__(self, url: str, backend: str, prefix: str) -> None:
        self.client = redis.asyncio.Redis.from_url(url)
        self.backend, self.prefix = backend, prefix

    async def members(self, group: str) -> int:
        """Subscribers of ``group`` as Redis itself sees them."""
        if self.backend == CORE:
            return int(await self.client.zcard(f"{self.prefix}:group:{group}"))
        [(_, count)] = await self.client.pubsub_numsub(f"{self.prefix}__group__{group}")
        return int(count)


@pytest.fixture(params=[CORE, PUBSUB], ids=["core", "pubsub"])
async def redis_db(
    request: pytest.FixtureRequest, settings: Any, transactional_db: None
) -> AsyncIterator[Redis]:
    url = need_redis()
    prefix = f"mizan-test-{uuid.uuid4().hex[:8]}"
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": request.param, "CONFIG": {"hosts": [url], "prefix": prefix}}
    }
    server = Redis(url, request.param, prefix)
    yield server
    await close(channel_layers["default"])
    await server.client.aclose()


async def close(layer: Any) -> None:
    await layer.flush()  # drops this test's keys; the pub/sub layer also disconnects
    if hasattr(layer, "close_pools"):
        await layer.close_pools()


async def test_fan_out_from_another_layer_instance(redis_db: Redis) -> None:
    chat = make_channel()
    app = wrap_asgi(get_asgi_application())
    first, second = await Socket(app).open(), await Socket(app).open()
    for socket in (first, second):
        await socket.subscribe("1", 'subscription { chatChannel(room: "lobby") { text } }')
    # The process joins the group once (its hub's channel), however many sockets listen.
    await eventually(lambda: _equals(redis_db.members(GROUP), 1), timeout=5)

    # The sender is another process: its own layer object, its own connections.
    sender = channel_layers.make_backend("default")
    server = channel_layers.set("default", sender)
    try:
        await chat.asend(Line(text="across processes"), room="lobby")
        await sync_to_async(chat.send)({"text": "from sync code"}, room="lobby")
    finally:
        channel_layers.set("default", server)
        await close_connections(sender)
    for socket in (first, second):
        texts = [
            (await socket.receive(timeout=5))["payload"]["data"]["chatChannel"]["text"]
            for _ in range(2)
        ]
        assert texts == ["across processes", "from sync code"]

    await first.close()
    await second.close()
    await eventually(lambda: _equals(redis_db.members(GROUP), 0))


async def test_rollback_sends_nothing_commit_sends_once(redis_db: Redis) -> None:
    chat = make_channel()
    app = wrap_asgi(get_asgi_application())
    socket = await Socket(app).open()
    await socket.subscribe("1", 'subscription { chatChannel(room: "lobby") { text } }')
    await eventually(lambda: redis_db.members(GROUP), timeout=5)

    def write(text: str, fail: bool) -> None:
        try:
            with transaction.atomic():
                chat.send(Line(text=text), room="lobby")
                if fail:
                    raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    await sync_to_async(write)("rolled back", True)
    await sync_to_async(write)("committed", False)
    assert (await socket.receive(timeout=5))["payload"]["data"]["chatChannel"] == {
        "text": "committed"
    }
    assert await socket.nothing(0.3)
    await socket.close()


async def close_connections(layer: Any) -> None:
    if hasattr(layer, "close_pools"):
        await layer.close_pools()
    else:  # the pub/sub layer: flush unsubscribes and closes, and owns no keys to drop
        await layer.flush()


async def _equals(value: Any, expected: int) -> bool:
    return bool(await value == expected)
