"""The purgers against a local fake of each CDN's API: the exact requests they document
(endpoints, headers, bodies, batch sizes), retries, timeouts, batching per request, and
secrets that never reach a log line."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any
from unittest.mock import patch

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from pydantic import BaseModel

from mizan import invalidate
from mizan.checks import check_purgers
from mizan.client import client
from mizan.edge import Purge, resolve_invalidation
from mizan.edge.manifest import generate_edge_manifest
from mizan.edge.purgers import Cloudflare, Dispatcher, Fastly, Purger, Varnish, purged
from mizan.edge.purgers.backends import HTTP
from mizan.edge.purgers.dispatch import current
from mizan.invalidation import Invalidation, collecting
from tests.edge import urls
from tests.edge.fake_api import Answer, FakeAPI, fake_api

TOKEN = "s3cr3t-t0ken-value"


class Profile(BaseModel):
    name: str


@pytest.fixture(autouse=True)
def contexts(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.edge.urls"

    def user_profile(request, user_id: int) -> Profile:
        return Profile(name="x")

    def user_posts(request, user_id: int, limit: int = 10) -> list[str]:
        return []

    def current_user(request) -> str:
        return ""

    client(context="user", public=True, ttl=60)(user_profile)
    client(context="user")(user_posts)
    client(context="user")(urls.profile_page)
    client(context="global")(current_user)


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    with fake_api() as server:
        yield server


def users(*ids: int) -> list[Invalidation]:
    return [Invalidation("user", (("user_id", i),)) for i in ids]


def run(purger: Purger, items: list[Invalidation], **options: Any) -> Dispatcher:
    dispatcher = Dispatcher([purger], **{"retries": 0, "timeout": 2.0, **options})
    dispatcher.submit(items, time.monotonic())
    assert dispatcher.flush(10)
    dispatcher.close(5)
    return dispatcher


def test_cloudflare_purges_absolute_urls_in_batches_of_30(api: FakeAPI) -> None:
    purger = Cloudflare(
        ZONE_ID="zone123", API_TOKEN=TOKEN, BASE_URL="https://example.com", API_URL=api.url
    )
    run(purger, users(*range(1, 9)))  # 8 users x 4 URLs each = 32 URLs
    expected = resolve_invalidation(
        ", ".join(f"user;user_id={i}" for i in range(1, 9)),
        generate_edge_manifest(),
        base_url="https://example.com",
    ).urls
    assert len(expected) == 32 and "https://example.com/people/3/" in expected
    assert [seen.method for seen in api.seen] == ["POST", "POST"]
    assert {seen.path for seen in api.seen} == {"/zones/zone123/purge_cache"}
    for seen in api.seen:
        assert seen.headers["Authorization"] == f"Bearer {TOKEN}"
        assert seen.headers["Content-Type"] == "application/json"
    bodies = api.bodies()
    assert [len(body["files"]) for body in bodies] == [30, 2]
    assert sorted(bodies[0]["files"] + bodies[1]["files"]) == list(expected)
    assert all(set(body) == {"files"} for body in bodies)


def test_cloudflare_purges_by_tag_too(api: FakeAPI) -> None:
    purger = Cloudflare(
        ZONE_ID="z", API_TOKEN=TOKEN, URLS=False, TAGS=True, BATCH_SIZE=2, API_URL=api.url
    )
    run(purger, [*users(5, 6, 7), Invalidation("user")])
    assert api.bodies() == [
        {"tags": ["user", "user;user_id=5"]},
        {"tags": ["user;user_id=6", "user;user_id=7"]},
    ]


def test_cloudflare_success_false_is_an_error_not_retried(
    api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    api.default = Answer(200, {"success": False, "errors": [{"code": 1012, "message": "bad"}]})
    purger = Cloudflare(ZONE_ID="z", API_TOKEN=TOKEN, BASE_URL="https://e.com", API_URL=api.url)
    run(purger, users(5), retries=3)
    assert len(api.seen) == 1
    assert "Cloudflare refused the purge: 1012: bad" in caplog.text


def test_fastly_purges_surrogate_keys_in_batches_of_256(api: FakeAPI) -> None:
    api.default = Answer(200, {"user;user_id=1": "108-1391560174-974124"})
    purger = Fastly(SERVICE_ID="svc42", API_TOKEN=TOKEN, API_URL=api.url)
    run(purger, users(*range(1, 301)))
    assert [len(body["surrogate_keys"]) for body in api.bodies()] == [256, 44]
    keys = [k for body in api.bodies() for k in body["surrogate_keys"]]
    assert keys == sorted(f"user;user_id={i}" for i in range(1, 301))
    for seen in api.seen:
        assert (seen.method, seen.path) == ("POST", "/service/svc42/purge")
        assert seen.headers["Fastly-Key"] == TOKEN
        assert seen.headers["Accept"] == "application/json"
        assert seen.headers["Content-Type"] == "application/json"
        assert "Fastly-Soft-Purge" not in seen.headers


def test_fastly_soft_purge(api: FakeAPI) -> None:
    run(Fastly(SERVICE_ID="s", API_TOKEN=TOKEN, SOFT=True, API_URL=api.url), users(5))
    (seen,) = api.seen
    assert seen.headers["Fastly-Soft-Purge"] == "1"
    assert seen.json() == {"surrogate_keys": ["user;user_id=5"]}


def test_varnish_purges_by_xkey_and_by_url_with_the_site_host(api: FakeAPI) -> None:
    api.default = Answer(200, b"Purged", {"X-Mizan-Purged": "4"})
    purger = Varnish(SERVERS=[api.url], BASE_URL="https://example.com", URLS=True)
    counts: list[Any] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        counts.append(kwargs["purged"])

    purged.connect(listen)
    try:
        run(purger, users(5, 5, 6))
    finally:
        purged.disconnect(listen)
    keyed, *by_url = api.seen
    assert (keyed.method, keyed.path) == ("PURGE", "/")
    assert keyed.headers["xkey-purge"] == "user;user_id=5 user;user_id=6"
    assert keyed.headers["Host"] == "example.com"
    assert {(s.method, s.path, s.headers["Host"]) for s in by_url} == {
        ("PURGE", path, "example.com")
        for i in (5, 6)
        for path in (
            f"/api/mizan/ctx/user/?user_id={i}",
            f"/api/mizan/q/UserPosts/?user_id={i}",
            f"/api/mizan/q/UserProfile/?user_id={i}",
            f"/people/{i}/",
        )
    }
    assert counts == [4 * 9]  # what Varnish said, summed over the 9 requests


def test_varnish_soft_purge_and_long_key_lists_split_under_the_header_limit(
    api: FakeAPI,
) -> None:
    run(Varnish(SERVERS=[api.url], SOFT=True), users(*range(10**6, 10**6 + 600)))
    assert len(api.seen) == 3  # 600 keys of 20 characters: 12,600 bytes
    assert all("xkey-purge" not in s.headers for s in api.seen)
    sent = [s.headers["xkey-softpurge"] for s in api.seen]
    assert all(len(header) <= 6000 for header in sent)
    assert len(" ".join(sent).split()) == 600


def test_generic_http_purge_sends_each_url_to_itself(api: FakeAPI) -> None:
    api.default = Answer(404, b"not cached")  # nothing stored there: nothing to purge
    purger = HTTP(BASE_URL=api.url, HEADERS={"X-Purge-Secret": TOKEN})
    run(purger, users(5))
    assert sorted(s.path for s in api.seen) == [
        "/api/mizan/ctx/user/?user_id=5",
        "/api/mizan/q/UserPosts/?user_id=5",
        "/api/mizan/q/UserProfile/?user_id=5",
        "/people/5/",
    ]
    assert {s.method for s in api.seen} == {"PURGE"}
    assert {s.headers["X-Purge-Secret"] for s in api.seen} == {TOKEN}


def test_private_contexts_are_never_purged(api: FakeAPI) -> None:
    run(Varnish(SERVERS=[api.url]), [Invalidation("global")])
    assert api.seen == []


def test_retries_with_backoff_then_succeeds(api: FakeAPI, caplog: pytest.LogCaptureFixture) -> None:
    api.script = [
        Answer(500, {"success": False}),
        Answer(429, {"success": False}, {"Retry-After": "0"}),
    ]
    purger = Cloudflare(ZONE_ID="z", API_TOKEN=TOKEN, BASE_URL="https://e.com", API_URL=api.url)
    caplog.set_level(logging.INFO, logger="mizan.edge.purge")
    run(purger, users(5), retries=3)
    assert len(api.seen) == 3
    assert api.bodies()[0] == api.bodies()[2]
    assert "attempt 2 of 4" in caplog.text and "attempt 3 of 4" in caplog.text
    assert "cloudflare: purged user;user_id=5" in caplog.text


def test_a_kept_alive_connection_closed_by_the_server_is_reopened_not_retried(
    api: FakeAPI,
) -> None:
    api.default = Answer(200, b"Purged", hang_up=True)
    dispatcher = Dispatcher([Varnish(SERVERS=[api.url])], retries=0)
    for user_id in (5, 6, 7):
        dispatcher.submit(users(user_id), time.monotonic())
        assert dispatcher.flush(5)
    dispatcher.close(5)
    assert [s.headers["xkey-purge"] for s in api.seen] == [
        "user;user_id=5",
        "user;user_id=6",
        "user;user_id=7",
    ]


def test_a_timeout_is_retried_then_given_up_and_logged(
    api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    api.default = Answer(200, {"success": True}, delay=1.0)
    purger = Cloudflare(ZONE_ID="z", API_TOKEN=TOKEN, BASE_URL="https://e.com", API_URL=api.url)
    started = time.monotonic()
    run(purger, users(5), retries=1, timeout=0.2)
    assert time.monotonic() - started < 3
    assert len(api.seen) == 2
    assert "gave up purging user;user_id=5" in caplog.text
    assert "TimeoutError" in caplog.text or "timed out" in caplog.text


def test_secrets_never_reach_logs_reprs_or_errors(
    api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.default = Answer(403, {"success": False, "errors": [{"code": 10000, "message": "auth"}]})
    purgers = [
        Cloudflare(ZONE_ID="z", API_TOKEN=TOKEN, BASE_URL="https://e.com", API_URL=api.url),
        Fastly(SERVICE_ID="s", API_TOKEN=TOKEN, API_URL=api.url),
        Varnish(SERVERS=[api.url], HEADERS={"X-Secret": TOKEN}),
    ]
    dispatcher = Dispatcher(purgers, retries=1, timeout=2.0)
    dispatcher.submit(users(5), time.monotonic())
    assert dispatcher.flush(10)
    dispatcher.close(5)
    assert len(api.seen) == 3 and "gave up" in caplog.text
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert TOKEN not in logged
    assert all(TOKEN not in repr(p) for p in purgers)
    with pytest.raises(ImproperlyConfigured) as info:
        Fastly(SERVICE_ID="s", API_TOKEN=[TOKEN])
    assert TOKEN not in str(info.value) and "(hidden)" in str(info.value)


def test_a_full_queue_drops_the_batch_and_says_so(
    api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    api.default = Answer(200, b"", delay=0.3)
    dispatcher = Dispatcher([Varnish(SERVERS=[api.url])], queue_size=1, retries=0)
    batches = [dispatcher.submit(users(i), time.monotonic()) for i in range(1, 6)]
    assert all(batch.wait(5) for batch in batches)
    dispatcher.close(5)
    assert "purge queue full" in caplog.text
    assert 1 <= len(api.seen) < 5


# --- after commit, per request, within PURGE_WAIT ----------------------------------


@pytest.fixture
def configured(settings: Any, api: FakeAPI) -> Iterator[FakeAPI]:
    api.default = Answer(200, b"Purged", {"X-Mizan-Purged": "1"})
    settings.MIZAN = {
        "PURGERS": [{"BACKEND": "mizan.edge.purgers.Varnish", "SERVERS": [api.url]}],
        "PURGE_RETRIES": 0,
        "PURGE_REPEAT_DELAY": 0,  # the first purge only (the second: its own tests)
    }
    yield api
    dispatcher = current()
    assert dispatcher is not None and dispatcher.flush(5)
    dispatcher.close(5)


@pytest.mark.django_db(transaction=True)
def test_a_request_batches_and_deduplicates_and_has_its_purges_acknowledged_on_close(
    configured: FakeAPI,
) -> None:
    with collecting():
        invalidate("user", user_id=5)
        invalidate("user", user_id=6)
        invalidate("user", user_id="5")
        time.sleep(0.05)
        assert configured.seen == []  # nothing leaves before the request is done
    # PURGE_WAIT (1 s by default) held the close until Varnish answered.
    assert [s.headers["xkey-purge"] for s in configured.seen] == ["user;user_id=5 user;user_id=6"]


@pytest.mark.django_db(transaction=True)
def test_a_request_never_waits_longer_than_purge_wait(
    configured: FakeAPI, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.MIZAN = {**settings.MIZAN, "PURGE_WAIT": 0.2}
    configured.default = Answer(200, b"", delay=1.5)
    started = time.monotonic()
    with collecting():
        invalidate("user", user_id=5)
    assert time.monotonic() - started < 0.6
    assert "not acknowledged within PURGE_WAIT" in caplog.text
    dispatcher = current()
    assert dispatcher is not None and dispatcher.flush(5)
    assert len(configured.seen) == 1  # it still went out, in the background


@pytest.mark.django_db(transaction=True)
def test_purges_run_after_commit_and_never_after_a_rollback(configured: FakeAPI) -> None:
    with collecting(), pytest.raises(RuntimeError), transaction.atomic():
        invalidate("user", user_id=5)
        raise RuntimeError("rolled back")
    dispatcher = current()
    assert dispatcher is not None and dispatcher.flush(5)
    assert configured.seen == []
    with transaction.atomic():
        invalidate("user", user_id=7)
        assert dispatcher.flush(0.2) and configured.seen == []  # not before the commit
    assert dispatcher.flush(5)
    assert [s.headers["xkey-purge"] for s in configured.seen] == ["user;user_id=7"]


@pytest.mark.django_db(transaction=True)
def test_a_commit_after_the_request_scope_closed_is_purged_anyway(configured: FakeAPI) -> None:
    with transaction.atomic(), collecting():
        invalidate("user", user_id=8)
    dispatcher = current()
    assert dispatcher is not None and dispatcher.flush(5)
    assert [s.headers["xkey-purge"] for s in configured.seen] == ["user;user_id=8"]


def test_no_purgers_configured_means_no_dispatcher(settings: Any) -> None:
    settings.MIZAN = {}
    assert current() is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("mizan.edge.purgers.Varnish", "must be a dict with a BACKEND"),
        ({"BACKEND": "mizan.edge.purgers.Nope"}, "cannot import BACKEND"),
        ({"BACKEND": "mizan.edge.purgers.Request"}, "is not a mizan.edge.purgers.Purger"),
        ({"BACKEND": "mizan.edge.purgers.Varnish"}, "SERVERS is required"),
        ({"BACKEND": "mizan.edge.purgers.Fastly", "SERVICE": "x"}, "unknown option 'SERVICE'"),
        (
            {"BACKEND": "mizan.edge.purgers.Cloudflare", "ZONE_ID": "z", "API_TOKEN": "t"},
            "BASE_URL is required to purge by URL",
        ),
        (
            {
                "BACKEND": "mizan.edge.purgers.Fastly",
                "SERVICE_ID": "s",
                "API_TOKEN": "t",
                "SOFT": 1,
            },
            "SOFT must be a bool",
        ),
    ],
)
def test_configuration_mistakes_are_system_check_errors(
    settings: Any, entry: Any, message: str
) -> None:
    settings.MIZAN = {"PURGERS": [entry]}
    (error,) = check_purgers()
    assert error.id == "mizan.E004"
    assert message in error.msg


# --- the second purge, PURGE_REPEAT_DELAY later ---------------------------------------


@pytest.mark.django_db(transaction=True)
def test_each_purge_is_sent_again_after_the_repeat_delay(
    configured: FakeAPI, settings: Any
) -> None:
    settings.MIZAN = {**settings.MIZAN, "PURGE_REPEAT_DELAY": 0.3}
    repeats: list[tuple[bool, tuple[str, ...]]] = []

    def seen(sender: Any, **kwargs: Any) -> None:
        repeats.append((kwargs["repeat"], kwargs["purge"].keys))

    purged.connect(seen)
    try:
        with collecting():
            invalidate("user", user_id=5)
        first = time.monotonic()
        assert [s.headers["xkey-purge"] for s in configured.seen] == ["user;user_id=5"]
        with collecting():
            invalidate("user", user_id=6)
        dispatcher = current()
        assert dispatcher is not None and dispatcher.flush(5)  # flush waits for the repeats
        assert time.monotonic() - first >= 0.3
    finally:
        purged.disconnect(seen)
    keys = [s.headers["xkey-purge"] for s in configured.seen]
    assert keys[:2] == ["user;user_id=5", "user;user_id=6"]
    # Due together or apart, each scope was purged exactly once more, nothing else.
    assert sorted(" ".join(keys[2:]).split()) == ["user;user_id=5", "user;user_id=6"]
    assert [r for r, _ in repeats][:2] == [False, False] and all(r for r, _ in repeats[2:])


def test_a_stopping_dispatcher_sends_its_repeats_at_once(api: FakeAPI) -> None:
    api.default = Answer(200, b"Purged", {"X-Mizan-Purged": "1"})
    dispatcher = Dispatcher([Varnish(SERVERS=[api.url])], retries=0, repeat_delay=60)
    with patch.object(dispatcher, "resolve", return_value=Purge((), ("user;user_id=5",))):
        dispatcher.submit([Invalidation("user", (("user_id", 5),))], time.monotonic())
        assert dispatcher.flush(0.5) is False  # the repeat is a minute away
        started = time.monotonic()
        dispatcher.close(5)
    assert time.monotonic() - started < 2
    assert [s.headers["xkey-purge"] for s in api.seen] == ["user;user_id=5"] * 2


@pytest.mark.parametrize("status", [403, 405])
def test_a_refused_purge_names_the_fix(api: FakeAPI, status: int, caplog: Any) -> None:
    api.default = Answer(status, b"Forbidden")
    for purger in (Varnish(SERVERS=[api.url]), HTTP(SERVERS=[api.url])):
        dispatcher = Dispatcher([purger], retries=2)
        with patch.object(
            dispatcher, "resolve", return_value=Purge(("/profile/5/",), ("user;user_id=5",))
        ):
            dispatcher.submit([Invalidation("user", (("user_id", 5),))], time.monotonic())
            assert dispatcher.flush(5)
        dispatcher.close(5)
    assert len(api.seen) == 2  # never retried: sending it again cannot help
    assert f"HTTP {status}: 127.0.0.1 refused PURGE from this host" in caplog.text
    assert "acl mizan_purgers" in caplog.text and "export_vcl --purger" in caplog.text
