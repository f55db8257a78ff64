"""What the server tells a generated client: its schema hash (drift) and, where script
cannot read the cookie, the CSRF token."""

from __future__ import annotations

from typing import Any

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.template import Context, Template
from django.test import Client, RequestFactory

from mizan.client import client
from mizan.schema import get_schema

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def functions() -> None:
    @client(context="user", public=True)
    def user_name(request, user_id: int) -> str:
        return f"user {user_id}"

    @client
    def shout(request, text: str) -> str:
        return text.upper()


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.post(
            "/api/mizan/graphql/",
            {"query": 'mutation { shout(text: "a") }'},
            content_type="application/json",
        ),
        lambda c: c.get("/api/mizan/graphql/", {"query": "{ userName(userId: 1) }"}),
        lambda c: c.get("/api/mizan/ctx/user/?user_id=1"),
        lambda c: c.get("/api/mizan/q/UserName/?user_id=1"),
        lambda c: c.get("/api/mizan/q/Nope/"),
        lambda c: c.post(
            "/api/mizan/graphql/",
            {
                "operations": '{"query": "mutation { shout(text: \\"a\\") }"}',
                "map": "{}",
            },
        ),
    ],
    ids=["post", "get", "ctx", "q", "404", "multipart"],
)
def test_every_response_names_its_schema(send: Any) -> None:
    response = send(Client())
    assert response["X-Mizan-Schema"] == get_schema().hash
    assert "X-Mizan-Schema" in response["Access-Control-Expose-Headers"]


def test_a_conditional_get_names_it_too() -> None:
    first = Client().get("/api/mizan/ctx/user/?user_id=1")
    again = Client().get("/api/mizan/ctx/user/?user_id=1", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["X-Mizan-Schema"] == get_schema().hash


def test_the_hash_follows_the_schema() -> None:
    before = get_schema().hash
    assert len(before) == 16 and before == get_schema().hash


HYDRATE = Template("{% load mizan %}{% mizan_hydrate %}")


@pytest.mark.parametrize(
    ("setting", "embedded"),
    [({}, False), ({"CSRF_COOKIE_HTTPONLY": True}, True), ({"CSRF_USE_SESSIONS": True}, True)],
)
def test_hydrate_embeds_the_csrf_token_only_where_script_cannot_read_the_cookie(
    settings: Any, setting: dict[str, bool], embedded: bool
) -> None:
    for name, value in setting.items():
        setattr(settings, name, value)
    request = RequestFactory().get("/")
    request.session = {}  # type: ignore[assignment]
    html = HYDRATE.render(Context({"request": request}))
    assert ('id="mizan-csrf"' in html) is embedded
    if embedded:
        start = html.index('<script id="mizan-csrf" type="application/json">"') + 49
        token = html[start : html.index('"', start)]
        # A masked token (as get_token gives) of the request's secret: Django accepts it.
        assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
