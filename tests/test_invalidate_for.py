"""``invalidate_for(request, context)``: one owner's private entries, nobody else's."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth import login
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from pydantic import BaseModel

from mizan import client, invalidate_for
from mizan.exceptions import InvalidationError
from tests.conftest import GraphQL

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cache_backend")]

calls: Counter[str] = Counter()
READ = "{ currentUser { username } }"


class Me(BaseModel):
    username: str


@pytest.fixture(autouse=True)
def functions() -> None:
    calls.clear()

    @client(context="global")
    def current_user(request) -> Me | None:
        calls[request.user.username or "anonymous"] += 1
        user = request.user
        return Me(username=user.username) if user.is_authenticated else None

    @client(context="board", public=True)
    def board(request) -> str:
        return "public"

    @client
    def touch_mine(request) -> bool:
        invalidate_for(request, "global")
        return True

    @client
    def touch_board(request) -> bool:
        invalidate_for(request, "board")
        return True

    @client
    def log_in_as(request, username: str) -> bool:
        login(request, User.objects.get(username=username))
        invalidate_for(request, "global")  # outside a transaction: after the change
        return True

    @client
    def log_in_atomically(request, username: str) -> bool:
        with transaction.atomic():
            invalidate_for(request, "global")  # inside one: any time, read at commit
            login(request, User.objects.get(username=username))
        return True


def browser(username: str | None = None) -> GraphQL:
    session = Client()
    if username is not None:
        session.force_login(User.objects.get_or_create(username=username)[0])
    return GraphQL(session, "post")


def test_only_the_callers_entries_are_dropped() -> None:
    ada, bob = browser("ada"), browser("bob")
    for gql in (ada, bob, ada, bob):
        assert gql(READ).status_code == 200
    assert calls == {"ada": 1, "bob": 1}  # each cached, per user

    touched = ada("mutation { touchMine }")
    assert touched.json()["extensions"]["invalidate"] == [{"context": "global", "params": {}}]
    assert touched["X-Mizan-Invalidate"] == "global"

    assert ada(READ).json()["data"] == {"currentUser": {"username": "ada"}}
    assert bob(READ).json()["data"] == {"currentUser": {"username": "bob"}}
    assert calls == {"ada": 2, "bob": 1}  # bob's entry survived


@pytest.mark.parametrize("mutation", ["logInAs", "logInAtomically"])
def test_a_login_drops_the_entries_of_the_owner_it_makes(mutation: str) -> None:
    User.objects.create_user("ada")
    other_device = browser("ada")
    other_device(READ)  # ada's entry is cached, from another browser
    visitor = browser()
    assert visitor(f'mutation {{ {mutation}(username: "ada") }}').status_code == 200
    assert visitor(READ).json()["data"] == {"currentUser": {"username": "ada"}}
    assert calls["ada"] == 2  # recomputed for the new owner, not served from before


def test_a_public_context_has_no_owner() -> None:
    answer = browser("ada")("mutation { touchBoard }").json()
    assert answer["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


def test_invalidate_for_names_the_fix_for_a_public_context(rf) -> None:
    from mizan.schema import get_schema

    get_schema()
    with pytest.raises(InvalidationError, match=r"is public.*invalidate\('board'\)"):
        invalidate_for(rf.get("/"), "board")
    with pytest.raises(InvalidationError, match="no such context"):
        invalidate_for(rf.get("/"), "globl")
