"""Declaring a live context: once per context, named without clashes, absent (and said so)
without Django Channels."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from pydantic import BaseModel

from mizan.channels.checks import check_channel_layer, check_live_contexts
from mizan.client import client
from mizan.exceptions import RegistrationError
from mizan.schema import get_schema


class Profile(BaseModel):
    name: str


def profile(**options: Any) -> None:
    @client(context="user", **options)
    def user_profile(request: Any, user_id: int) -> Profile:
        return Profile(name="x")


def test_live_gives_a_subscription_field_a_bundle_type_and_a_persisted_operation() -> None:
    profile(live=True)

    @client(context="user")
    def user_notes(request: Any, user_id: int, limit: int = 3) -> list[str]:
        return []

    schema = get_schema()
    sdl = schema.sdl()
    assert "userContext(userId: Int!): UserContextBundle!" in sdl
    assert "type UserContextBundle {\n  userNotes(limit: Int! = 3): [String!]!\n" in sdl
    assert schema.operations["UserContextLive"].text == (
        "subscription UserContextLive($limit: Int! = 3, $user_id: Int!) "
        "{ userContext(userId: $user_id) { userNotes(limit: $limit) userProfile { name } } }"
    )
    assert schema.contexts["user"].live


def test_a_context_is_not_live_unless_declared() -> None:
    profile()
    schema = get_schema()
    assert "userContext" not in schema.sdl() and "UserContextLive" not in schema.operations


def test_conflicting_live_declarations_are_a_start_up_error() -> None:
    profile(live=True)

    @client(context="user", live=False)
    def user_notes(request: Any, user_id: int) -> list[str]:
        return []

    with pytest.raises(RegistrationError, match=r"conflicting live= declarations"):
        get_schema()


def test_live_needs_a_context_and_a_bool() -> None:
    with pytest.raises(RegistrationError, match=r"live=True without context="):

        @client(live=True)  # type: ignore[call-overload]
        def echo(request: Any) -> str:
            return ""

    with pytest.raises(RegistrationError, match=r"live='yes' must be True or False"):
        profile(live="yes")


def test_a_context_of_view_path_functions_only_gets_no_subscription() -> None:
    @client(context="page", live=True)
    def page(request: Any, page_id: int) -> HttpResponse:
        return HttpResponse("")

    profile()
    assert "pageContext" not in get_schema().sdl()


def test_the_live_names_are_claimed() -> None:
    from mizan.channels import ReactChannel

    profile(live=True)

    class UserContext(ReactChannel):
        class DjangoMessage(BaseModel):
            text: str

    with pytest.raises(RegistrationError, match=r"root field 'userContext'.*live context 'user'"):
        get_schema()


class UserContextBundle(BaseModel):
    x: int


def test_a_model_named_like_the_bundle_is_refused() -> None:
    profile(live=True)

    @client(context="other")
    def other(request: Any) -> UserContextBundle:
        return UserContextBundle(x=1)

    with pytest.raises(RegistrationError, match=r"GraphQL type 'UserContextBundle'"):
        get_schema()


def test_without_channels_the_field_is_absent_and_a_check_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("mizan.contexts.channels_installed", lambda: False)
    monkeypatch.setattr("mizan.channels.checks.channels_installed", lambda: False)
    profile(live=True)
    assert "userContext" not in get_schema().sdl()
    [warning] = check_live_contexts()
    assert warning.id == "mizan.W101"
    assert "'user' is declared live=True" in warning.msg and "userContext" in warning.msg
    assert "channels" in (warning.hint or "")


def test_a_live_context_needs_a_channel_layer(settings: Any) -> None:
    settings.CHANNEL_LAYERS = {}
    profile(live=True)
    [error] = check_channel_layer()
    assert error.id == "mizan.E101" and "live context 'user'" in error.msg
    assert check_live_contexts() == []
