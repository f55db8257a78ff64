"""Contexts: cached root fields, their policy, and invalidation — over POST and GET,
against LocMem and the real Redis."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from pydantic import BaseModel

from mizan import invalidate, invalidate_on
from mizan.client import client
from mizan.exceptions import InvalidationError
from mizan.schema import get_schema
from mizan.testing import MizanTestClient
from tests.conftest import GraphQL

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cache_backend")]

calls: Counter[str] = Counter()
NAMES: dict[int, str] = {}


class Profile(BaseModel):
    user_id: int
    name: str


class Post(BaseModel):
    title: str


class Me(BaseModel):
    username: str


@pytest.fixture(autouse=True)
def functions() -> None:
    calls.clear()
    NAMES.clear()
    NAMES.update({5: "five", 6: "six"})

    @client(context="global")
    def current_user(request) -> Me | None:
        calls["current_user"] += 1
        user = request.user
        return Me(username=user.username) if user.is_authenticated else None

    @client(context="user", public=True, ttl=300)
    def user_profile(request, user_id: int) -> Profile:
        calls[f"profile:{user_id}"] += 1
        return Profile(user_id=user_id, name=NAMES[user_id])

    @client(context="user")
    def user_posts(request, user_id: int, limit: int = 10) -> list[Post]:
        calls[f"posts:{user_id}:{limit}"] += 1
        return [Post(title=f"{NAMES[user_id]} {i}") for i in range(limit)]

    @client(affects="user")
    def rename(request, user_id: int, name: str) -> Profile:
        NAMES[user_id] = name
        return Profile(user_id=user_id, name=name)

    @client(affects="user")
    def break_user(request, user_id: int) -> bool:
        raise RuntimeError("the mutation failed")

    @client(affects="user")
    def sign_up_then_fail(request, username: str) -> bool:
        User.objects.create_user(username)
        raise RuntimeError("after the write")

    @client(affects=[user_profile])
    def rename_all(request, suffix: str) -> bool:
        for key in NAMES:
            NAMES[key] += suffix
        return True


PROFILE = "query($id: Int!) { userProfile(userId: $id) { name } }"
RENAME = 'mutation($id: Int!) { rename(userId: $id, name: "new") { name } }'


def profile(gql: GraphQL, user_id: int) -> str:
    return str(gql(PROFILE, {"id": user_id}).json()["data"]["userProfile"]["name"])


def test_a_second_read_does_not_call_the_function(gql: GraphQL) -> None:
    assert profile(gql, 5) == "five"
    assert profile(gql, 5) == "five"
    assert calls["profile:5"] == 1


def test_non_key_params_vary_the_entry(gql: GraphQL) -> None:
    query = "query($l: Int!) { userPosts(userId: 5, limit: $l) { title } }"
    assert len(gql(query, {"l": 1}).json()["data"]["userPosts"]) == 1
    assert len(gql(query, {"l": 2}).json()["data"]["userPosts"]) == 2
    gql(query, {"l": 1})
    assert calls["posts:5:1"] == 1 and calls["posts:5:2"] == 1


def test_key_params_are_the_params_every_function_declares() -> None:
    context = get_schema().contexts["user"]
    assert context.key_params == ("user_id",)
    assert context.public and context.ttl == 300
    assert get_schema().contexts["global"].public is False


def test_mutation_invalidates_exactly_its_scope(post: GraphQL) -> None:
    profile(post, 5), profile(post, 6)
    response = post(RENAME, {"id": 5})
    assert response.json()["extensions"] == {
        "invalidate": [{"context": "user", "params": {"user_id": 5}}]
    }
    assert response["X-Mizan-Invalidate"] == "user;user_id=5"
    assert "X-Mizan-Invalidate" in response["Access-Control-Expose-Headers"]
    assert response["Cache-Control"] == "no-store"
    assert profile(post, 5) == "new"
    assert profile(post, 6) == "six"
    assert calls["profile:5"] == 2 and calls["profile:6"] == 1


def test_affects_a_function_means_its_context_and_no_match_means_whole(post: GraphQL) -> None:
    profile(post, 5), profile(post, 6)
    response = post('mutation { renameAll(suffix: "!") }')
    assert response["X-Mizan-Invalidate"] == "user"
    assert profile(post, 5) == "five!" and profile(post, 6) == "six!"


def test_invalidate_by_key_params_and_whole(gql: GraphQL) -> None:
    profile(gql, 5), profile(gql, 6)
    invalidate("user", user_id="5")  # canonical: the same scope as the int 5
    profile(gql, 5), profile(gql, 6)
    assert (calls["profile:5"], calls["profile:6"]) == (2, 1)
    invalidate("user")
    profile(gql, 5), profile(gql, 6)
    assert (calls["profile:5"], calls["profile:6"]) == (3, 2)


def test_invalidate_names_unknown_contexts_and_params() -> None:
    with pytest.raises(InvalidationError, match="Did you mean 'user'"):
        invalidate("usr")
    with pytest.raises(InvalidationError, match=r"limit=.*key params: user_id"):
        invalidate("user", limit=3)


def test_rollback_keeps_the_cache(gql: GraphQL) -> None:
    profile(gql, 5)
    with pytest.raises(RuntimeError), transaction.atomic():
        invalidate("user", user_id=5)
        raise RuntimeError("rolled back")
    profile(gql, 5)
    assert calls["profile:5"] == 1
    with transaction.atomic():
        invalidate("user", user_id=5)
        profile(gql, 5)  # not yet committed: still the cached entry
        assert calls["profile:5"] == 1
    profile(gql, 5)
    assert calls["profile:5"] == 2


def test_a_mutation_that_fails_invalidates_nothing(post: GraphQL) -> None:
    profile(post, 5)
    response = post("mutation { breakUser(userId: 5) }")
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "X-Mizan-Invalidate" not in response
    assert "extensions" not in response.json()
    profile(post, 5)
    assert calls["profile:5"] == 1


def test_spoofed_header_changes_nothing(gql: GraphQL) -> None:
    profile(gql, 5)
    response = gql(PROFILE, {"id": 5}, HTTP_X_MIZAN_INVALIDATE="user;user_id=5, user")
    assert "X-Mizan-Invalidate" not in response
    assert calls["profile:5"] == 1


def test_ttl_expiry() -> None:
    @client(context="clock", ttl=1)
    def tick(request) -> int:
        calls["tick"] += 1
        return calls["tick"]

    caller = MizanTestClient(user=User.objects.create_user("ada"))
    assert caller.call("tick").data == 1
    assert caller.call("tick").data == 1
    time.sleep(1.1)
    assert caller.call("tick").data == 2


def test_model_signal_invalidation(gql: GraphQL) -> None:
    user = User.objects.create_user("ada")
    NAMES[user.pk] = "ada"
    disconnect = invalidate_on(User, "user", user_id="pk")
    try:
        profile(gql, user.pk)
        user.first_name = "Ada"
        user.save()
        profile(gql, user.pk)
        assert calls[f"profile:{user.pk}"] == 2
        other = 5 if user.pk != 5 else 6
        profile(gql, other)
        user.delete()
        profile(gql, other)
        assert calls[f"profile:{other}"] == 1  # another user's entry is untouched
    finally:
        disconnect()


def test_invalidate_on_reads_callables_and_paths() -> None:
    user = User.objects.create_user("ada")
    NAMES[user.pk] = "ada"
    caller = MizanTestClient()
    disconnect = invalidate_on(User, "user", user_id=lambda u: u.pk)
    try:
        caller.call("user_profile", user_id=user.pk)
        user.save()
        caller.call("user_profile", user_id=user.pk)
    finally:
        disconnect()
    user.save()  # disconnected: no longer invalidates
    caller.call("user_profile", user_id=user.pk)
    assert calls[f"profile:{user.pk}"] == 2


async def test_async_context_functions_are_cached_too() -> None:
    @client(context="weather", public=True)
    async def forecast(request, city: str) -> str:
        calls[city] += 1
        return f"sunny in {city}"

    caller = MizanTestClient()
    assert (await caller.acall("forecast", city="Oslo")).data == "sunny in Oslo"
    assert (await caller.acall("forecast", city="Oslo")).data == "sunny in Oslo"
    assert calls["Oslo"] == 1


def test_auth_is_checked_before_the_cache() -> None:
    @client(context="inbox", auth=True)
    def inbox(request) -> list[str]:
        calls["inbox"] += 1
        return ["hello"]

    user = User.objects.create_user("ada")
    assert MizanTestClient(user=user).call("inbox").data == ["hello"]
    assert MizanTestClient().call("inbox").codes == ["UNAUTHENTICATED"]
    assert calls["inbox"] == 1


def test_http_caching_headers_on_graphql_endpoint(client: Client) -> None:
    url = "/api/mizan/graphql/"
    response = client.get(url, {"query": "{ userProfile(userId: 5) { name } }"})
    assert response["Cache-Control"] == "private, no-cache"  # graphql/ is never shared
    assert "Cookie" in response["Vary"] and "Authorization" in response["Vary"]
    etag = response["ETag"]
    again = client.get(
        url, {"query": "{ userProfile(userId: 5) { name } }"}, HTTP_IF_NONE_MATCH=etag
    )
    assert again.status_code == 304
    assert again["ETag"] == etag
    failed = client.get(url, {"query": "{ userProfile(userId: 99) { name } }"})
    assert failed.json()["errors"]
    assert failed["Cache-Control"] == "no-store"
    assert "ETag" not in failed


def test_atomic_requests_still_reports_and_rolls_back_failed_mutations(
    post: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    profile(post, 5)
    response = post(RENAME, {"id": 5})
    assert response["X-Mizan-Invalidate"] == "user;user_id=5"  # committed before the response
    assert profile(post, 5) == "new"

    # A mutation that writes and then fails leaves nothing behind and invalidates nothing.
    response = post('mutation { signUpThenFail(username: "ghost") }')
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert not User.objects.filter(username="ghost").exists()
    assert "X-Mizan-Invalidate" not in response
