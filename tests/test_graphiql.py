"""mizan's GraphiQL page: its own bundle, a strict CSP, the CSRF token, persisted operations
as examples, each field's auth requirement, ``?query=`` links, and the page that says how to
build the bundle when it is missing. (It runs in a browser in tests/browser/.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.test import Client
from pydantic import BaseModel

from mizan import graphiql
from mizan.client import client

pytestmark = pytest.mark.django_db

URL = "/api/mizan/graphql/"
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
NAVIGATION = {**BROWSER, "HTTP_SEC_FETCH_DEST": "document", "HTTP_SEC_FETCH_MODE": "navigate"}


class Output(BaseModel):
    message: str


def may_see_stats(request: HttpRequest) -> bool:
    return request.user.is_authenticated


@pytest.fixture(autouse=True)
def functions() -> None:
    @client
    def echo(request, text: str) -> Output:
        return Output(message=text)

    @client(read_only=True, auth=True)
    def notes(request, limit: int = 10) -> list[str]:
        return []

    @client(read_only=True, auth="staff")
    def audit(request) -> str:
        return ""

    @client(read_only=True, auth=may_see_stats)
    def stats(request) -> int:
        return 0

    @client(context="user")
    def user_profile(request, user_id: int) -> Output:
        return Output(message=str(user_id))


@pytest.fixture(autouse=True)
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any) -> Path:
    """A stand-in bundle, so these tests do not depend on Node having built the real one."""
    settings.STATIC_URL = "/static/"
    (tmp_path / "graphiql.js").write_text("")
    monkeypatch.setattr(graphiql, "ASSETS", tmp_path)
    return tmp_path


def config(page: Any) -> dict[str, Any]:
    found = re.search(
        rb'<script id="mizan-graphiql-config" type="application/json">(.*?)</script>',
        page.content,
        re.S,
    )
    assert found, page.content
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_the_page_loads_mizans_bundle_under_a_strict_policy(client: Client) -> None:
    page = client.get(URL, **BROWSER)
    assert page.status_code == 200
    policy = page["Content-Security-Policy"]
    nonce = re.search(r"script-src 'nonce-([^']+)'", policy)
    assert nonce, policy
    assert "'unsafe-eval'" not in policy and "script-src 'nonce" in policy
    assert "worker-src 'self'" in policy and "default-src 'none'" in policy
    html = page.content.decode()
    assert (
        f'<script type="module" src="/static/mizan/graphiql/graphiql.js" nonce="{nonce.group(1)}">'
        in html
    )
    assert '<link rel="stylesheet" href="/static/mizan/graphiql/graphiql.css">' in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "nothing from another host"
    assert "Loading" not in html
    assert page["Cache-Control"] == "no-store"
    assert config(page)["workers"] == {
        "editor": "/static/mizan/graphiql/editor.worker.js",
        "json": "/static/mizan/graphiql/json.worker.js",
        "graphql": "/static/mizan/graphiql/graphql.worker.js",
    }


def test_each_page_has_its_own_nonce(client: Client) -> None:
    first = client.get(URL, **BROWSER)["Content-Security-Policy"]
    assert first != client.get(URL, **BROWSER)["Content-Security-Policy"]


def test_the_policy_lets_through_static_files_on_another_origin(settings: Any) -> None:
    settings.STATIC_URL = "https://static.example.com/assets/"
    policy = graphiql.content_security_policy("n")
    assert "worker-src 'self' https://static.example.com" in policy
    assert "script-src 'nonce-n';" in policy


def test_the_page_sends_djangos_csrf_token() -> None:
    user = User.objects.create_user("ada", password="pw")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    token = config(browser.get(URL, **BROWSER))["csrfToken"]
    body = json.dumps({"query": 'mutation { echo(text: "hi") { message } }'})
    refused = browser.post(URL, body, content_type="application/json")
    assert refused.status_code == 403
    sent = browser.post(URL, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert sent.json() == {"data": {"echo": {"message": "hi"}}}


def test_fields_say_which_login_they_need(client: Client) -> None:
    assert config(client.get(URL, **BROWSER))["auth"] == {
        "Query.notes": "a logged-in user.",
        "Query.audit": "a logged-in staff user.",
        "Query.stats": "a caller that `may_see_stats` allows.",
    }


def test_persisted_operations_are_offered_as_examples(client: Client) -> None:
    examples = {item["name"]: item for item in config(client.get(URL, **BROWSER))["examples"]}
    assert {"Notes", "Audit", "Stats", "UserProfile", "UserContext"} <= set(examples)
    profile = examples["UserProfile"]
    assert "userProfile(userId: $user_id)" in profile["query"]
    assert json.loads(profile["variables"]) == {"user_id": 1}  # required: a value to edit
    assert profile["url"] == "/api/mizan/q/UserProfile/?user_id=…"
    assert examples["Notes"]["variables"] == ""  # limit has a default
    # Each example runs as it is offered.
    for name in ("Notes", "UserProfile"):
        body = {
            "query": examples[name]["query"],
            "variables": json.loads(examples[name]["variables"] or "{}"),
        }
        answer = client.post(URL, json.dumps(body), content_type="application/json").json()
        assert "data" in answer, answer


def test_a_query_link_opens_graphiql_prefilled(client: Client) -> None:
    link = {"query": "{ notes }"}
    page = client.get(URL, link, **NAVIGATION)
    assert page.status_code == 200 and b"mizan-graphiql-config" in page.content
    # The same URL fetched by code runs, whatever it accepts.
    assert client.get(URL, link, **BROWSER).json()["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED"
    )


@pytest.mark.parametrize("setting", [{"GRAPHIQL": False}, {"TRUSTED_DOCUMENTS_ONLY": True}])
def test_switched_off_and_in_trusted_only_mode_it_is_a_404(
    client: Client, settings: Any, setting: dict[str, Any]
) -> None:
    settings.MIZAN = setting
    assert client.get(URL, **NAVIGATION).status_code == 404
    assert client.get(URL, {"query": "{ stats }"}, **NAVIGATION).status_code == 404


def test_a_missing_bundle_says_how_to_build_it(client: Client, bundle: Path) -> None:
    (bundle / "graphiql.js").unlink()
    page = client.get(URL, **BROWSER)
    assert page.status_code == 503
    text = page.content.decode()
    assert "GraphiQL is not built" in text and "make graphiql" in text
    assert "npm ci" in text and "Node 20" in text
    assert "Loading" not in text
