"""Rate limits where calls happen: POST, GET, multipart, persisted ``q/`` and ``ctx/``,
``MizanTestClient`` (sync and async). WebSocket: ``tests/channels/test_rate_limits.py``;
several server processes: ``tests/test_ratelimit_processes.py``."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pydantic import BaseModel

from mizan.client import client
from mizan.forms import mizanFormMeta, mizanFormMixin
from mizan.testing import MizanTestClient
from tests.conftest import GraphQL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_backend")]

runs: Counter[str] = Counter()


class Sent(BaseModel):
    text: str


@pytest.fixture(autouse=True)
def functions() -> None:
    runs.clear()

    @client(rate="2/h")
    def send(request: Any, text: str) -> Sent:
        runs["send"] += 1
        return Sent(text=text)

    @client(rate="2/h", read_only=True)
    def search(request: Any, text: str = "") -> list[str]:
        runs["search"] += 1
        return [text]

    @client(read_only=True)
    def free(request: Any) -> int:
        runs["free"] += 1
        return 1

    @client(context="news", public=True)
    def headlines(request: Any) -> list[str]:
        runs["headlines"] += 1
        return ["mizan ships rate limits"]

    @client(context="quota", public=True, rate="2/h")
    def quota(request: Any) -> int:
        runs["quota"] += 1
        return 7


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    return error  # type: ignore[no-any-return]


def assert_429(response: Any, field: str, calls: str) -> None:
    """The shape of a request whose every root field was refused."""
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 3600
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body == {
        "data": None,
        "errors": [
            {
                "message": f"Too many calls to {calls}: the limit is 2 per hour. "
                f"Try again in {retry_after} seconds.",
                "locations": body["errors"][0]["locations"],
                "path": [field],
                "extensions": {"code": "RATE_LIMITED", "retryAfter": retry_after},
            }
        ],
    }


def test_a_mutation_over_post_runs_n_times_then_gets_a_429(post: GraphQL) -> None:
    mutation = 'mutation { send(text: "hi") { text } }'
    for _ in range(2):
        response = post(mutation)
        assert response.status_code == 200
        assert response.json() == {"data": {"send": {"text": "hi"}}}
    assert_429(post(mutation), "send", "send")
    assert runs["send"] == 2  # the refused call did not run


def test_a_query_over_post_and_get(gql: GraphQL) -> None:
    for _ in range(2):
        assert gql("{ search }").json() == {"data": {"search": [""]}}
    assert_429(gql("{ search }"), "search", "search")
    assert runs["search"] == 2


def test_graphql_response_json_keeps_the_429(client: Client) -> None:
    for _ in range(3):
        response = client.post(
            "/api/mizan/graphql/",
            json.dumps({"query": "{ search }"}),
            content_type="application/json",
            HTTP_ACCEPT="application/graphql-response+json",
        )
    assert response.status_code == 429 and "Retry-After" in response
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_a_request_with_a_field_that_ran_is_not_a_429(post: GraphQL) -> None:
    post("{ search }")
    post("{ search }")
    response = post("{ free search }")
    # free ran; search was refused: the request is not refused as a whole.
    assert response.status_code == 200 and "Retry-After" not in response
    assert error_of(response.json())["extensions"]["code"] == "RATE_LIMITED"
    assert runs["free"] == 1
    # Nothing else counted: the other field, another caller.
    assert post("{ free }").json() == {"data": {"free": 1}}
    other = post("{ search }", REMOTE_ADDR="198.51.100.20")
    assert other.json() == {"data": {"search": [""]}}


def test_each_logged_in_user_has_a_count_of_their_own(
    post: GraphQL, django_user_model: Any
) -> None:
    ada = django_user_model.objects.create_user("ada")
    bob = django_user_model.objects.create_user("bob")
    post.client.force_login(ada)
    for _ in range(2):
        assert post("{ search }").status_code == 200
    assert post("{ search }").status_code == 429
    post.client.force_login(bob)  # same address, another user
    assert post("{ search }").status_code == 200


def test_persisted_q_counts_like_graphql(client: Client) -> None:
    for _ in range(2):
        assert client.get("/api/mizan/q/Search/").status_code == 200
    response = client.get("/api/mizan/q/Search/")
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 3600
    assert response["Cache-Control"] == "no-store"
    assert error_of(response.json())["extensions"]["code"] == "RATE_LIMITED"
    assert runs["search"] == 2


def test_context_reads_count_only_their_calls_under_the_default(
    client: Client, post: GraphQL, settings: Any
) -> None:
    settings.MIZAN = {"DEFAULT_RATE": "2/h"}
    for _ in range(5):  # one call, then cache hits: not counted
        assert post("{ headlines }").status_code == 200
        assert client.get("/api/mizan/ctx/news/").status_code == 200
        assert client.get("/api/mizan/q/Headlines/").status_code == 200
    assert runs["headlines"] == 1
    # A plain function runs on every call: the default limits it.
    assert post("{ free }").status_code == 200
    assert post("{ free }").status_code == 200
    assert post("{ free }").status_code == 429


def test_a_context_function_with_its_own_rate_counts_every_read(
    client: Client, post: GraphQL
) -> None:
    assert post("{ quota }").json() == {"data": {"quota": 7}}
    assert client.get("/api/mizan/ctx/quota/").status_code == 200  # a cache hit, counted
    response = client.get("/api/mizan/ctx/quota/")
    assert response.status_code == 429
    assert error_of(response.json())["extensions"]["code"] == "RATE_LIMITED"
    assert_429(post("{ quota }"), "quota", "quota")
    assert runs["quota"] == 1


def test_rate_false_is_exempt_from_the_default(post: GraphQL, settings: Any) -> None:
    @client(rate=False, read_only=True)
    def health(request: Any) -> bool:
        return True

    settings.MIZAN = {"DEFAULT_RATE": "1/h"}
    for _ in range(3):
        assert post("{ health }").status_code == 200


def test_the_test_client_sees_rate_limited_sync_and_async(post: GraphQL) -> None:
    caller = MizanTestClient()
    assert caller.call("send", text="a").ok
    assert caller.call("send", text="b").ok
    refused = caller.call("send", text="c")
    assert refused.codes == ["RATE_LIMITED"]
    assert refused.errors[0]["extensions"]["retryAfter"] >= 1
    assert runs["send"] == 2


async def test_async_calls_are_counted(cache_backend: str) -> None:
    caller = MizanTestClient()
    assert (await caller.acall("search", text="a")).ok
    assert (await caller.acall("search", text="b")).ok
    assert (await caller.acall("search", text="c")).codes == ["RATE_LIMITED"]
    assert runs["search"] == 2


# --- forms ---------------------------------------------------------------------------------

TOKEN = "r" * 32
SUBMIT = "mutation($d: NoteInput!) { noteSubmit(data: $d) { ok result } }"
VALIDATE = "query($d: NoteInput!) { noteValidate(data: $d) { ok } }"


@pytest.fixture
def note_form() -> None:
    class NoteForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="note", rate="2/h")
        text = forms.CharField()
        file = forms.FileField(required=False)

        def on_submit_success(self, request: Any) -> dict[str, Any]:
            runs["note"] += 1
            return {"saved": True}


@pytest.mark.usefixtures("note_form")
def test_a_form_rate_limits_submits_not_validates(post: GraphQL) -> None:
    data = {"d": {"text": "hello"}}
    for _ in range(5):
        assert post(VALIDATE, data).json() == {"data": {"noteValidate": {"ok": True}}}
    for _ in range(2):
        assert post(SUBMIT, data).json()["data"]["noteSubmit"]["ok"] is True
    assert_429(post(SUBMIT, data), "noteSubmit", "note.submit")
    assert runs["note"] == 2


@pytest.mark.usefixtures("note_form")
def test_multipart_submits_are_counted(client: Client) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["csrftoken"] = TOKEN

    def submit() -> Any:
        return browser.post(
            "/api/mizan/graphql/",
            {
                "operations": json.dumps(
                    {"query": SUBMIT, "variables": {"d": {"text": "hi", "file": None}}}
                ),
                "map": json.dumps({"0": ["variables.d.file"]}),
                "0": SimpleUploadedFile("a.txt", b"a"),
            },
            HTTP_X_CSRFTOKEN=TOKEN,
        )

    assert submit().status_code == 200
    assert submit().status_code == 200
    refused = submit()
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert error_of(refused.json())["extensions"]["code"] == "RATE_LIMITED"
    assert runs["note"] == 2


def test_a_cache_outage_lets_calls_run(post: GraphQL, settings: Any) -> None:
    from tests.services import free_port

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}",  # nothing listens there
        }
    }
    for n in range(4):
        assert post(f'mutation {{ send(text: "{n}") {{ text }} }}').status_code == 200
    assert runs["send"] == 4  # over the rate of 2, uncounted while the cache is down


def test_mizan_execute_counts_as_its_request_and_says_retry_after(rf: Any) -> None:
    import mizan

    request = rf.post("/", REMOTE_ADDR="198.51.100.30")
    mutation = 'mutation { send(text: "x") { text } }'
    for _ in range(2):
        assert mizan.execute(request, mutation).errors is None
    refused = mizan.execute(request, mutation)
    assert [e.extensions["code"] for e in refused.errors or ()] == ["RATE_LIMITED"]
    assert refused.retry_after == refused.errors[0].extensions["retryAfter"] >= 1  # type: ignore[index]
    assert runs["send"] == 2
