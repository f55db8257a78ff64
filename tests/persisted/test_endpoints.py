"""ctx/ and q/: canonical URLs, cache headers, surrogate keys and fast hits."""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from mizan import invalidate
from mizan.client import client
from mizan.client import client as client_fn
from mizan.edge.keys import surrogate_keys
from mizan.schema import get_schema

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cache_backend")]

calls: Counter[str] = Counter()
NAMES = {5: "five", 6: "six"}


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Filter(BaseModel):
    min_age: int = 0
    names: list[str] = []


class Profile(BaseModel):
    name: str


@pytest.fixture(autouse=True)
def functions() -> None:
    calls.clear()

    @client(context="user", public=True, ttl=120)
    def user_profile(request, user_id: int) -> Profile:
        calls[f"profile:{user_id}"] += 1
        return Profile(name=NAMES[user_id])

    @client(context="user")
    def user_posts(request, user_id: int, limit: int = 10) -> list[str]:
        calls[f"posts:{user_id}"] += 1
        return [f"post {i}" for i in range(limit)]

    @client(context="global")
    def current_user(request) -> str:
        return request.user.username or "anonymous"

    @client(read_only=True)
    def search(
        request,
        term: str,
        flag: bool = False,
        color: Color = Color.RED,
        day: datetime.date | None = None,
        at: datetime.datetime | None = None,
        amount: decimal.Decimal | None = None,
        ident: uuid.UUID | None = None,
        ratio: float | None = None,
        tags: list[str] | None = None,
        where: Filter | None = None,
    ) -> str:
        calls["search"] += 1
        return f"{term}|{flag}|{color.name}|{day}|{at}|{amount}|{ident}|{ratio}|{tags}|{where}"


def get(client: Client, url: str, **headers: Any) -> Any:
    return client.get(url, **headers)


def test_a_public_context_bundle(client: Client) -> None:
    response = get(client, "/api/mizan/ctx/user/?user_id=5")
    assert response.status_code == 200
    assert response.json() == {
        "data": {"userPosts": [f"post {i}" for i in range(10)], "userProfile": {"name": "five"}}
    }
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=120"
    assert response["ETag"]
    assert response["xkey"] == "user user;user_id=5"
    assert response["Surrogate-Key"] == "user user;user_id=5"
    assert response["Cache-Tag"] == "user, user;user_id=5"


def test_one_operation(client: Client) -> None:
    response = get(client, "/api/mizan/q/UserProfile/?user_id=6")
    assert response.json() == {"data": {"userProfile": {"name": "six"}}}
    assert response["xkey"] == "user user;user_id=6"


def test_a_private_context_is_never_shared(client: Client) -> None:
    response = get(client, "/api/mizan/ctx/global/")
    assert response.json() == {"data": {"currentUser": "anonymous"}}
    assert response["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response["Vary"]
    assert "xkey" not in response


def test_a_query_outside_any_context_is_private(client: Client) -> None:
    response = get(client, "/api/mizan/q/Search/?term=x")
    assert response["Cache-Control"] == "private, no-cache"
    assert "Surrogate-Key" not in response


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("user_id=05", "user_id=5"),
        ("user_id=%2B5", "user_id=5"),
        ("limit=10&user_id=5", "user_id=5"),  # the default is omitted
        ("user_id=5&limit=3", "limit=3&user_id=5"),  # sorted
    ],
)
def test_non_canonical_context_urls_redirect(client: Client, spelling: str, canonical: str) -> None:
    response = get(client, f"/api/mizan/ctx/user/?{spelling}")
    assert response.status_code == 308
    assert response["Location"] == f"/api/mizan/ctx/user/?{canonical}"
    assert calls["profile:5"] == 0  # nothing ran, nothing was cached


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("term=a+b", "term=a%20b"),
        ("term=x&flag=1", "flag=true&term=x"),
        ("term=x&flag=false", "term=x"),
        ("term=x&color=blue", "color=BLUE&term=x"),
        ("term=x&color=RED", "term=x"),
        (
            "term=x&ident=A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "ident=a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11&term=x",
        ),
        ("term=x&amount=1.50", "amount=1.5&term=x"),
        ("term=x&amount=100", "amount=100&term=x"),
        ("term=x&at=2024-01-02T03:04:05Z", "at=2024-01-02T03%3A04%3A05%2B00%3A00&term=x"),
        ("term=x&ratio=0.50", "ratio=0.5&term=x"),
        ("term=x&tags=%5B%22b%22%2C%20%22a%22%5D", "tags=%5B%22b%22%2C%22a%22%5D&term=x"),
        ("term=x&tags=%22solo%22", "tags=%5B%22solo%22%5D&term=x"),
        (
            "term=x&where=%7B%22names%22%3A%5B%5D%2C%22minAge%22%3A3%7D",
            "term=x&where=%7B%22minAge%22%3A3%7D",
        ),
    ],
)
def test_each_value_type_has_one_text_form(client: Client, spelling: str, canonical: str) -> None:
    response = get(client, f"/api/mizan/q/Search/?{spelling}")
    assert response.status_code == 308, response.content
    assert response["Location"] == f"/api/mizan/q/Search/?{canonical}"
    followed = get(client, response["Location"])
    assert followed.status_code == 200, followed.content
    assert "errors" not in followed.json()


def test_canonical_values_reach_the_function(client: Client) -> None:
    url = (
        "/api/mizan/q/Search/?amount=1.5&color=BLUE&day=2024-01-02&flag=true"
        "&tags=%5B%22a%22%5D&term=x&where=%7B%22minAge%22%3A3%7D"
    )
    body = get(client, url).json()
    assert body["data"]["search"] == (
        "x|True|BLUE|2024-01-02|None|1.5|None|None|['a']|min_age=3 names=[]"
    )


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("user_id=5&colour=red", "colour", "Unknown parameter 'colour'"),
        ("user_id=5&user_id=6", "user_id", "given twice"),
        ("", "user_id", "'user_id' is required"),
        ("user_id=five", "user_id", "'five' is not a valid Int!"),
    ],
)
def test_bad_parameters_are_400s_naming_them(
    client: Client, query: str, parameter: str, message: str
) -> None:
    response = get(client, f"/api/mizan/ctx/user/?{query}")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert message in error["message"]
    assert error["extensions"] == {"code": "BAD_REQUEST", "parameter": parameter}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("url", "parameter", "message"),
    [
        ("ctx/user/?user_id=99999999999", "user_id", "outside Int's 32 bits"),
        ("ctx/user/?user_id=-2147483649", "user_id", "outside Int's 32 bits"),
        ("q/Search/?amount=1e10000000&term=x", "amount", "at most 50 digits"),
        ("q/Search/?amount=1e100000&term=x", "amount", "at most 50 digits"),
        ("q/Search/?amount=1e-51&term=x", "amount", "at most 50 digits"),
        ("q/Search/?amount=NaN&term=x", "amount", "not a finite decimal"),
    ],
)
def test_values_past_their_bounds_are_400s_naming_them(
    client: Client, url: str, parameter: str, message: str
) -> None:
    response = get(client, f"/api/mizan/{url}")
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert message in error["message"] and repr(parameter) in error["message"]
    assert error["extensions"] == {"code": "BAD_REQUEST", "parameter": parameter}
    assert len(response.content) < 500  # the value is not echoed whole
    assert calls["search"] == 0


def test_the_largest_values_within_bounds_are_served(client: Client) -> None:
    assert get(client, "/api/mizan/q/Search/?amount=1e49&term=x").status_code == 308
    ok = get(client, "/api/mizan/q/Search/?amount=" + "9" * 50 + "&term=x")
    assert ok.status_code == 200 and "9" * 50 in ok.json()["data"]["search"]


def test_too_long_is_414(client: Client) -> None:
    response = get(client, "/api/mizan/q/Search/?term=" + "x" * 3000)
    assert response.status_code == 414


def test_only_get(client: Client) -> None:
    response = client.post("/api/mizan/ctx/user/?user_id=5")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_unknown_operation_and_context_are_404(client: Client) -> None:
    assert get(client, "/api/mizan/q/Nope/").status_code == 404
    assert get(client, "/api/mizan/ctx/nope/").status_code == 404


def test_accept_anything_gets_json(client: Client) -> None:
    response = get(client, "/api/mizan/ctx/user/?user_id=5", HTTP_ACCEPT="*/*")
    assert response["Content-Type"] == "application/json"


def test_an_error_is_never_cacheable_nor_stored(client: Client) -> None:
    for _ in range(2):
        response = get(client, "/api/mizan/q/UserProfile/?user_id=99")
        assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert response["Cache-Control"] == "no-store"
        assert "xkey" not in response and "ETag" not in response
    assert calls["profile:99"] == 2


def test_a_hit_is_served_without_executing(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from mizan.runtime import Runtime

    executed = Counter[str]()
    real = Runtime.execute_persisted

    def counting(*args: Any, **kwargs: Any) -> Any:
        executed["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(Runtime, "execute_persisted", counting)
    first = get(client, "/api/mizan/q/UserProfile/?user_id=5")
    second = get(client, "/api/mizan/q/UserProfile/?user_id=5")
    assert second.content == first.content
    assert second["ETag"] == first["ETag"] and second["xkey"] == first["xkey"]
    assert executed["n"] == 1 and calls["profile:5"] == 1
    assert (
        get(
            client, "/api/mizan/q/UserProfile/?user_id=5", HTTP_IF_NONE_MATCH=first["ETag"]
        ).status_code
        == 304
    )


def test_invalidation_reaches_stored_responses_exactly(client: Client) -> None:
    get(client, "/api/mizan/ctx/user/?user_id=5")
    get(client, "/api/mizan/ctx/user/?user_id=6")
    NAMES[5] = "FIVE"
    try:
        invalidate("user", user_id=5)
        assert get(client, "/api/mizan/ctx/user/?user_id=5").json()["data"]["userProfile"] == {
            "name": "FIVE"
        }
        get(client, "/api/mizan/ctx/user/?user_id=6")
        assert (calls["profile:5"], calls["profile:6"]) == (2, 1)
    finally:
        NAMES[5] = "five"


def test_debug_header_is_opt_in(client: Client, settings: Any) -> None:
    assert "X-Mizan-Cache" not in get(client, "/api/mizan/ctx/user/?user_id=5")
    settings.MIZAN = {"DEBUG_HEADERS": True}
    hit = get(client, "/api/mizan/ctx/user/?user_id=5")
    assert hit["X-Mizan-Cache"] == 'hit; scope=public; keys="user user;user_id=5"'


def test_surrogate_header_spellings_are_a_setting(client: Client, settings: Any) -> None:
    settings.MIZAN = {"SURROGATE_KEY_HEADERS": ["Surrogate-Key"]}
    response = get(client, "/api/mizan/ctx/user/?user_id=5")
    assert response["Surrogate-Key"] == "user user;user_id=5"
    assert "xkey" not in response and "Cache-Tag" not in response


def test_surrogate_keys_escape_values_and_keep_the_coarsest_on_overflow() -> None:
    assert surrogate_keys([("tag", (("name", "a b;c"),))]) == ["tag", "tag;name=a%20b%3Bc"]
    reads = [("user", (("user_id", i),)) for i in range(2000)]
    assert surrogate_keys(reads, max_bytes=100) == ["user"]


def test_persisted_operations_are_named_and_hashed() -> None:
    operations = get_schema().operations
    assert sorted(operations) == [
        "CurrentUser",
        "GlobalContext",
        "Search",
        "UserContext",
        "UserPosts",
        "UserProfile",
    ]
    profile = operations["UserProfile"]
    assert profile.text.startswith(
        "query UserProfile($user_id: Int!) { userProfile(userId: $user_id)"
    )
    assert len(profile.id) == 64
    assert profile.public and profile.ttl == 120
    assert [(r.context, r.variables, r.complete) for r in profile.reads] == [
        ("user", (("user_id", "user_id"),), True)
    ]


def test_a_response_whose_scope_was_invalidated_while_computed_is_never_shared(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write commits (and its purge runs) while the response is computed from the data
    before it: the response goes to its client as private, and is kept nowhere."""
    from mizan.runtime import Runtime

    real = Runtime.execute_persisted
    racing = {"on": True}

    def invalidated_meanwhile(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)  # computed from the data before the write...
        if racing["on"]:
            invalidate("user", user_id=5)  # ...which commits now
        return result

    monkeypatch.setattr(Runtime, "execute_persisted", invalidated_meanwhile)
    for url in ("/api/mizan/ctx/user/?user_id=5", "/api/mizan/q/UserProfile/?user_id=5"):
        raced = get(client, url)
        assert raced.status_code == 200 and raced["Cache-Control"] == "private, no-cache"
        assert not raced.has_header("xkey") and "Cookie" in raced["Vary"]
    calls.clear()
    racing["on"] = False
    first = get(client, "/api/mizan/q/UserProfile/?user_id=5")  # not served from a store
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=120"
    assert calls["profile:5"] == 1
    get(client, "/api/mizan/q/UserProfile/?user_id=5")
    assert calls["profile:5"] == 1  # stored this time
    racing["on"] = True  # another scope's invalidation leaves this one shareable
    monkeypatch.setattr(
        Runtime,
        "execute_persisted",
        lambda *a, **k: (invalidate("user", user_id=6), real(*a, **k))[1],
    )
    other = get(client, "/api/mizan/q/UserProfile/?user_id=6")
    assert other["Cache-Control"] == "private, no-cache"  # its own scope moved
    calm = get(client, "/api/mizan/ctx/user/?user_id=5")
    assert calm["Cache-Control"] == "public, max-age=0, s-maxage=120"


def test_a_key_param_left_at_its_default_binds_the_scope(client: Client) -> None:
    """``ctx/team/`` (``team_id`` at its default, 1) reads ``team;team_id=1``: an
    invalidation of that scope refreshes it, at the origin and by its surrogate key."""
    names = {1: "one", 2: "two"}

    @client_fn(context="team", public=True, ttl=60)
    def team_name(request, team_id: int = 1) -> str:
        calls[f"team:{team_id}"] += 1
        return names[team_id]

    first = get(client, "/api/mizan/ctx/team/")
    assert first.json() == {"data": {"teamName": "one"}}
    assert first["xkey"] == "team team;team_id=1"
    names[1] = "ONE"
    assert get(client, "/api/mizan/ctx/team/").json()["data"]["teamName"] == "one"  # stored
    invalidate("team", team_id=2)
    assert get(client, "/api/mizan/ctx/team/").json()["data"]["teamName"] == "one"
    invalidate("team", team_id=1)
    assert get(client, "/api/mizan/ctx/team/").json()["data"]["teamName"] == "ONE"
    assert calls["team:1"] == 2
