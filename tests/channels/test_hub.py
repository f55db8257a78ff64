"""The per-process fan-out hub: one layer membership per group, one queue per subscription."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from mizan.channels import ReactChannel
from mizan.channels.groups import group_name
from mizan.channels.hub import hub
from tests.channels.conftest import Socket, eventually, hub_groups, listeners, members

SUBSCRIBE = "subscription($room: String!) { chatChannel(room: $room) { text } }"
LOBBY, KITCHEN = group_name("chatChannel", "chat_lobby"), group_name("chatChannel", "chat_kitchen")


class Line(BaseModel):
    text: str


def make_channel(events: list[str] | None = None) -> type[ReactChannel]:
    class ChatChannel(ReactChannel):
        class Params(BaseModel):
            room: str

        DjangoMessage = Line

        def group(self, params: Any) -> str:
            return f"chat_{params.room}"

        def on_unsubscribe(self, params: Any) -> None:
            if events is not None:
                events.append(params.room)

    return ChatChannel


async def texts(socket: Socket, count: int) -> dict[str, list[str]]:
    """``count`` messages from ``socket``, as the texts each subscription id got, in order."""
    got: dict[str, list[str]] = {}
    for _ in range(count):
        message = await socket.receive()
        got.setdefault(message["id"], []).append(message["payload"]["data"]["chatChannel"]["text"])
    return got


async def test_one_membership_feeds_every_subscription_in_order(app: Any, layer: Any) -> None:
    chat = make_channel()
    first, second, cook = [await Socket(app).open() for _ in range(3)]
    await first.subscribe("a", SUBSCRIBE, {"room": "lobby"})
    await first.subscribe("b", SUBSCRIBE, {"room": "lobby"})
    await second.subscribe("c", SUBSCRIBE, {"room": "lobby"})
    await cook.subscribe("k", SUBSCRIBE, {"room": "kitchen"})
    await eventually(lambda: listeners(layer, LOBBY) == 3 and listeners(layer, KITCHEN) == 1)
    assert members(layer, LOBBY) == members(layer, KITCHEN) == 1
    assert sorted(hub_groups(layer)) == sorted([LOBBY, KITCHEN])

    sent = [f"m{n}" for n in range(20)]
    for text in sent:
        await chat.asend({"text": text}, room="lobby")
    await chat.asend({"text": "soup"}, room="kitchen")
    assert await texts(first, 40) == {"a": sent, "b": sent}
    assert await texts(second, 20) == {"c": sent}
    assert await texts(cook, 1) == {"k": ["soup"]}
    assert await first.nothing() and await second.nothing() and await cook.nothing()

    await first.close()
    assert listeners(layer, LOBBY) == 1 and members(layer, LOBBY) == 1  # second still listens
    await second.close()
    await cook.close()
    assert hub_groups(layer) == [] and layer.groups == {}


async def test_the_last_to_leave_frees_the_group_and_the_next_joins_again(
    app: Any, layer: Any
) -> None:
    chat = make_channel()
    socket = await Socket(app).open()
    await socket.subscribe("1", SUBSCRIBE, {"room": "lobby"})
    await eventually(lambda: listeners(layer, LOBBY) == 1)
    channel = hub().groups[(layer, LOBBY)].channel
    await socket.complete("1")
    await eventually(lambda: members(layer, LOBBY) == 0)
    assert hub_groups(layer) == []

    await socket.subscribe("2", SUBSCRIBE, {"room": "lobby"})
    await eventually(lambda: listeners(layer, LOBBY) == 1 and members(layer, LOBBY) == 1)
    assert hub().groups[(layer, LOBBY)].channel != channel  # a new channel, a new task
    await chat.asend({"text": "again"}, room="lobby")
    assert await texts(socket, 1) == {"2": ["again"]}
    await socket.close()
    assert hub_groups(layer) == [] and layer.groups == {}


async def test_a_broken_layer_ends_the_subscriptions_and_the_next_one_joins_again(
    app: Any, layer: Any, monkeypatch: Any
) -> None:
    unsubscribed: list[str] = []
    chat = make_channel(unsubscribed)
    socket = await Socket(app).open()
    await socket.subscribe("1", SUBSCRIBE, {"room": "lobby"})
    await socket.subscribe("2", SUBSCRIBE, {"room": "lobby"})
    await eventually(lambda: listeners(layer, LOBBY) == 2)
    broken = hub().groups[(layer, LOBBY)].channel
    receive = layer.receive

    async def failing(channel: str) -> Any:
        if channel == broken:
            raise ConnectionError("the layer's server went away")
        return await receive(channel)

    monkeypatch.setattr(layer, "receive", failing)
    # The hub is waiting in the real receive: this message arrives, the next receive fails.
    await chat.asend({"text": "last"}, room="lobby")
    replies = [await socket.receive() for _ in range(6)]
    for id in ("1", "2"):
        mine = [reply for reply in replies if reply["id"] == id]
        assert [reply["type"] for reply in mine] == ["next", "next", "complete"]
        assert mine[0]["payload"] == {"data": {"chatChannel": {"text": "last"}}}
        [error] = mine[1]["payload"]["errors"]  # the stream ended with the masked error
        assert error == {
            "message": "Internal server error.",
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    await eventually(lambda: unsubscribed == ["lobby", "lobby"])
    assert hub_groups(layer) == [] and members(layer, LOBBY) == 0

    await socket.subscribe("3", SUBSCRIBE, {"room": "lobby"})
    await eventually(lambda: listeners(layer, LOBBY) == 1)
    await chat.asend({"text": "back"}, room="lobby")
    assert await texts(socket, 1) == {"3": ["back"]}
    await socket.close()
    assert hub_groups(layer) == [] and layer.groups == {}


async def test_a_later_subscription_refreshes_an_old_membership(
    app: Any, layer: Any, monkeypatch: Any
) -> None:
    # Layers may expire memberships (group_expiry): a subscription joining a group the
    # process joined long ago adds the hub's channel again, as its own join used to.
    make_channel()
    added: list[tuple[str, str]] = []
    group_add = layer.group_add

    async def counting(group: str, channel: str) -> None:
        added.append((group, channel))
        await group_add(group, channel)

    monkeypatch.setattr(layer, "group_add", counting)
    socket = await Socket(app).open()
    await socket.subscribe("1", SUBSCRIBE, {"room": "lobby"})
    await socket.subscribe("2", SUBSCRIBE, {"room": "lobby"})
    await eventually(lambda: listeners(layer, LOBBY) == 2)
    channel = hub().groups[(layer, LOBBY)].channel
    assert added == [(LOBBY, channel)]  # joined once

    monkeypatch.setattr("mizan.channels.hub.REFRESH_SECONDS", 0.0)
    await socket.subscribe("3", SUBSCRIBE, {"room": "lobby"})
    await eventually(lambda: listeners(layer, LOBBY) == 3)
    assert added == [(LOBBY, channel), (LOBBY, channel)]
    await socket.close()
    assert hub_groups(layer) == [] and layer.groups == {}
