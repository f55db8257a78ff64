from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from mizan.client import client
from mizan.testing import MizanTestClient
from tests.conftest import GraphQL

pytestmark = pytest.mark.django_db

ran: list[str] = []


async def is_ada(request: Any) -> bool:
    user = await request.auser()
    return user.username == "ada"


@pytest.fixture(autouse=True)
def functions() -> None:
    ran.clear()

    @client(read_only=True, auth=True)
    def me(request) -> str:
        ran.append("me")
        return request.user.username

    @client(read_only=True, auth="staff")
    def staff_only(request) -> str:
        ran.append("staff")
        return "staff"

    @client(read_only=True, auth="superuser")
    def root_only(request) -> str:
        ran.append("root")
        return "root"

    @client(read_only=True, auth=lambda request: request.headers.get("X-Key") == "open")
    def keyed(request) -> str:
        ran.append("keyed")
        return "keyed"

    @client(read_only=True, auth=is_ada)
    def ada_only(request) -> str:
        ran.append("ada")
        return "ada"


def login(client: Client, **flags: bool) -> User:
    user = User.objects.create_user("ada", password="pw", **flags)
    client.force_login(user)
    return user


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert body["data"] is None
    (first,) = body["errors"]
    return first


def test_anonymous_is_unauthenticated_and_function_never_runs(gql: GraphQL) -> None:
    first = error(gql("{ me }"))
    assert first["extensions"]["code"] == "UNAUTHENTICATED"
    assert first["path"] == ["me"]
    assert ran == []


def test_logged_in_user_passes(gql: GraphQL, client: Client) -> None:
    login(client)
    assert gql("{ me }").json() == {"data": {"me": "ada"}}


@pytest.mark.parametrize(("field", "flags"), [("staffOnly", {}), ("rootOnly", {"is_staff": True})])
def test_missing_level_is_forbidden(
    gql: GraphQL, client: Client, field: str, flags: dict[str, bool]
) -> None:
    login(client, **flags)
    assert error(gql(f"{{ {field} }}"))["extensions"]["code"] == "FORBIDDEN"
    assert ran == []


def test_levels_pass_for_staff_and_superuser(gql: GraphQL, client: Client) -> None:
    login(client, is_staff=True, is_superuser=True)
    assert gql("{ staffOnly rootOnly }").json() == {
        "data": {"staffOnly": "staff", "rootOnly": "root"}
    }


def test_callable_auth(gql: GraphQL) -> None:
    assert error(gql("{ keyed }"))["extensions"]["code"] == "FORBIDDEN"
    assert gql("{ keyed }", HTTP_X_KEY="open").json() == {"data": {"keyed": "keyed"}}


def test_async_callable_auth(gql: GraphQL, client: Client) -> None:
    assert error(gql("{ adaOnly }"))["extensions"]["code"] == "FORBIDDEN"
    login(client)
    assert gql("{ adaOnly }").json() == {"data": {"adaOnly": "ada"}}


def test_requirement_is_visible_in_the_sdl() -> None:
    from mizan.schema import get_schema

    sdl = get_schema().sdl()
    assert "me: String! @auth(requires: AUTHENTICATED)" in sdl
    assert "staffOnly: String! @auth(requires: STAFF)" in sdl
    assert "rootOnly: String! @auth(requires: SUPERUSER)" in sdl
    assert "keyed: String! @auth(requires: CUSTOM)" in sdl


async def test_auth_in_async_execution() -> None:
    result = await MizanTestClient().acall("me")
    assert result.codes == ["UNAUTHENTICATED"]
    assert ran == []
