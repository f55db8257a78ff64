"""End to end: the example project served by daphne, behind a real Varnish running the
shipped VCL. Skipped on a laptop without Varnish; required in CI (.ci/run installs it)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.edge.stack import (
    ADD_NOTE,
    RENAME,
    Stack,
    graphql,
    seed,
    session_headers,
    user_urls,
)
from tests.services import need_program


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    varnishd = need_program("varnishd")
    need_program("varnishtest")  # only to be sure varnish-modules' xkey came with it
    started = time.monotonic()
    running = Stack(tmp_path_factory.mktemp("edge"), varnishd)
    try:
        running.sessions = seed(running)  # type: ignore[attr-defined]
        running.start_origin()
        running.start_varnish()
        yield running
    finally:
        running.close()
    assert time.monotonic() - started < 60, "the end-to-end edge test must stay under 60 s"


@pytest.fixture(scope="module")
def sessions(stack: Stack) -> dict[str, str]:
    return stack.sessions  # type: ignore[attr-defined, no-any-return]


def name_of(stack: Stack, user_id: int) -> str:
    reply = stack.edge("GET", f"/api/mizan/q/UserProfile/?user_id={user_id}")
    return str(reply.json()["data"]["userProfile"]["displayName"])


def warm(stack: Stack, *user_ids: int) -> None:
    for user_id in user_ids:
        for url in user_urls(user_id):
            assert stack.edge("GET", url).status == 200
            assert stack.edge("GET", url).cache == "hit", url


def test_a_public_read_is_a_miss_then_a_hit(stack: Stack) -> None:
    first = stack.edge("GET", "/api/mizan/ctx/user/?user_id=5")
    assert first.status == 200 and first.cache == "miss"
    assert first.json()["data"]["userProfile"]["displayName"] == "Ada"
    assert first.headers["cache-control"] == "public, max-age=0, s-maxage=300"
    assert "xkey" not in first.headers  # Varnish's own business
    second = stack.edge("GET", "/api/mizan/ctx/user/?user_id=5")
    assert second.cache == "hit" and second.body == first.body
    page = stack.edge("GET", "/profile/5/")
    assert page.status == 200 and b"Ada" in page.body and page.cache == "miss"
    assert stack.edge("GET", "/profile/5/").cache == "hit"


def test_a_mutation_purges_its_scope_and_nothing_else(
    stack: Stack, sessions: dict[str, str]
) -> None:
    warm(stack, 5, 6)
    renamed = graphql(stack.edge, sessions["root"], RENAME, {"id": 5, "name": "Ada L."})
    assert renamed.status == 200, renamed.body
    assert renamed.json()["data"] == {"rename": {"displayName": "Ada L."}}
    assert renamed.headers["x-mizan-invalidate"] == "user;user_id=5"
    assert renamed.headers["x-mizan-purged"] == "4"  # exactly user 5's four URLs
    for url in user_urls(5):
        reply = stack.edge("GET", url)
        assert reply.cache == "miss", url
    assert name_of(stack, 5) == "Ada L."
    assert b"Ada L." in stack.edge("GET", "/profile/5/").body  # the view path too
    for url in user_urls(6):
        assert stack.edge("GET", url).cache == "hit", url


def test_a_private_context_is_never_a_hit_across_users(
    stack: Stack, sessions: dict[str, str]
) -> None:
    seen = []
    for name in ("ada", "grace", "ada", "grace"):
        reply = stack.edge("GET", "/api/mizan/ctx/global/", headers=session_headers(sessions[name]))
        assert reply.status == 200 and reply.cache != "hit"
        assert reply.headers["cache-control"] == "private, no-cache"
        seen.append(reply.json()["data"]["currentUser"]["username"])
    assert seen == ["ada", "grace", "ada", "grace"]
    anonymous = stack.edge("GET", "/api/mizan/ctx/global/")
    assert anonymous.json()["data"]["currentUser"] is None and anonymous.cache != "hit"


def test_a_spoofed_header_from_a_client_purges_nothing(stack: Stack) -> None:
    warm(stack, 6)
    spoof = {"X-Mizan-Invalidate": "user;user_id=6, user", "xkey-purge": "user"}
    echoed = stack.edge(
        "POST",
        "/api/mizan/graphql/",
        headers={"Content-Type": "application/json", **spoof},
        body=b'{"query": "mutation { echo(text: \\"hi\\") { message } }"}',
    )
    assert echoed.status == 200 and "x-mizan-invalidate" not in echoed.headers
    assert stack.edge("GET", "/profile/6/", headers=spoof).cache == "hit"
    for url in user_urls(6):
        assert stack.edge("GET", url).cache == "hit", url


def test_a_purge_request_from_an_allowed_address_purges_by_key(
    stack: Stack,
) -> None:
    warm(stack, 6)
    reply = stack.edge("PURGE", "/", headers={"xkey-purge": "user;user_id=6"})
    assert reply.status == 200 and reply.headers["x-mizan-purged"] == "4"
    assert stack.edge("GET", "/profile/6/").cache == "miss"


def test_a_non_canonical_url_never_becomes_a_second_entry(stack: Stack) -> None:
    canonical = "/api/mizan/q/UserNotes/?limit=2&user_id=6"
    assert stack.edge("GET", "/api/mizan/q/UserNotes/?user_id=6&limit=2").cache == "miss"
    assert stack.edge("GET", canonical).cache == "hit"  # the same entry, sorted by the VCL
    for spelling in ("?limit=02&user_id=6", "?user_id=6&limit=5", "?limit=2&user_id=%36"):
        for _ in range(2):
            reply = stack.edge("GET", "/api/mizan/q/UserNotes/" + spelling)
            assert reply.status == 308 and reply.cache != "hit", spelling
            assert reply.body == b"" or b"userNotes" not in reply.body
    assert stack.edge("GET", canonical).cache == "hit"


def test_a_rolled_back_mutation_purges_nothing(stack: Stack, sessions: dict[str, str]) -> None:
    warm(stack, 5)
    refused = graphql(stack.edge, sessions["ada"], ADD_NOTE, {"text": "hello"})
    assert refused.json()["errors"][0]["extensions"]["code"] == "DUPLICATE_NOTE"
    assert "x-mizan-invalidate" not in refused.headers
    assert "x-mizan-purged" not in refused.headers
    for url in user_urls(5):
        assert stack.edge("GET", url).cache == "hit", url
    notes = stack.edge("GET", "/api/mizan/q/UserNotes/?user_id=5").json()["data"]["userNotes"]
    assert [n["text"] for n in notes] == ["hello"]  # the write was rolled back too
    written = graphql(stack.edge, sessions["ada"], ADD_NOTE, {"text": "again"})
    assert written.headers["x-mizan-invalidate"] == "user;user_id=5"
    assert stack.edge("GET", "/api/mizan/q/UserNotes/?user_id=5").cache == "miss"


def test_a_mutation_that_bypasses_varnish_is_purged_by_the_purger(
    stack: Stack, sessions: dict[str, str]
) -> None:
    stack.stop_origin()
    stack.start_origin(purge_varnish=True)  # MIZAN["PURGERS"] = [Varnish at our port]
    warm(stack, 5, 6)
    renamed = graphql(stack.direct, sessions["root"], RENAME, {"id": 6, "name": "Grace H."})
    assert renamed.headers["x-mizan-invalidate"] == "user;user_id=6"
    # PURGE_WAIT held the response until Varnish acknowledged: no stale read after it.
    assert name_of(stack, 6) == "Grace H."
    assert b"Grace H." in stack.edge("GET", "/profile/6/").body
    for url in user_urls(5):
        assert stack.edge("GET", url).cache == "hit", url
    refused = graphql(stack.direct, sessions["ada"], ADD_NOTE, {"text": "again"})
    assert refused.json()["errors"][0]["extensions"]["code"] == "DUPLICATE_NOTE"
    for url in user_urls(5):
        assert stack.edge("GET", url).cache == "hit", url
