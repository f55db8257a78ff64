"""Each denial-of-service shape, refused with a JSON error and its code, on every HTTP
transport (JSON POST, GET); the WebSocket's are in
``tests/channels/test_hostile_frames.py``. Behaviour is pinned here; the time each
refusal takes is measured by ``bench/hostile.py``, never asserted."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from mizan import client

GRAPHQL = "/api/mizan/graphql/"


class Node(BaseModel):
    name: str
    child: Node | None = None


@pytest.fixture(autouse=True)
def functions() -> None:
    @client(read_only=True)
    def tree(request) -> Node:
        return Node(name="root", child=Node(name="leaf"))

    @client(read_only=True)
    def echo(request, text: str) -> str:
        return text


# --- the shapes ---------------------------------------------------------------------


def fragment_dag(levels: int) -> str:
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


def nested_list(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


ECHO = "query($v: String!) { echo(text: $v) }"

# (name, query, variables, code): the document or variables refused, and how.
SHAPES = [
    (
        "depth 1,000",
        "{ " + "tree { child { " * 500 + "name" + " } }" * 500 + " }",
        None,
        "GRAPHQL_PARSE_FAILED",
    ),
    (
        "depth 13",
        "{ tree " + "{ child " * 12 + "{ name }" + " }" * 12 + " }",
        None,
        "QUERY_TOO_DEEP",
    ),
    (
        "10,000 aliases",
        "{ " + " ".join(f'a{i}: echo(text: "x")' for i in range(10_000)) + " }",
        None,
        "GRAPHQL_PARSE_FAILED",
    ),
    (
        "31 aliases",
        "{ " + " ".join(f'a{i}: echo(text: "x")' for i in range(31)) + " }",
        None,
        "TOO_MANY_ALIASES",
    ),
    ("fragment DAG 30 deep", fragment_dag(30), None, "TOO_MANY_SELECTIONS"),
    ("fragment DAG 64 deep", fragment_dag(64), None, "TOO_MANY_SELECTIONS"),
    (
        "5,000 repeated fields",
        "{ " + " ".join(["tree { name }"] * 5000) + " }",
        None,
        "GRAPHQL_PARSE_FAILED",
    ),
    (
        "1,200 repeated fields",
        "{ " + " ".join(["tree { name }"] * 1200) + " }",
        None,
        "TOO_MANY_SELECTIONS",
    ),
    (
        "200 repeated object fields",
        "{ " + " ".join(["tree { name }"] * 200) + " }",
        None,
        "FIELD_REPEATED_TOO_OFTEN",
    ),
    ("variables 900 deep", ECHO, {"v": nested_list(900)}, "VARIABLES_TOO_DEEP"),
    (
        "a fragment cycle",
        "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        None,
        "GRAPHQL_VALIDATION_FAILED",
    ),
]


class Transport:
    """One way of sending an operation; ``send`` returns Django's response."""

    def __init__(self, name: str, send: Callable[[Client, bytes, str, Any], Any]) -> None:
        self.name = name
        self.send_body = send

    def send(self, http: Client, query: str, variables: Any = None) -> Any:
        body = {"query": query, **({"variables": variables} if variables is not None else {})}
        return self.send_body(http, json.dumps(body).encode(), query, variables)


def _post(http: Client, body: bytes, query: str, variables: Any) -> Any:
    return http.post(GRAPHQL, body, content_type="application/json")


def _get(http: Client, body: bytes, query: str, variables: Any) -> Any:
    params = {"query": query, **({"variables": json.dumps(variables)} if variables else {})}
    return http.get(GRAPHQL, params, HTTP_ACCEPT="application/json")


TRANSPORTS = [Transport("POST", _post), Transport("GET", _get)]


@pytest.fixture(params=TRANSPORTS, ids=lambda t: t.name)
def transport(request: pytest.FixtureRequest) -> Transport:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def http() -> Client:
    return Client(raise_request_exception=False)


def refused(response: Any, code: str, status: int = 200) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    assert response.status_code == status, response.content[:300]
    body: dict[str, Any] = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == [code], body
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("shape", "query", "variables", "code"), SHAPES, ids=[s[0] for s in SHAPES]
)
def test_each_shape_is_refused_with_its_code(
    http: Client, transport: Transport, shape: str, query: str, variables: Any, code: str
) -> None:
    body = refused(transport.send(http, query, variables), code)
    assert body["data"] is None


@pytest.mark.django_db
def test_a_refusal_names_its_setting_and_limit(http: Client, transport: Transport) -> None:
    body = refused(transport.send(http, fragment_dag(40)), "TOO_MANY_SELECTIONS")
    extensions = body["errors"][0]["extensions"]
    assert extensions == {"code": "TOO_MANY_SELECTIONS", "setting": "MAX_SELECTIONS", "limit": 1000}
    assert "MAX_SELECTIONS" in body["errors"][0]["message"]


@pytest.mark.django_db
def test_limits_follow_the_settings(http: Client, transport: Transport, settings: Any) -> None:
    settings.MIZAN = {"MAX_SELECTIONS": 3}  # read when the schema is built, on first use
    body = refused(transport.send(http, "{ tree { name child { name } } }"), "TOO_MANY_SELECTIONS")
    assert body["errors"][0]["extensions"]["limit"] == 3
    within = transport.send(http, "{ tree { name child { name } } }".replace(" child { name }", ""))
    assert within.json() == {"data": {"tree": {"name": "root"}}}


@pytest.mark.django_db
def test_an_ordinary_document_with_fragments_runs(http: Client, transport: Transport) -> None:
    document = (
        'query { tree { ...N child { ...N } } a: echo(text: "x") } fragment N on Node { name }'
    )
    assert transport.send(http, document).json() == {
        "data": {"tree": {"name": "root", "child": {"name": "leaf"}}, "a": "x"}
    }
