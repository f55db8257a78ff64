"""A context's policy is declared once and checked at start-up."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from pydantic import BaseModel

from mizan.client import client
from mizan.exceptions import RegistrationError
from mizan.schema import get_schema


class Profile(BaseModel):
    name: str


def test_public_with_auth_is_refused_at_start_up() -> None:
    @client(context="user", public=True)
    def profile(request, user_id: int) -> Profile:
        return Profile(name="x")

    @client(context="user", auth=True)
    def secrets(request, user_id: int) -> Profile:
        return Profile(name="x")

    with pytest.raises(RegistrationError, match=r"'user' is public but .*secrets.* auth=True"):
        get_schema()


@pytest.mark.parametrize("option", ["public", "ttl"])
def test_conflicting_declarations_name_both_functions(option: str) -> None:
    first, second = {"public": (True, False), "ttl": (60, 120)}[option]

    @client(context="user", **{option: first})  # type: ignore[arg-type]
    def one(request, user_id: int) -> Profile:
        return Profile(name="x")

    @client(context="user", **{option: second})  # type: ignore[arg-type]
    def two(request, user_id: int) -> Profile:
        return Profile(name="x")

    with pytest.raises(RegistrationError, match=rf"conflicting {option}=.*one.*two"):
        get_schema()


def test_affects_an_unknown_context_suggests_one() -> None:
    @client(context="user")
    def profile(request, user_id: int) -> Profile:
        return Profile(name="x")

    @client(affects="users")
    def rename(request, user_id: int) -> bool:
        return True

    with pytest.raises(RegistrationError, match="Did you mean 'user'"):
        get_schema()


def test_affects_a_function_outside_any_context() -> None:
    @client(read_only=True)
    def plain(request) -> bool:
        return True

    @client(affects=plain)
    def act(request) -> bool:
        return True

    with pytest.raises(RegistrationError, match="not a function in a context"):
        get_schema()


def test_local_context_is_deprecated_and_named_after_the_function() -> None:
    with pytest.warns(DeprecationWarning, match="context='local' is deprecated") as caught:

        @client(context="local")
        def greet(request, name: str) -> str:
            return name

    assert caught[0].filename == __file__
    assert list(get_schema().contexts) == ["greet"]
    assert get_schema().functions["greet"].kind.value == "query"


def test_context_names_are_checked() -> None:
    with pytest.raises(RegistrationError, match="not a valid context name"):

        @client(context="User Profile")
        def profile(request) -> bool:
            return True


def test_key_params_must_be_lowercase() -> None:
    @client(context="user")
    def profile(request, userId: int) -> bool:
        return True

    with pytest.raises(RegistrationError, match="key param 'userId' must be lowercase"):
        get_schema()


def test_view_path_functions_join_the_context_but_not_the_schema() -> None:
    @client(context="user")
    def profile_page(request, user_id: int) -> HttpResponse:
        return HttpResponse("page")

    @client(context="user", public=True)
    def profile(request, user_id: int) -> Profile:
        return Profile(name="x")

    compiled = get_schema()
    assert [f.name for f in compiled.contexts["user"].functions] == ["profile", "profile_page"]
    assert compiled.contexts["user"].key_params == ("user_id",)
    assert "profilePage" not in compiled.sdl()
