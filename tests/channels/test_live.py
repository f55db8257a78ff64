"""Live contexts over a real WebSocket (the real ``wrap_asgi`` app, graphql-transport-ws):
the bundle at once, then a push after every committed invalidation of its scope."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from pydantic import BaseModel

from mizan import invalidate, invalidate_on
from mizan.cache import invalidate as drop
from mizan.client import client
from mizan.invalidation import Invalidation
from mizan.persisted.operations import sha256
from mizan.runtime import get_runtime
from mizan.runtime.live import hub
from mizan.schema import get_schema
from tests.channels.conftest import Socket, eventually

LIVE = (
    "subscription($userId: Int!) { userContext(userId: $userId) "
    "{ userProfile { name } userNotes { text } } }"
)

names: dict[int, str] = {}
calls: Counter[str] = Counter()


class Profile(BaseModel):
    name: str


class Note(BaseModel):
    text: str


class Inbox(BaseModel):
    owner: str
    unread: int


unread: dict[str, int] = {}


def live_user(**options: Any) -> None:
    """Context ``user``: live, public unless told otherwise; key param ``user_id``."""

    @client(context="user", live=True, public=options.pop("public", True), **options)
    def user_profile(request: Any, user_id: int) -> Profile:
        calls[f"profile:{user_id}"] += 1
        return Profile(name=names.get(user_id, "nobody"))

    @client(context="user")
    def user_notes(request: Any, user_id: int, limit: int = 2) -> list[Note]:
        calls[f"notes:{user_id}"] += 1
        return [Note(text=f"note {i} of {user_id}") for i in range(limit)]


def live_inbox(auth: Any = True) -> None:
    """Context ``inbox``: live, private, no key params; each user sees their own."""

    @client(context="inbox", live=True, auth=auth)
    def inbox(request: Any) -> Inbox:
        who = request.user.username
        calls[f"inbox:{who}"] += 1
        return Inbox(owner=who, unread=unread.get(who, 0))


def forget_cached() -> None:
    """Make every cached entry of the tests' contexts unreachable (each test compiles the
    same schema, so one cache version): their generation tokens swapped, as an
    invalidation does, never a flush of a cache other runs may share."""
    for context in ("user", "inbox"):
        drop(Invalidation(context))


@pytest.fixture(autouse=True)
def _state() -> None:
    forget_cached()
    names.clear()
    calls.clear()
    unread.clear()


def profile_of(message: dict[str, Any]) -> Any:
    assert message["type"] == "next", message
    return message["payload"]["data"]["userContext"]["userProfile"]["name"]


async def invalidate_now(context: str, **params: Any) -> None:
    await sync_to_async(invalidate)(context, **params)


async def test_the_bundle_at_once_then_a_push_after_an_invalidation_of_its_scope(
    app: Any,
) -> None:
    live_user()
    names[5] = "Ada"
    socket = await Socket(app).open()
    await socket.subscribe("1", LIVE, {"userId": 5})
    assert await socket.receive() == {
        "id": "1",
        "type": "next",
        "payload": {
            "data": {
                "userContext": {
                    "userProfile": {"name": "Ada"},
                    "userNotes": [{"text": "note 0 of 5"}, {"text": "note 1 of 5"}],
                }
            }
        },
    }
    names[5] = "Ada Lovelace"
    await invalidate_now("user", user_id=5)
    assert profile_of(await socket.receive()) == "Ada Lovelace"

    names[6] = "Grace"
    await invalidate_now("user", user_id=6)  # another scope: nothing
    assert await socket.nothing(0.3)

    names[5] = "Countess"
    await invalidate_now("user")  # the whole context: every scope
    assert profile_of(await socket.receive()) == "Countess"
    await socket.close()


async def test_a_burst_is_one_recomputation_shared_by_every_subscriber(app: Any) -> None:
    live_user()
    names[5] = "v0"
    sockets = [await Socket(app).open() for _ in range(3)]
    for socket in sockets:
        await socket.subscribe("1", LIVE, {"userId": 5})
        assert profile_of(await socket.receive()) == "v0"
    before = calls["profile:5"]

    for version in range(1, 11):  # ten commits well within the 50 ms window
        names[5] = f"v{version}"
        await invalidate_now("user", user_id=5)
    for socket in sockets:
        assert profile_of(await socket.receive()) == "v10"
        assert await socket.nothing(0.2)
    assert calls["profile:5"] - before == 1  # one call, through the context cache
    assert hub(get_runtime()).recomputed == 1  # one execution for the three subscribers
    for socket in sockets:
        await socket.close()


async def test_invalidate_on_and_affects_push_after_commit_never_on_rollback(app: Any) -> None:
    live_user()

    @client(affects="user")
    def rename(request: Any, user_id: int, name: str) -> bool:
        names[user_id] = name
        return True

    disconnect = invalidate_on(User, "user", user_id="pk")
    try:
        user = await sync_to_async(User.objects.create_user)("ada", password="x")
        socket = await Socket(app).open()
        await socket.subscribe("1", LIVE, {"userId": user.pk})
        assert profile_of(await socket.receive()) == "nobody"

        # A model write: invalidate_on.
        names[user.pk] = "saved"
        await sync_to_async(user.save)()
        assert profile_of(await socket.receive()) == "saved"

        # A rolled-back write invalidates nothing, so pushes nothing.
        def rolled_back() -> None:
            with transaction.atomic():
                user.save()
                transaction.set_rollback(True)

        await sync_to_async(rolled_back)()
        assert await socket.nothing(0.3)

        # A mutation's affects=, over the same socket.
        await socket.subscribe("2", f'mutation {{ rename(userId: {user.pk}, name: "renamed") }}')
        seen = {}
        for _ in range(3):  # the mutation's answer and complete, and the push, in any order
            message = await socket.receive()
            seen.setdefault(message["id"], []).append(message)
        assert profile_of(seen["1"][0]) == "renamed"
        await socket.close()
    finally:
        disconnect()


async def test_private_contexts_are_computed_per_owner_and_never_cross(
    app: Any, login: Any
) -> None:
    live_inbox()
    ada, grace = await login("ada"), await login("grace")
    sockets = {"ada": await Socket(app, headers=ada).open()}
    sockets["grace"] = await Socket(app, headers=grace).open()
    query = "subscription { inboxContext { inbox { owner unread } } }"
    for who, socket in sockets.items():
        await socket.subscribe("1", query)
        assert (await socket.receive())["payload"]["data"]["inboxContext"]["inbox"] == {
            "owner": who,
            "unread": 0,
        }
    unread["ada"], unread["grace"] = 3, 7
    await invalidate_now("inbox")  # the whole context: each owner's own value
    for who, socket in sockets.items():
        assert (await socket.receive())["payload"]["data"]["inboxContext"]["inbox"] == {
            "owner": who,
            "unread": unread[who],
        }
        assert await socket.nothing(0.2)
    for socket in sockets.values():
        await socket.close()


async def ended(socket: Socket) -> None:
    message = await socket.receive()
    assert message["type"] == "next" and message["payload"]["data"] is None, message
    [error] = message["payload"]["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "has ended" in error["message"]
    assert await socket.receive() == {"id": "1", "type": "complete"}


@pytest.mark.parametrize("revoke", ["deactivate", "flush", "staff"])
async def test_auth_revoked_mid_subscription_ends_it_with_forbidden(
    app: Any, login: Any, revoke: str
) -> None:
    live_inbox(auth="staff")
    cookie = await login("ada", is_staff=True)
    other = await login("grace", is_staff=True)
    socket = await Socket(app, headers=cookie).open()
    bystander = await Socket(app, headers=other).open()
    query = "subscription { inboxContext { inbox { owner } } }"
    for each in (socket, bystander):
        await each.subscribe("1", query)
        assert (await each.receive())["type"] == "next"

    ada = await sync_to_async(User.objects.get)(username="ada")
    if revoke == "deactivate":
        ada.is_active = False
        await sync_to_async(ada.save)()
    elif revoke == "flush":  # logged out elsewhere: the session is gone
        await sync_to_async(Session.objects.filter(session_key=cookie_session(cookie)).delete)()
    else:
        ada.is_staff = False
        await sync_to_async(ada.save)()
    await invalidate_now("inbox")
    await ended(socket)
    # The other subscriber still gets the push.
    assert (await bystander.receive())["payload"]["data"]["inboxContext"]["inbox"] == {
        "owner": "grace"
    }
    await socket.close()
    await bystander.close()


def cookie_session(headers: list[tuple[bytes, bytes]]) -> str:
    return headers[0][1].decode().split("=", 1)[1]


async def test_subscribing_checks_auth_and_arguments_as_a_read_does(app: Any) -> None:
    live_inbox()
    socket = await Socket(app).open()
    await socket.subscribe("1", "subscription { inboxContext { inbox { owner } } }")
    error = await socket.receive()
    assert error["type"] == "error"
    assert error["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    live_user_registry_error = 'subscription { userContext(userId: "x") { userProfile { name } } }'
    await socket.subscribe("2", live_user_registry_error)
    error = await socket.receive()
    assert error["type"] == "error"
    assert error["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    await socket.close()


async def test_trusted_documents_only_runs_the_persisted_live_operation(
    app: Any, settings: Any
) -> None:
    live_user()
    settings.MIZAN = {"TRUSTED_DOCUMENTS_ONLY": True}
    names[5] = "Ada"
    operation = get_schema().operations["UserContextLive"]
    socket = await Socket(app).open()
    await socket.subscribe("1", LIVE, {"userId": 5})
    error = await socket.receive()
    assert error["type"] == "error"
    assert error["payload"][0]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"

    await socket.send(
        {
            "id": "2",
            "type": "subscribe",
            "payload": {
                "variables": {"user_id": 5},
                "extensions": {
                    "persistedQuery": {"version": 1, "sha256Hash": sha256(operation.text)}
                },
            },
        }
    )
    first = await socket.receive()
    assert first["payload"]["data"]["userContext"]["userProfile"] == {"name": "Ada"}
    names[5] = "Lovelace"
    await invalidate_now("user", user_id=5)
    assert profile_of(await socket.receive()) == "Lovelace"
    await socket.close()


async def test_limits_apply_to_a_live_subscription(app: Any, settings: Any) -> None:
    live_user()
    settings.MIZAN = {"MAX_ALIASES": 1}
    socket = await Socket(app).open()
    await socket.subscribe(
        "1",
        "subscription { userContext(userId: 5) { a: userProfile { name } b: userProfile { name } } }",
    )
    error = await socket.receive()
    assert error["type"] == "error"
    assert "alias" in error["payload"][0]["message"].lower()
    await socket.close()


async def test_a_slow_subscriber_gets_the_latest_value_not_a_backlog(app: Any) -> None:
    live_user()
    socket = await Socket(app).open()
    await socket.subscribe("1", LIVE, {"userId": 5})
    await socket.receive()
    live = hub(get_runtime())
    [group] = live.groups.values()
    [subscriber] = group.subscribers
    # Three pushes land before the subscriber reads: it reads the last only.
    original = subscriber.ready
    subscriber.ready = asyncio.Event()  # nobody is woken until the three are offered
    for version in ("a", "b", "c"):
        names[5] = version
        await sync_to_async(forget_cached)()
        await live.push([group])
    subscriber.ready = original
    subscriber.ready.set()
    assert profile_of(await socket.receive()) == "c"
    assert await socket.nothing(0.2)
    await socket.close()


async def test_leaving_forgets_the_groups_and_the_feed(app: Any, layer: Any) -> None:
    live_user()
    socket = await Socket(app).open()
    await socket.subscribe("1", LIVE, {"userId": 5})
    await socket.subscribe("2", LIVE, {"userId": 6})
    await socket.receive()
    await socket.receive()
    live = hub(get_runtime())
    assert len(live.groups) == 2 and list(live.feeds) == ["user"]
    assert len(layer.groups.get("mizan.live.user", {})) == 1  # one membership per process
    await socket.complete("1")
    await eventually(lambda: len(live.groups) == 1)
    await socket.complete("2")
    await eventually(lambda: not live.groups and not live.feeds)
    await eventually(lambda: not layer.groups.get("mizan.live.user"))
    await socket.close()


async def test_over_http_a_live_subscription_says_to_open_a_websocket(client: Any) -> None:
    live_user()
    response = await sync_to_async(client.post)(
        "/api/mizan/graphql/",
        {"query": LIVE, "variables": {"userId": 5}},
        content_type="application/json",
    )
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "open a WebSocket" in body["errors"][0]["message"]


async def test_invalidate_for_pushes_to_that_owner_only(app: Any, login: Any) -> None:
    from django.http import HttpRequest

    from mizan import invalidate_for

    live_inbox()
    sockets = {who: await Socket(app, headers=await login(who)).open() for who in ("ada", "grace")}
    for socket in sockets.values():
        await socket.subscribe("1", "subscription { inboxContext { inbox { owner unread } } }")
        await socket.receive()
    request = HttpRequest()
    request.user = await sync_to_async(User.objects.get)(username="ada")
    unread["ada"] = 1
    await sync_to_async(invalidate_for)(request, "inbox")
    message = await sockets["ada"].receive()
    assert message["payload"]["data"]["inboxContext"]["inbox"] == {"owner": "ada", "unread": 1}
    assert await sockets["grace"].nothing(0.3)
    for socket in sockets.values():
        await socket.close()


async def test_a_burst_waits_for_a_quiet_window_but_never_more_than_four(
    app: Any, settings: Any
) -> None:
    live_user()
    settings.MIZAN = {"LIVE_COALESCE_MS": 100}
    socket = await Socket(app).open()
    await socket.subscribe("1", LIVE, {"userId": 5})
    await socket.receive()
    live = hub(get_runtime())
    start = live.recomputed
    # Commits 60 ms apart, each within the last one's window: one push for the three.
    for version in ("a", "b", "c"):
        names[5] = version
        await invalidate_now("user", user_id=5)
        await asyncio.sleep(0.06)
    assert profile_of(await socket.receive()) == "c"
    assert await socket.nothing(0.3)
    assert live.recomputed - start == 1
    # A steady stream still gets pushes: at most four windows (400 ms) after its first.
    start = live.recomputed
    for n in range(16):  # 16 commits 60 ms apart: ~1 s of never-quiet writes
        names[5] = f"s{n}"
        await invalidate_now("user", user_id=5)
        await asyncio.sleep(0.06)
    await eventually(lambda: live.recomputed - start >= 2, timeout=2)
    await socket.close()
