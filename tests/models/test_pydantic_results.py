"""Pydantic results read from model instances: validated from their attributes, alone,
Optional, or in a list (a QuerySet), mixed with dicts, sync and async."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from pydantic import BaseModel

from mizan.client import client
from mizan.testing import MizanTestClient
from tests.app.models import Profile

pytestmark = pytest.mark.django_db


class ProfileOut(BaseModel):
    bio: str
    website: str


class Owner(BaseModel):
    username: str


class ProfileWithUser(BaseModel):
    bio: str
    user: Owner  # a foreign key, read from the instance's relation


def make_profiles() -> list[Profile]:
    users = [get_user_model().objects.create(username=name) for name in ("ada", "bob")]
    return [
        Profile.objects.create(user=user, bio=f"{user.username}'s bio", website="")
        for user in users
    ]


def register() -> None:
    @client(read_only=True)
    def my_profile(request) -> ProfileOut:
        return request.user.profile

    @client(read_only=True)
    def maybe_profile(request, username: str) -> ProfileOut | None:
        return Profile.objects.filter(user__username=username).first()

    @client(read_only=True)
    def profiles(request) -> list[ProfileOut]:
        return Profile.objects.order_by("user__username")

    @client(read_only=True)
    def mixed(request) -> list[ProfileOut]:
        return [Profile.objects.get(user__username="ada"), {"bio": "a dict", "website": "x"}]

    @client(read_only=True)
    def with_users(request) -> list[ProfileWithUser]:
        return Profile.objects.order_by("user__username")

    @client(read_only=True)
    async def async_profile(request, username: str) -> ProfileWithUser | None:
        # The instance's relation is read when mizan validates it: never on the event loop.
        return await Profile.objects.filter(user__username=username).afirst()


def test_a_single_instance_from_request_user() -> None:
    register()
    ada, _ = make_profiles()
    result = MizanTestClient(user=ada.user).call("my_profile")
    assert result.ok, result.errors
    assert result.data == ProfileOut(bio="ada's bio", website="")


def test_optional_instance_and_none() -> None:
    register()
    make_profiles()
    assert MizanTestClient().call("maybe_profile", username="bob").data == ProfileOut(
        bio="bob's bio", website=""
    )
    missing = MizanTestClient().call("maybe_profile", username="nobody")
    assert missing.ok and missing.data is None


def test_a_queryset_and_a_list_mixing_instances_and_dicts() -> None:
    register()
    make_profiles()
    assert [p.bio for p in MizanTestClient().call("profiles").data] == ["ada's bio", "bob's bio"]
    result = MizanTestClient().call("mixed")
    assert result.ok, result.errors
    assert [p.bio for p in result.data] == ["ada's bio", "a dict"]


def test_relations_are_read_as_nested_models(gql) -> None:
    register()
    make_profiles()
    response = gql("{ withUsers { bio user { username } } }").json()
    assert response == {
        "data": {
            "withUsers": [
                {"bio": "ada's bio", "user": {"username": "ada"}},
                {"bio": "bob's bio", "user": {"username": "bob"}},
            ]
        }
    }


def test_an_async_function_s_instance_is_validated_off_the_event_loop() -> None:
    register()
    make_profiles()
    result = async_to_sync(MizanTestClient().acall)("async_profile", username="ada")
    assert result.ok, result.errors
    assert result.data.user.username == "ada"


def test_an_instance_that_does_not_fit_is_a_server_error(gql, caplog) -> None:
    @client(read_only=True)
    def broken(request) -> Owner:
        return Profile.objects.first()  # no `username` attribute

    make_profiles()
    response = gql("{ broken { username } }").json()
    assert response["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert response["errors"][0]["message"] == "Internal server error."
    assert "username" in caplog.text
