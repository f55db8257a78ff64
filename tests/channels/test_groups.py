"""Group names: always valid for a channel layer, and distinct for distinct inputs."""

from __future__ import annotations

import random

import pytest
from channels.layers import BaseChannelLayer

from mizan.channels.groups import MAX_LENGTH, encode, group_name

LAYER = BaseChannelLayer()


@pytest.mark.parametrize(
    ("channel", "group", "expected"),
    [
        ("chatChannel", "chat_lobby", "mizan.chatChannel.chat_lobby"),
        ("chatChannel", "", "mizan.chatChannel."),
        ("chatChannel", "chat room", "mizan.chatChannel.chat-20room"),
        ("chatChannel", "a-b", "mizan.chatChannel.a-2db"),
        ("chatChannel", "café", "mizan.chatChannel.caf-c3-a9"),
    ],
)
def test_readable_names_stay_readable(channel: str, group: str, expected: str) -> None:
    assert group_name(channel, group) == expected
    assert LAYER.require_valid_group_name(expected)


def test_names_that_a_user_could_type_never_collide() -> None:
    long = "x" * 200
    hashed = group_name("chatChannel", long)
    assert len(hashed) == MAX_LENGTH and "-h" in hashed
    crafted = [
        "chat room",
        "chat_room",
        "chat-20room",
        "chat-2d20room",
        hashed.removeprefix("mizan.chatChannel."),  # a room named after another's group
        long,
        long + "y",
        "x" * 199 + "y",
    ]
    names = {group_name("chatChannel", g) for g in crafted}
    assert len(names) == len(crafted)


def test_each_channel_has_its_own_namespace() -> None:
    assert group_name("chatChannel", "lobby") != group_name("newsChannel", "lobby")
    assert group_name("chat", "Channel.x") != group_name(
        "chatChannel", "x"
    )  # names are identifiers


def test_any_input_gives_a_valid_layer_group_name() -> None:
    rng = random.Random(9)
    alphabet = "ab_.-/ é😀:\x00" + "Z9"
    for _ in range(2000):
        group = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 120)))
        name = group_name("chatChannel", group)
        assert LAYER.require_valid_group_name(name), (group, name)
        assert len(name) <= MAX_LENGTH


def test_encoding_is_injective_on_a_sample() -> None:
    rng = random.Random(3)
    seen: dict[str, str] = {}
    for _ in range(5000):
        text = "".join(rng.choice("a-_.é2d") for _ in range(rng.randrange(0, 6)))
        assert seen.setdefault(encode(text), text) == text
