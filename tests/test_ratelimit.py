"""mizan.ratelimit on its own: rates, who a call counts against, the counters."""

from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from mizan.checks import check_rate_cache, check_rates, check_settings
from mizan.client import client
from mizan.exceptions import RateLimited, RegistrationError
from mizan.forms import mizanFormMeta, mizanFormMixin
from mizan.ratelimit import Counter, Limit, Rate, caller, client_ip
from mizan.setup.registry import Registry
from tests.services import close_thread_caches, free_port


@pytest.fixture(autouse=True)
def own_cache(settings: Any) -> None:
    """Counters of this test's own (the cache_backend fixture replaces it where used)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}
    }
    from django.core.cache import caches

    caches["default"].clear()


# --- rates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "calls", "seconds", "normal"),
    [
        ("5/s", 5, 1, "5/s"),
        ("5/m", 5, 60, "5/m"),
        ("100/h", 100, 3600, "100/h"),
        ("1000/d", 1000, 86400, "1000/d"),
        ("10/5m", 10, 300, "10/5m"),
        (" 3 / minute ", 3, 60, "3/m"),
        ("3/minutes", 3, 60, "3/m"),
        ("2/120s", 2, 120, "2/2m"),
        ("7/90s", 7, 90, "7/90s"),
        ("1/24h", 1, 86400, "1/d"),
    ],
)
def test_rates_parse_and_print(text: str, calls: int, seconds: int, normal: str) -> None:
    rate = Rate.parse(text)
    assert (rate.calls, rate.seconds, str(rate)) == (calls, seconds, normal)
    assert Rate.parse(str(rate)) == rate


def test_rates_describe_themselves() -> None:
    assert Rate.parse("5/m").describe() == "5 per minute"
    assert Rate.parse("10/5m").describe() == "10 per 5 minutes"
    assert Rate.parse("7/90s").describe() == "7 per 90 seconds"


@pytest.mark.parametrize("text", ["5", "5/x", "5/ms", "m/5", "five/m", "5/m/s", "", 5, None])
def test_what_is_not_a_rate_says_what_to_write(text: object) -> None:
    with pytest.raises(ValueError, match=r"is not a rate\. Write calls per period, e\.g\. '5/m'"):
        Rate.parse(text)


def test_a_rate_allowing_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="allows no call at all"):
        Rate.parse("0/m")


# --- registration --------------------------------------------------------------------


def test_client_takes_rate_and_rate_key(registry: Registry) -> None:
    def by_tenant(request: Any) -> str:
        return "acme"

    @client(rate="5/m", rate_key=by_tenant)
    def send(request: Any) -> int:
        return 1

    @client(rate=False, read_only=True)
    def health(request: Any) -> int:
        return 1

    definitions = {d.name: d for d in registry}
    assert definitions["send"].rate == Rate(5, 60)
    assert definitions["send"].rate_key is by_tenant
    assert definitions["health"].rate is False


def test_a_bad_rate_names_the_function_and_the_fix() -> None:
    with pytest.raises(RegistrationError) as raised:

        @client(rate="5 per minute")
        def send(request: Any) -> int:
            return 1

    message = str(raised.value)
    assert "test_ratelimit" in message and "send" in message
    assert "rate='5 per minute'" in message and "e.g. '5/m'" in message


def test_rate_key_must_be_callable_and_needs_a_rate() -> None:
    with pytest.raises(RegistrationError, match=r"rate_key='api_key' is not callable"):

        @client(rate="5/m", rate_key="api_key")  # type: ignore[call-overload]
        def send(request: Any) -> int:
            return 1

    with pytest.raises(RegistrationError, match=r"rate_key= is given with rate=False"):

        @client(rate=False, rate_key=lambda request: "x")
        def other(request: Any) -> int:
            return 1


def test_a_form_rate_limits_its_submit_only(registry: Registry) -> None:
    class Contact(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="contact", rate="3/h")
        text = forms.CharField()

        def on_submit_success(self, request: Any) -> dict[str, Any]:
            return {}

    rates = {d.name: d.rate for d in registry}
    assert rates == {
        "contact.schema": None,
        "contact.validate": None,
        "contact.submit": Rate(3, 3600),
    }


def test_a_form_with_a_bad_rate_fails_where_it_is_declared() -> None:
    with pytest.raises(RegistrationError, match=r"mizanFormMeta: rate='3/week'"):

        class Contact(mizanFormMixin, forms.Form):
            mizan = mizanFormMeta(name="contact", rate="3/week")
            text = forms.CharField()

            def on_submit_success(self, request: Any) -> dict[str, Any]:
                return {}


# --- settings checks ----------------------------------------------------------------------


def test_settings_checks(settings: Any) -> None:
    settings.MIZAN = {"DEFAULT_RATE": "100/m", "TRUSTED_PROXIES": ["10.0.0.0/8", "::1"]}
    assert check_settings() == [] and check_rates() == []
    settings.MIZAN = {"DEFAULT_RATE": "100 a minute", "TRUSTED_PROXIES": ["10.0.0.300"]}
    assert [m.id for m in check_rates()] == ["mizan.E030", "mizan.E031"]
    assert "'10.0.0.300' is neither an IP address nor a network" in check_rates()[1].msg
    settings.MIZAN = {"DEFAULT_RATE": 100}
    assert [m.id for m in check_settings()] == ["mizan.E002"]


def test_deploy_check_wants_a_shared_cache(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert check_rate_cache() == []  # no rates: nothing to count
    settings.MIZAN = {"DEFAULT_RATE": "100/m"}
    assert [m.id for m in check_rate_cache()] == ["mizan.W030"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert [m.id for m in check_rate_cache()] == ["mizan.E032"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379",
        }
    }
    assert check_rate_cache() == []


def test_the_cache_check_runs_with_check_deploy_only(settings: Any) -> None:
    from django.core.checks import run_checks

    settings.MIZAN = {"DEFAULT_RATE": "100/m"}
    assert "mizan.W030" in [m.id for m in run_checks(include_deployment_checks=True)]
    assert "mizan.W030" not in [m.id for m in run_checks()]


# --- who is calling ------------------------------------------------------------------------


def request(remote: str = "203.0.113.7", **headers: str) -> Any:
    made = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    made.user = AnonymousUser()
    return made


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    forged = request(HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(forged) == "203.0.113.7"
    settings.MIZAN = {"TRUSTED_PROXIES": ["10.0.0.0/8"]}
    # Sent straight to the server, not through a proxy: still the connection's address.
    assert client_ip(forged) == "203.0.113.7"


def test_behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client(settings: Any) -> None:
    settings.MIZAN = {"TRUSTED_PROXIES": ["10.0.0.0/8", "192.0.2.1"]}
    # The client forged a first hop; the edge (192.0.2.1) and the balancer (10.0.0.5)
    # each appended what they saw.
    chain = "1.1.1.1, 198.51.100.9, 192.0.2.1"
    assert client_ip(request("10.0.0.5", HTTP_X_FORWARDED_FOR=chain)) == "198.51.100.9"
    assert client_ip(request("10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.9:4431")) == (
        "198.51.100.9"
    )
    # Only proxies of ours: the request began inside.
    assert client_ip(request("10.0.0.5", HTTP_X_FORWARDED_FOR="10.1.1.1")) == "10.1.1.1"
    assert client_ip(request("10.0.0.5")) == "10.0.0.5"


def test_another_header_can_be_named(settings: Any) -> None:
    settings.MIZAN = {"TRUSTED_PROXIES": ["10.0.0.1"], "CLIENT_IP_HEADER": "X-Real-IP"}
    made = request("10.0.0.1", HTTP_X_REAL_IP="198.51.100.3", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert client_ip(made) == "198.51.100.3"


def test_ipv6_clients_count_by_their_64(settings: Any) -> None:
    assert client_ip(request("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_ip(request("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64"
    assert client_ip(request("::ffff:203.0.113.7")) == "203.0.113.7"
    settings.MIZAN = {"TRUSTED_PROXIES": ["::1"]}
    assert client_ip(request("::1", HTTP_X_FORWARDED_FOR="[2001:db8::5]:443")) == ("2001:db8::/64")


def test_a_user_counts_by_user_anyone_else_by_ip(django_user_model: Any) -> None:
    anonymous = request()
    assert caller(anonymous) == "ip:203.0.113.7"
    user = django_user_model.objects.create_user("ada")
    anonymous.user = user
    assert caller(anonymous) == f"user:{user.pk}"


# --- counting ----------------------------------------------------------------------------


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_n_calls_pass_the_next_is_refused_until_the_window_ends(cache_backend: str) -> None:
    clock = Clock()
    counter = Counter(clock)
    rate = Rate(3, 60)
    assert [counter.hit("send", "ip:1", rate) for _ in range(3)] == [None, None, None]
    retry = counter.hit("send", "ip:1", rate)
    assert retry is not None and 1 <= retry <= 60
    # Others have their own counters: another caller, another function.
    assert counter.hit("send", "ip:2", rate) is None
    assert counter.hit("other", "ip:1", rate) is None
    clock.now += retry - 1
    assert counter.hit("send", "ip:1", rate) == 1
    clock.now += 1
    assert [counter.hit("send", "ip:1", rate) for _ in range(4)] == [None, None, None, 60]


def test_counting_is_exact_under_concurrent_callers(cache_backend: str) -> None:
    counter = Counter(Clock())
    rate = Rate(25, 3600)
    results: list[int | None] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def call_many() -> None:
        start.wait()
        for _ in range(10):
            outcome = counter.hit("send", "user:1", rate)
            with lock:
                results.append(outcome)
        close_thread_caches()

    threads = [threading.Thread(target=call_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r is None for r in results) == 25
    assert len(results) == 80


def test_a_cache_outage_lets_calls_through_and_is_logged_once(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}",  # nothing listens there
        }
    }
    counter = Counter(Clock())
    with caplog.at_level(logging.WARNING, logger="mizan.ratelimit"):
        assert [counter.hit("send", "ip:1", Rate(1, 60)) for _ in range(3)] == [None] * 3
    (record,) = caplog.records
    assert "the cache failed" in record.getMessage()
    assert "not limited while it fails" in record.getMessage()


# --- a function's limit ------------------------------------------------------------------


def limit_of(registry: Registry, **options: Any) -> Limit:
    @client(**options)
    def fn(request: Any) -> int:
        return 1

    return Limit(registry.get("fn"))


def test_the_default_rate_applies_unless_a_function_says(registry: Registry, settings: Any) -> None:
    made = request("198.51.100.77")
    plain = limit_of(registry)
    assert plain.effective() is None
    settings.MIZAN = {"DEFAULT_RATE": "2/h"}
    assert plain.effective() == Rate(2, 3600)
    plain.check(made)
    plain.check(made)
    with pytest.raises(RateLimited) as refused:
        plain.check(made)
    assert refused.value.code == "RATE_LIMITED"
    assert refused.value.extensions["retryAfter"] == refused.value.retry_after >= 1
    assert refused.value.message.startswith("Too many calls to fn: the limit is 2 per hour.")


def test_rate_false_is_never_limited(registry: Registry, settings: Any) -> None:
    settings.MIZAN = {"DEFAULT_RATE": "1/h"}
    exempt = limit_of(registry, rate=False)
    for _ in range(3):
        exempt.check(request())


def test_rate_key_decides_who_counts(registry: Registry) -> None:
    keys: dict[str, str | None] = {"a": "tenant-a", "b": "tenant-b", "staff": None}
    limit = limit_of(registry, rate="1/h", rate_key=lambda r: keys[r.GET["who"]])
    a, b, staff = (RequestFactory().get("/", {"who": w}) for w in ("a", "b", "staff"))
    limit.check(a)
    limit.check(b)
    with pytest.raises(RateLimited):
        limit.check(a)
    for _ in range(3):
        limit.check(staff)  # None: not limited


async def test_async_checks_count_too(registry: Registry) -> None:
    async def key(request: Any) -> str:
        return "async-key"

    by_key = limit_of(registry, rate="1/h", rate_key=key)
    await by_key.acheck(request())
    with pytest.raises(RateLimited):
        await by_key.acheck(request())


def test_a_bad_default_rate_is_improperly_configured(registry: Registry, settings: Any) -> None:
    settings.MIZAN = {"DEFAULT_RATE": "lots"}
    with pytest.raises(
        ImproperlyConfigured, match=r"MIZAN\['DEFAULT_RATE'\]: 'lots' is not a rate"
    ):
        limit_of(registry).check(request())


# --- the guide tells the truth -------------------------------------------------------------

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guides" / "rate-limits.md"


def guide_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(), re.S)


@pytest.mark.django_db
def test_the_guide_first_snippet_answers_as_shown(post: Any) -> None:
    namespace: dict[str, Any] = {"__name__": "guide"}
    exec(compile(guide_blocks("python")[0], str(GUIDE), "exec"), namespace)
    mutation = 'mutation { sendInvite(email: "ada@example.com") }'
    for _ in range(5):
        assert post(mutation).json() == {"data": {"sendInvite": True}}
    refused = post(mutation)
    assert refused.status_code == 429
    shown = json.loads(guide_blocks("json")[0])
    body = refused.json()
    [error], [expected] = body["errors"], shown["errors"]
    retry_after = error["extensions"]["retryAfter"]
    assert int(refused["Retry-After"]) == retry_after
    assert error["message"] == expected["message"].replace("42", str(retry_after))
    assert {**error, "message": "", "locations": None} == {
        **expected,
        "message": "",
        "locations": None,
        "extensions": {**expected["extensions"], "retryAfter": retry_after},
    }
    assert body["data"] is None


def test_the_guide_shows_the_real_registration_error() -> None:
    shown = " ".join(guide_blocks("text")[0].split())
    with pytest.raises(RegistrationError) as raised:

        @client(rate="5 per minute")
        def send_invite(request: Any, email: str) -> bool:
            return True

    tail = str(raised.value).split("): ", 1)[1]
    assert shown.endswith(tail)


def test_the_guide_shows_the_example_manifest_rates() -> None:
    manifest = json.loads((GUIDE.parents[2] / "example_project" / "edge-manifest.json").read_text())
    shown = json.loads("{" + guide_blocks("json")[1] + "}")
    assert shown == {"rates": manifest["rates"]}


def test_a_429_only_when_every_root_field_that_began_was_refused() -> None:
    from graphql import GraphQLError

    from mizan.ratelimit import refused

    def limited(field: str, wait: int) -> GraphQLError:
        return GraphQLError(
            "x", path=[field], extensions={"code": "RATE_LIMITED", "retryAfter": wait}
        )

    assert refused(1, [limited("a", 5)]) == 5
    assert refused(2, [limited("a", 5), limited("b", 9)]) == 9
    assert refused(2, [limited("a", 5)]) is None  # b began and was not refused
    assert refused(1, None) is None
    forbidden = GraphQLError("x", path=["a"], extensions={"code": "FORBIDDEN"})
    assert refused(2, [limited("a", 5), forbidden]) is None
    nested = GraphQLError(
        "x", path=["a", "b"], extensions={"code": "RATE_LIMITED", "retryAfter": 1}
    )
    assert refused(1, [nested]) is None  # a field that ran raised it further down
    assert refused(1, [limited("a", 3).formatted]) == 3  # formatted errors too
