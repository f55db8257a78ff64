from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pydantic import BaseModel

from mizan import graphiql
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
    assert page.status_code == (200 if graphiql.built() else 503)  # 503: says how to build it
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
    from mizan.runtime import get_runtime

    query = "query($t: String!) { shout(text: $t) { message } }"
    gql(query, {"t": "a"})
    cache = get_runtime().documents
    hits, misses = cache.hits, cache.misses
    assert gql(query, {"t": "b"}).json() == {"data": {"shout": {"message": "B"}}}
    gql(query, {"t": "c"})
    assert (cache.hits - hits, cache.misses - misses) == (2, 0)


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


class TestRequestShapes:
    """The fast path answers malformed requests as Strawberry's view does (or better)."""

    url = "/api/mizan/graphql/"

    def post_raw(self, client: Client, body: bytes | str) -> Any:
        return client.post(self.url, body, content_type="application/json")

    def reason(self, response: Any) -> str:
        assert response["Content-Type"] == "application/json"
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        return str(error["message"])

    def test_a_body_that_is_not_an_object_is_a_400(self, client: Client) -> None:
        response = self.post_raw(client, "5")
        assert response.status_code == 400
        assert "JSON object" in self.reason(response)

    def test_a_body_that_is_not_utf8_is_a_400(self, client: Client) -> None:
        response = self.post_raw(client, b"\xff\xfe{")
        assert response.status_code == 400
        assert self.reason(response) == "Unable to parse request body as JSON"

    @pytest.mark.parametrize(
        ("body", "key"),
        [({"query": 5}, "query"), ({"query": "{ a }", "variables": [1]}, "variables"),
         ({"query": "{ a }", "extensions": "x"}, "extensions")],
    )  # fmt: skip
    def test_fields_of_the_wrong_type_are_a_400(
        self, client: Client, body: dict[str, Any], key: str
    ) -> None:
        response = self.post_raw(client, json.dumps(body))
        assert response.status_code == 400
        assert f"`{key}`" in self.reason(response)

    def test_no_query_is_a_400(self, client: Client) -> None:
        assert self.reason(self.post_raw(client, "{}")) == "No GraphQL query found in the request"
        response = client.get(self.url, {"query": ""}, HTTP_ACCEPT="application/json")
        assert response.status_code == 400

    def test_a_batch_is_refused(self, client: Client) -> None:
        response = self.post_raw(client, json.dumps([{"query": "{ __typename }"}]))
        assert response.status_code == 400
        assert self.reason(response) == "Batching is not enabled"

    def test_head_is_not_allowed(self, client: Client) -> None:
        response = client.head(self.url, {"query": "{ __typename }"})
        assert response.status_code == 405

    def test_json_with_a_charset_is_json(self, client: Client) -> None:
        response = client.post(
            self.url,
            json.dumps({"query": '{ shout(text: "a") { message } }'}),
            content_type="application/json; charset=utf-8",
        )
        assert response.json() == {"data": {"shout": {"message": "A"}}}


class TestOperationName:
    document = (
        'query First { shout(text: "one") { message } } '
        'query Second { shout(text: "two") { message } } '
        'mutation Third { echo(text: "three") { message } }'
    )

    def test_picks_the_named_operation(self, gql: GraphQL) -> None:
        body = {"query": self.document, "operationName": "Second"}
        response = gql.client.post("/api/mizan/graphql/", body, content_type="application/json")
        assert response.json() == {"data": {"shout": {"message": "TWO"}}}

    def test_without_a_name_the_first_runs_as_in_strawberry(self, post: GraphQL) -> None:
        assert post(self.document).json() == {"data": {"shout": {"message": "ONE"}}}

    def test_an_unknown_name_is_a_400(self, client: Client) -> None:
        response = client.get(
            "/api/mizan/graphql/", {"query": self.document, "operationName": "Nope"}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["message"] == 'Unknown operation named "Nope".'

    def test_a_named_mutation_over_get_is_refused(self, client: Client) -> None:
        response = client.get(
            "/api/mizan/graphql/", {"query": self.document, "operationName": "Third"}
        )
        assert response.status_code == 405
        assert calls == []

    def test_a_query_over_get_with_variables(self, client: Client) -> None:
        response = client.get(
            "/api/mizan/graphql/",
            {
                "query": "query Q($t: String!) { shout(text: $t) { message } }",
                "variables": json.dumps({"t": "get"}),
                "operationName": "Q",
            },
            HTTP_ACCEPT="text/html",  # a query in the URL runs, whatever the browser accepts
        )
        assert response.json() == {"data": {"shout": {"message": "GET"}}}


def test_the_context_response_is_the_response(rf: Any) -> None:
    """What code running in the operation sets on ``info.context.response`` reaches the client."""
    from mizan.views import MizanContext, MizanGraphQLView

    class HeaderView(MizanGraphQLView):
        def get_context(self, request: Any, response: Any) -> MizanContext:
            response["X-From-Context"] = "yes"
            response.set_cookie("seen", "1")
            return super().get_context(request, response)

    request = rf.post(
        "/api/mizan/graphql/",
        json.dumps({"query": '{ shout(text: "a") { message } }'}),
        content_type="application/json",
    )
    response = HeaderView.as_view()(request)
    assert response["X-From-Context"] == "yes"
    assert response.cookies["seen"].value == "1"
    assert response["Cache-Control"] == "private, no-cache"  # a query: at most private
    assert json.loads(response.content) == {"data": {"shout": {"message": "A"}}}


def test_the_view_is_csrf_exempt_for_django_and_checks_itself() -> None:
    from mizan.views import MizanGraphQLView

    assert getattr(MizanGraphQLView.as_view(), "csrf_exempt", False) is True
