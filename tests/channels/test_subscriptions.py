"""Subscriptions over a real WebSocket: the real ``wrap_asgi`` app, graphql-transport-ws."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from graphql import print_ast
from graphql.execution import execute_subscription_event
from pydantic import BaseModel, Field
from strawberry.extensions import SchemaExtension

from mizan.channels import ReactChannel
from mizan.channels.groups import group_name
from mizan.client import client
from mizan.exceptions import Unauthenticated
from mizan.runtime import engine
from tests.channels.conftest import GRAPHQL, Socket, eventually, hub_groups, listeners, members

SUBSCRIBE = "subscription($room: String!) { chatChannel(room: $room) { text author } }"

events: list[tuple[str, Any]] = []


class Line(BaseModel):
    text: str
    author: str = "server"


def chat_channel(**overrides: Any) -> type[ReactChannel]:
    """The seed's ChatChannel, with a ReactMessage so clients can post."""

    class ChatChannel(ReactChannel):
        """A chat room."""

        class Params(BaseModel):
            room: Annotated[str, Field(max_length=20)]

        DjangoMessage = Line

        class ReactMessage(BaseModel):
            text: Annotated[str, Field(min_length=1)]

        def authorize(self, params: Any) -> bool:
            return bool(self.user.is_authenticated)

        def group(self, params: Any) -> str:
            return f"chat_{params.room}"

        def receive(self, params: Any, message: Any) -> None:
            events.append(("receive", (params.room, message.text, self.user.username)))
            ChatChannel.send(Line(text=message.text, author=self.user.username), room=params.room)

        def on_subscribe(self, params: Any) -> None:
            events.append(("subscribe", (params.room, self.user.username)))

        def on_unsubscribe(self, params: Any) -> None:
            events.append(("unsubscribe", (params.room, self.user.username)))

    for name, value in overrides.items():
        setattr(ChatChannel, name, value)
    return ChatChannel


@pytest.fixture(autouse=True)
def _events() -> None:
    events.clear()


def room(name: str) -> str:
    return group_name("chatChannel", f"chat_{name}")


async def test_subscribe_then_receive_asend_and_send(app: Any, layer: Any, login: Any) -> None:
    chat = chat_channel()
    socket = await Socket(app, headers=await login("ada")).open()
    await socket.subscribe("1", SUBSCRIBE, {"room": "lobby"})
    await eventually(lambda: members(layer, room("lobby")) == 1)

    await chat.asend(Line(text="hello", author="x"), room="lobby")
    assert await socket.receive() == {
        "id": "1",
        "type": "next",
        "payload": {"data": {"chatChannel": {"text": "hello", "author": "x"}}},
    }
    await sync_to_async(chat.send)({"text": "from sync code"}, room="lobby")
    message = await socket.receive()
    assert message["payload"]["data"]["chatChannel"] == {
        "text": "from sync code",
        "author": "server",
    }
    assert events == [("subscribe", ("lobby", "ada"))]
    await socket.close()


async def test_two_rooms_are_isolated(app: Any, layer: Any, login: Any) -> None:
    chat = chat_channel()
    cookie = await login("ada")
    lobby, kitchen = (
        await Socket(app, headers=cookie).open(),
        await Socket(app, headers=cookie).open(),
    )
    await lobby.subscribe("a", SUBSCRIBE, {"room": "lobby"})
    await kitchen.subscribe("b", SUBSCRIBE, {"room": "kitchen"})
    await eventually(lambda: members(layer, room("lobby")) == members(layer, room("kitchen")) == 1)

    await chat.asend({"text": "for the lobby"}, room="lobby")
    assert (await lobby.receive())["payload"]["data"]["chatChannel"]["text"] == "for the lobby"
    assert await kitchen.nothing()
    await chat.asend({"text": "for the kitchen"}, room="kitchen")
    assert (await kitchen.receive())["id"] == "b"
    assert await lobby.nothing()
    await lobby.close()
    await kitchen.close()


async def test_anonymous_is_refused_with_forbidden_before_joining(app: Any, layer: Any) -> None:
    chat_channel()
    socket = await Socket(app).open()
    await socket.subscribe("1", SUBSCRIBE, {"room": "lobby"})
    error = await socket.receive()
    assert error["type"] == "error" and error["id"] == "1"
    assert [e["extensions"]["code"] for e in error["payload"]] == ["FORBIDDEN"]
    assert "ChatChannel" in error["payload"][0]["message"]
    assert members(layer, room("lobby")) == 0
    assert events == []
    # The error ended that subscription; the connection still serves others.
    await socket.subscribe("1", "{ _ok }")
    assert (await socket.receive())["payload"] == {"data": {"_ok": True}}
    await socket.close()


async def test_async_authorize_can_raise_its_own_error(app: Any) -> None:
    async def authorize(self: Any, params: Any) -> bool:
        raise Unauthenticated("Log in to chat.")

    chat_channel(authorize=authorize)
    socket = await Socket(app).open()
    await socket.subscribe("1", SUBSCRIBE, {"room": "lobby"})
    error = await socket.receive()
    assert error["type"] == "error"
    assert error["payload"][0]["message"] == "Log in to chat."
    assert error["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await socket.close()


async def test_bad_params_name_the_argument(app: Any, login: Any) -> None:
    chat_channel()
    socket = await Socket(app, headers=await login("ada")).open()
    await socket.subscribe("1", SUBSCRIBE, {"room": "x" * 21})
    error = await socket.receive()
    assert error["type"] == "error"
    [problem] = error["payload"]
    assert problem["extensions"]["code"] == "BAD_USER_INPUT"
    assert problem["extensions"]["argument"] == "room"
    assert "room" in problem["message"] and "20 characters" in problem["message"]

    await socket.subscribe("2", "subscription { chatChannel { text } }")
    error = await socket.receive()
    assert error["type"] == "error"
    assert error["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "room" in error["payload"][0]["message"]
    await socket.close()


async def test_complete_leaves_the_group_and_calls_on_unsubscribe(
    app: Any, layer: Any, login: Any
) -> None:
    chat = chat_channel()
    socket = await Socket(app, headers=await login("ada")).open()
    await socket.subscribe("1", SUBSCRIBE, {"room": "lobby"})
    await socket.subscribe("2", SUBSCRIBE, {"room": "lobby"})
    await eventually(lambda: len([e for e in events if e[0] == "subscribe"]) == 2)
    assert members(layer, room("lobby")) == 1  # one process, one membership
    assert listeners(layer, room("lobby")) == 2  # the hub feeds both subscriptions

    await chat.asend({"text": "both"}, room="lobby")
    assert {(await socket.receive())["id"], (await socket.receive())["id"]} == {"1", "2"}

    await socket.complete("1")
    await eventually(lambda: ("unsubscribe", ("lobby", "ada")) in events)
    assert members(layer, room("lobby")) == 1  # subscription 2 still listens
    assert listeners(layer, room("lobby")) == 1
    await chat.asend({"text": "one"}, room="lobby")
    assert (await socket.receive())["id"] == "2"
    assert await socket.nothing()

    await socket.complete("2")
    await eventually(lambda: members(layer, room("lobby")) == 0)
    assert listeners(layer, room("lobby")) == 0 and hub_groups(layer) == []
    await eventually(lambda: events.count(("unsubscribe", ("lobby", "ada"))) == 2)
    await socket.close()


async def test_disconnect_cleans_up_group_membership(app: Any, layer: Any, login: Any) -> None:
    chat_channel()
    socket = await Socket(app, headers=await login("ada")).open()
    await socket.subscribe("1", SUBSCRIBE, {"room": "lobby"})
    await socket.subscribe("2", SUBSCRIBE, {"room": "kitchen"})
    await eventually(lambda: members(layer, room("lobby")) == members(layer, room("kitchen")) == 1)

    await socket.close()
    assert layer.groups == {}  # nothing left behind, not even empty groups
    assert hub_groups(layer) == []  # and the hub forgot both
    assert sorted(e for e in events if e[0] == "unsubscribe") == [
        ("unsubscribe", ("kitchen", "ada")),
        ("unsubscribe", ("lobby", "ada")),
    ]


async def test_subscriptions_per_connection_are_limited(
    app: Any, layer: Any, login: Any, settings: Any
) -> None:
    settings.MIZAN = {"CHANNELS_MAX_SUBSCRIPTIONS": 2}
    chat_channel()
    socket = await Socket(app, headers=await login("ada")).open()
    for id in ("1", "2", "3"):
        await socket.subscribe(id, SUBSCRIBE, {"room": id})
    error = await socket.receive()
    assert error["id"] == "3" and error["type"] == "error"
    assert error["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
    await eventually(lambda: members(layer, room("1")) == members(layer, room("2")) == 1)
    assert members(layer, room("3")) == 0

    await socket.complete("1")
    await socket.subscribe("3", SUBSCRIBE, {"room": "3"})  # room again after a complete
    await eventually(lambda: members(layer, room("3")) == 1)
    await socket.close()


async def test_a_frame_over_the_size_limit_closes_the_socket(
    app: Any, settings: Any, socket: Socket
) -> None:
    settings.MIZAN = {"CHANNELS_MAX_MESSAGE_BYTES": 200}
    small = Socket(app)
    await small.open()  # the limit is read per connection
    await small.subscribe("1", "{ _ok }", {"padding": "x" * 100})
    assert [(await small.receive())["type"] for _ in range(2)] == ["next", "complete"]
    await small.subscribe("2", "{ _ok }", {"padding": "é" * 100})  # 200 bytes as UTF-8
    closed = await small.communicator.receive_output(2)
    assert closed == {"type": "websocket.close", "code": 4413, "reason": "Message too big"}
    # The socket opened before the change keeps the limit it was opened with.
    await socket.subscribe("1", "{ _ok }", {"padding": "é" * 100})
    assert (await socket.receive())["type"] == "next"


async def test_client_to_server_mutation_over_websocket(app: Any, layer: Any, login: Any) -> None:
    chat_channel()
    socket = await Socket(app, headers=await login("ada")).open()
    await socket.subscribe("sub", SUBSCRIBE, {"room": "lobby"})
    await eventually(lambda: members(layer, room("lobby")) == 1)
    await socket.subscribe(
        "send",
        'mutation($m: ChatChannelReactMessageInput!) { chatChannelSend(room: "lobby", message: $m) }',
        {"m": {"text": "hi all"}},
    )
    replies = [await socket.receive() for _ in range(3)]
    assert {"id": "send", "type": "next", "payload": {"data": {"chatChannelSend": True}}} in replies
    assert {
        "id": "sub",
        "type": "next",
        "payload": {"data": {"chatChannel": {"text": "hi all", "author": "ada"}}},
    } in replies
    assert events[-1] == ("receive", ("lobby", "hi all", "ada"))
    await socket.close()


async def test_queries_over_websocket_see_the_session_user(app: Any, login: Any) -> None:
    @client(read_only=True, auth=True)
    def whoami(request: Any) -> str:
        return str(request.user.username)

    socket = await Socket(app, headers=await login("ada")).open()
    await socket.subscribe("1", "{ whoami }")
    assert await socket.receive() == {
        "id": "1",
        "type": "next",
        "payload": {"data": {"whoami": "ada"}},
    }
    await socket.close()


async def test_a_subscription_over_http_says_where_to_go(app: Any, post: Any) -> None:
    chat_channel()
    response = await sync_to_async(post)('subscription { chatChannel(room: "a") { text } }')
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["message"].startswith("chatChannel is a subscription: open a WebSocket")
    assert events == []  # authorize, group and the hooks never ran


async def test_client_to_server_mutation_over_post(app: Any, layer: Any, login: Any) -> None:
    from django.test import Client

    chat_channel()
    socket = await Socket(app, headers=await login("ada")).open()
    await socket.subscribe("sub", SUBSCRIBE, {"room": "lobby"})
    await eventually(lambda: members(layer, room("lobby")) == 1)
    bob = await sync_to_async(User.objects.create_user)("bob")
    poster = Client()
    await sync_to_async(poster.force_login)(bob)
    mutation = "mutation($room: String!, $text: String!) { chatChannelSend(room: $room, message: {text: $text}) }"

    def post(client: Client, **variables: Any) -> Any:
        body = json.dumps({"query": mutation, "variables": variables})
        return client.post(GRAPHQL, body, content_type="application/json").json()

    assert await sync_to_async(post)(poster, room="lobby", text="from bob") == {
        "data": {"chatChannelSend": True}
    }
    assert (await socket.receive())["payload"]["data"]["chatChannel"] == {
        "text": "from bob",
        "author": "bob",
    }
    assert events[-1] == ("receive", ("lobby", "from bob", "bob"))

    refused = await sync_to_async(post)(Client(), room="lobby", text="from nobody")
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    invalid = await sync_to_async(post)(poster, room="lobby", text="")
    assert invalid["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert invalid["errors"][0]["extensions"]["argument"] == "message"
    assert events[-1] == ("receive", ("lobby", "from bob", "bob"))  # neither reached receive()
    assert await socket.nothing()
    await socket.close()


TEXT_ONLY = "subscription($room: String!) { chatChannel(room: $room) { text } }"


class CountingExtension(SchemaExtension):
    """An extension with a resolve hook: each subscriber's events run through its own."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        return _next(root, info, *args, **kwargs)


@pytest.mark.parametrize("extensions", [[], [CountingExtension]], ids=["shared", "hooks"])
async def test_a_broadcast_runs_once_per_document_for_every_local_subscriber(
    app: Any, layer: Any, login: Any, settings: Any, monkeypatch: Any, extensions: list[Any]
) -> None:
    """Three sockets subscribe to one room with one document, one of them to a second
    document too: a broadcast executes each document once (its frames differ only in
    their ids); with an extension's resolve hook, once per subscriber."""
    settings.MIZAN = {"EXTENSIONS": extensions}
    chat = chat_channel()
    executed: list[str] = []

    def counting(executor: Any) -> Any:
        executed.append(print_ast(executor.operation))
        return execute_subscription_event(executor)

    monkeypatch.setattr(engine, "execute_subscription_event", counting)
    cookie = await login("ada")
    sockets = [await Socket(app, headers=cookie).open() for _ in range(3)]
    for n, socket in enumerate(sockets):
        await socket.subscribe(f"s{n}", SUBSCRIBE, {"room": "lobby"})
    await sockets[0].subscribe("text", TEXT_ONLY, {"room": "lobby"})
    await eventually(lambda: listeners(layer, room("lobby")) == 4)

    await chat.asend(Line(text="hi", author="x"), room="lobby")
    got = [await socket.receive() for socket in sockets] + [await sockets[0].receive()]
    by_id = {message["id"]: message for message in got}
    everything = {"data": {"chatChannel": {"text": "hi", "author": "x"}}}
    assert {i: m["payload"] for i, m in by_id.items()} == {
        "s0": everything,
        "s1": everything,
        "s2": everything,
        "text": {"data": {"chatChannel": {"text": "hi"}}},
    }
    assert len(executed) == (4 if extensions else 2)
    if not extensions:
        assert len(set(executed)) == 2  # one execution of each document
    for socket in sockets:
        assert await socket.nothing()
        await socket.close()


async def test_the_consumer_mounted_without_wrap_asgi_sends_through_channels(
    layer: Any, login: Any
) -> None:
    """Frames go through the ASGI server's own send when wrap_asgi left it in the scope,
    and through Channels' send when the consumer is mounted on its own."""
    from channels.auth import AuthMiddlewareStack

    from mizan.channels.consumer import MizanWSConsumer

    chat = chat_channel()
    socket = await Socket(
        AuthMiddlewareStack(MizanWSConsumer.as_asgi()), headers=await login("ada")
    ).open()
    await socket.subscribe("1", SUBSCRIBE, {"room": "lobby"})
    await eventually(lambda: listeners(layer, room("lobby")) == 1)
    await chat.asend(Line(text="alone"), room="lobby")
    assert (await socket.receive())["payload"] == {
        "data": {"chatChannel": {"text": "alone", "author": "server"}}
    }
    await socket.close()
