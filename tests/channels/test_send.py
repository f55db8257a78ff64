"""``ChatChannel.send`` / ``asend``: checked in the caller, sent after commit, never on rollback."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction
from pydantic import BaseModel

from mizan.channels import ReactChannel
from mizan.channels.groups import group_name
from mizan.exceptions import ChannelSendError
from tests.channels.conftest import Socket, eventually, members


class Line(BaseModel):
    text: str
    votes: int = 0


def make_channel() -> type[ReactChannel]:
    class ChatChannel(ReactChannel):
        class Params(BaseModel):
            room: str

        DjangoMessage = Line

        def group(self, params: Any) -> str:
            return f"chat_{params.room}"

    return ChatChannel


def test_a_message_that_does_not_validate_names_the_channel_and_field() -> None:
    chat = make_channel()
    with pytest.raises(ChannelSendError) as caught:
        chat.send({"text": "hi", "votes": "many"}, room="lobby")
    assert str(caught.value) == (
        "ChatChannel.send(): the message is not a valid Line: "
        "field 'votes': Input should be a valid integer, unable to parse string as an integer"
    )
    with pytest.raises(
        ChannelSendError, match=r"message is not a valid Line: field 'text': Field required"
    ):
        chat.send({}, room="lobby")


def test_a_message_of_another_type_is_refused() -> None:
    class Other(BaseModel):
        text: str

    with pytest.raises(
        ChannelSendError, match=r"takes a Line \(or a dict of its fields\), not .*Other"
    ):
        make_channel().send(Other(text="hi"), room="lobby")


def test_params_are_checked_against_params() -> None:
    chat = make_channel()
    with pytest.raises(
        ChannelSendError, match=r"unknown params \['rom'\]; its params are \['room'\]"
    ):
        chat.send(Line(text="hi"), rom="lobby")
    with pytest.raises(ChannelSendError, match=r"invalid params: field 'room': Field required"):
        chat.send(Line(text="hi"))
    with pytest.raises(
        ChannelSendError, match=r"invalid params: field 'room': Input should be a valid string"
    ):
        chat.send(Line(text="hi"), room=5)


def test_a_message_over_the_size_limit_is_refused(settings: Any, layer: Any, db: None) -> None:
    settings.MIZAN = {"CHANNELS_MAX_MESSAGE_BYTES": 50}
    chat = make_channel()
    line = Line(text="x" * 40)
    size = len(line.model_dump_json())
    assert size > 50
    with pytest.raises(
        ChannelSendError, match=rf"the message is {size} bytes of JSON; .* allows 50"
    ):
        chat.send(line, room="lobby")
    chat.send(Line(text="short"), room="lobby")  # under the limit: sent (to nobody)


async def test_send_from_async_code_points_to_asend() -> None:
    with pytest.raises(ChannelSendError, match=r"use `await ChatChannel.asend\(...\)` there"):
        make_channel().send(Line(text="hi"), room="lobby")


def test_an_abstract_channel_has_no_subscribers_to_send_to(registry: Any) -> None:
    class Base(ReactChannel, abstract=True):
        DjangoMessage = Line

    assert registry.channels() == []
    with pytest.raises(ChannelSendError, match="Base is declared abstract=True"):
        Base.send(Line(text="hi"))


def test_without_a_channel_layer_the_error_says_how_to_configure_one(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.CHANNEL_LAYERS = {}
    with pytest.raises(ImproperlyConfigured, match="CHANNEL_LAYERS has no 'default'"):
        make_channel().send(Line(text="hi"), room="lobby")


async def test_send_waits_for_commit_and_rollback_sends_nothing(app: Any, layer: Any) -> None:
    chat = make_channel()
    socket = await Socket(app).open()
    await socket.subscribe("1", 'subscription { chatChannel(room: "lobby") { text } }')
    await eventually(lambda: members(layer, group_name("chatChannel", "chat_lobby")) == 1)

    class Rollback(Exception):
        pass

    def rolled_back() -> None:
        with pytest.raises(Rollback), transaction.atomic():
            chat.send(Line(text="never"), room="lobby")
            raise Rollback

    def committed(seen_inside: list[bool]) -> None:
        with transaction.atomic():
            chat.send(Line(text="after commit"), room="lobby")
            # Nothing has been sent while the transaction is open.
            seen_inside.append(any(queue.qsize() for queue in layer.channels.values()))

    await sync_to_async(rolled_back)()
    assert await socket.nothing()
    seen_inside: list[bool] = []
    await sync_to_async(committed)(seen_inside)
    assert seen_inside == [False]
    assert (await socket.receive())["payload"]["data"]["chatChannel"] == {"text": "after commit"}
    assert await socket.nothing()
    await socket.close()
