from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pydantic import BaseModel

from mizan.client import client
from mizan.setup.registry import register
from tests.conftest import GraphQL

pytestmark = pytest.mark.django_db


class Output(BaseModel):
    message: str


class Node(BaseModel):
    name: str
    child: Node | None = None


calls: list[str] = []


@pytest.fixture(autouse=True)
def functions() -> None:
    calls.clear()

    @client
    def echo(request, text: str) -> Output:
        """Echo the text back."""
        calls.append(text)
        return Output(message=text)

    register(echo, "echo")

    @client(read_only=True)
    def shout(request, text: str) -> Output:
        return Output(message=text.upper())


def test_query_over_post_and_get(gql: GraphQL) -> None:
    response = gql("query($t: String!) { shout(text: $t) { message } }", {"t": "hi"})
    assert response.status_code == 200
    assert response.json() == {"data": {"shout": {"message": "HI"}}}


def test_mutation_over_post(post: GraphQL) -> None:
    response = post('mutation { echo(text: "hi") { message } }')
    assert response.json() == {"data": {"echo": {"message": "hi"}}}
    assert calls == ["hi"]
    assert response["Cache-Control"] == "no-store"


def test_mutation_over_get_is_refused_and_never_runs(client: Client) -> None:
    response = client.get(
        "/api/mizan/graphql/", {"query": 'mutation { echo(text: "x") { message } }'}
    )
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert b"POST" in response.content
    assert calls == []


def test_graphiql_only_for_browsers(client: Client) -> None:
    page = client.get("/api/mizan/graphql/", HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert page.status_code == 200
    assert b"graphiql" in page.content.lower()
    fetch = client.get("/api/mizan/graphql/", HTTP_ACCEPT="*/*")
    assert fetch.status_code == 400
    assert fetch["Content-Type"] == "application/json"
    assert fetch.json()["errors"][0]["message"] == "No GraphQL query found in the request"


def test_graphiql_can_be_switched_off(client: Client, settings: Any) -> None:
    settings.MIZAN = {"GRAPHIQL": False}
    page = client.get("/api/mizan/graphql/", HTTP_ACCEPT="text/html")
    assert page.status_code == 404


def test_malformed_json_is_a_400(client: Client) -> None:
    response = client.post("/api/mizan/graphql/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Unable to parse request body as JSON"


def test_put_is_not_allowed(client: Client) -> None:
    response = client.put("/api/mizan/graphql/", "{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"


def test_introspection_on_by_default_and_switchable(
    gql: GraphQL, settings: Any, registry: Any
) -> None:
    from mizan.setup.registry import use_registry

    response = gql("{ __schema { queryType { name } } }")
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    settings.MIZAN = {"INTROSPECTION": False}
    with use_registry():

        @client(read_only=True)
        def ping(request) -> bool:
            return True

        body = gql("{ __schema { queryType { name } } }").json()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "introspection" in body["errors"][0]["message"].lower()


def test_docstring_is_the_field_description(gql: GraphQL) -> None:
    body = gql('{ __type(name: "Mutation") { fields { name description } } }').json()
    fields = {f["name"]: f["description"] for f in body["data"]["__type"]["fields"]}
    assert fields["echo"] == "Echo the text back."


class TestCsrf:
    """A POST with the session cookie, or a form post, needs the token; cookieless ones don't."""

    query = json.dumps({"query": 'mutation { echo(text: "x") { message } }'})

    def csrf_client(self) -> Client:
        return Client(enforce_csrf_checks=True)

    def test_cookieless_json_post_needs_no_token(self) -> None:
        response = self.csrf_client().post(
            "/api/mizan/graphql/", self.query, content_type="application/json"
        )
        assert response.status_code == 200
        assert calls == ["x"]

    def test_session_cookie_without_token_is_refused(self) -> None:
        user = User.objects.create_user("ada", password="pw")
        browser = self.csrf_client()
        browser.force_login(user)
        response = browser.post("/api/mizan/graphql/", self.query, content_type="application/json")
        assert response.status_code == 403
        assert calls == []

    def test_session_cookie_with_token_passes(self) -> None:
        user = User.objects.create_user("ada", password="pw")
        browser = self.csrf_client()
        browser.force_login(user)
        browser.get("/api/mizan/graphql/", {"query": '{ shout(text: "a") { message } }'})
        token = "a" * 32
        browser.cookies["csrftoken"] = token
        response = browser.post(
            "/api/mizan/graphql/",
            self.query,
            content_type="application/json",
            HTTP_X_CSRFTOKEN=token,
        )
        assert response.status_code == 200
        assert calls == ["x"]

    def test_multipart_post_always_needs_the_token(self) -> None:
        response = self.csrf_client().post(
            "/api/mizan/graphql/", {"operations": self.query, "map": "{}"}
        )
        assert response.status_code == 403
        assert calls == []

    def test_get_never_needs_a_token(self) -> None:
        user = User.objects.create_user("ada", password="pw")
        browser = self.csrf_client()
        browser.force_login(user)
        response = browser.get(
            "/api/mizan/graphql/",
            {"query": '{ shout(text: "a") { message } }'},
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 200


def test_document_cache_hits_for_a_repeated_document(gql: GraphQL) -> None:
    from mizan.schema import get_schema

    query = "query($t: String!) { shout(text: $t) { message } }"
    gql(query, {"t": "a"})
    cache = get_schema().executor.cached
    before = cache.cache_info()
    assert gql(query, {"t": "b"}).json() == {"data": {"shout": {"message": "B"}}}
    gql(query, {"t": "c"})
    after = cache.cache_info()
    assert after.hits - before.hits == 2
    assert after.misses == before.misses


def test_limits_refuse_deep_and_aliased_documents(gql: GraphQL, settings: Any) -> None:
    from mizan.setup.registry import use_registry

    settings.MIZAN = {"MAX_ALIASES": 2, "MAX_DEPTH": 2, "MAX_TOKENS": 60}
    with use_registry():

        @client(read_only=True)
        def tree(request) -> Node:
            return Node(name="a")

        aliases = gql("{ a: tree { name } b: tree { name } c: tree { name } }").json()
        deep = gql("{ tree { child { child { name } } } }").json()
        tokens = gql("{ " + " ".join(f"f{i}: tree {{ name }}" for i in range(30)) + " }").json()
    assert "aliases" in aliases["errors"][0]["message"]
    assert "depth" in deep["errors"][0]["message"]
    assert tokens["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_cors_headers_expose_the_endpoint_to_another_origin(client: Client, settings: Any) -> None:
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "corsheaders"]
    settings.MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", *settings.MIDDLEWARE]
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:5173"]
    response = client.options(
        "/api/mizan/graphql/",
        HTTP_ORIGIN="http://localhost:5173",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert response["Access-Control-Allow-Origin"] == "http://localhost:5173"
