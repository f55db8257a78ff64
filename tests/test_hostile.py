"""Each denial-of-service shape, refused with a JSON error and its code, on every HTTP
transport (JSON POST, GET, multipart POST); the WebSocket's are in
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
CSRF = "a" * 32


class Node(BaseModel):
    name: str
    child: Node | None = None


def register_targets() -> None:
    """The functions the shapes aim at (``tree`` to nest, ``echo`` to carry variables),
    shared by every transport's hostile-input tests."""

    @client(read_only=True)
    def tree(request) -> Node:
        return Node(name="root", child=Node(name="leaf"))

    @client(read_only=True)
    def echo(request, text: str) -> str:
        return text


@pytest.fixture(autouse=True)
def functions() -> None:
    register_targets()

    @client(read_only=True)
    def store(request, data: dict) -> int:
        return len(data)


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
        "DOCUMENT_TOO_LARGE",  # 228,893 characters
    ),
    (
        "10,000 short aliases",
        "{ " + " ".join(f"a{i}: tree {{ name }}" for i in range(10_000)) + " }",
        None,
        "DOCUMENT_TOO_LARGE",
    ),
    (
        "5,202 tokens in 18,203 characters",
        "{ " + " ".join(["tree { name }"] * 1300) + " }",
        None,
        "GRAPHQL_PARSE_FAILED",  # counted before parsing: the parser's own message
    ),
    (
        "a comment of 100,001 characters",
        "{ tree { name } } #" + "x" * 100_000,
        None,
        "DOCUMENT_TOO_LARGE",
    ),
    (
        "a string of 100,001 characters",
        '{ echo(text: "' + "x" * 100_000 + '") }',
        None,
        "DOCUMENT_TOO_LARGE",
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


def _multipart(http: Client, body: bytes, query: str, variables: Any) -> Any:
    http.cookies["csrftoken"] = CSRF
    return http.post(GRAPHQL, {"operations": body.decode(), "map": "{}"}, HTTP_X_CSRFTOKEN=CSRF)


TRANSPORTS = [
    Transport("POST", _post),
    Transport("GET", _get),
    Transport("multipart", _multipart),
]


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


# --- bad requests are JSON ------------------------------------------------------------


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"\xff\xfe{}",
        deep(5000).encode(),
        ('{"query": "{ __typename }", "variables": {"v": ' + deep(5000) + "}}").encode(),
        ('{"query": "{ __typename }", "extensions": ' + deep(3000) + "}").encode(),
    ],
    ids=["truncated", "not UTF-8", "5,000 deep", "deep variables", "deep extensions"],
)
def test_malformed_json_is_a_json_400(http: Client, body: bytes) -> None:
    response = http.post(GRAPHQL, body, content_type="application/json")
    refused(response, "BAD_REQUEST", 400)


@pytest.mark.django_db
def test_deep_json_in_a_get_is_a_json_400(http: Client) -> None:
    response = http.get(GRAPHQL, {"query": "{ __typename }", "variables": deep(5000)})
    refused(response, "BAD_REQUEST", 400)


@pytest.mark.django_db
def test_a_body_over_max_body_bytes_is_a_413(http: Client, settings: Any) -> None:
    settings.MIZAN = {"MAX_BODY_BYTES": 1000}
    body = json.dumps({"query": "{ echo(text: $t) }", "variables": {"t": "a" * 2000}})
    response = http.post(GRAPHQL, body, content_type="application/json")
    error = refused(response, "PAYLOAD_TOO_LARGE", 413)["errors"][0]
    assert error["extensions"] == {
        "code": "PAYLOAD_TOO_LARGE",
        "setting": "MAX_BODY_BYTES",
        "limit": 1000,
    }


@pytest.mark.django_db
def test_a_multipart_requests_operations_over_max_body_bytes_is_a_413(
    http: Client, settings: Any
) -> None:
    # The files have MAX_UPLOAD_SIZE; the request beside them is a JSON body's size.
    settings.MIZAN = {"MAX_BODY_BYTES": 1000}
    operations = json.dumps({"query": "query($t: String!) { echo(text: $t) }", "variables": {}})
    padded = operations[:-1] + ', "extensions": {"pad": "' + "a" * 1000 + '"}}'
    response = _multipart(http, padded.encode(), "", None)
    assert refused(response, "PAYLOAD_TOO_LARGE", 413)["errors"][0]["extensions"] == {
        "code": "PAYLOAD_TOO_LARGE",
        "setting": "MAX_BODY_BYTES",
        "limit": 1000,
    }
    within = _multipart(http, operations.replace("{}", '{"t": "a"}').encode(), "", None)
    assert within.json() == {"data": {"echo": "a"}}


@pytest.mark.django_db
def test_a_2_mb_document_is_a_413(http: Client) -> None:
    body = json.dumps({"query": "{ __typename } " + "#" * 2_000_000})
    refused(http.post(GRAPHQL, body, content_type="application/json"), "PAYLOAD_TOO_LARGE", 413)


@pytest.mark.django_db
def test_a_body_over_djangos_limit_is_a_json_413(http: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    http.cookies["csrftoken"] = CSRF
    response = http.post(
        GRAPHQL,
        {"operations": json.dumps({"query": "{ __typename }" + " " * 200}), "map": "{}"},
        HTTP_X_CSRFTOKEN=CSRF,
    )
    assert (
        "DATA_UPLOAD_MAX_MEMORY_SIZE"
        in refused(response, "PAYLOAD_TOO_LARGE", 413)["errors"][0]["message"]
    )


@pytest.mark.django_db
def test_too_many_files_is_a_json_400(http: Client, settings: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    http.cookies["csrftoken"] = CSRF
    files = {str(i): SimpleUploadedFile(f"{i}.txt", b"x") for i in range(3)}
    response = http.post(
        GRAPHQL,
        {"operations": json.dumps({"query": "{ __typename }"}), "map": "{}", **files},
        HTTP_X_CSRFTOKEN=CSRF,
    )
    assert (
        "DATA_UPLOAD_MAX_NUMBER_FILES"
        in refused(response, "BAD_REQUEST", 400)["errors"][0]["message"]
    )


@pytest.mark.django_db
def test_a_multipart_body_without_a_boundary_is_a_json_400(http: Client) -> None:
    http.cookies["csrftoken"] = CSRF
    response = http.generic(
        "POST", GRAPHQL, b"--x\r\n", content_type="multipart/form-data", HTTP_X_CSRFTOKEN=CSRF
    )
    refused(response, "BAD_REQUEST", 400)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("operations", "file_map", "message"),
    [
        ('{"query": "{ __typename }", "variables": 5}', "[1]", "`map` must be a JSON object"),
        ("null", "{}", "`operations` must be a JSON object"),
        ('[{"query": "{ __typename }"}]', "{}", "`operations` must be a JSON object"),
        ('{"query": "{ __typename }"}', '{"0": "variables.file"}', "lists of paths"),
        ('{"query": "{ __typename }"}', '{"0": ["variables.file"]}', "no file field '0'"),
        ('{"query": "{ __typename }", "variables": 5}', '{"f": ["variables.file"]}', "not a place"),
        ('{"query": "{ __typename }"}', '{"f": ["variables.a.b"]}', "not a place"),
        ("{", "{}", "Unable to parse"),
    ],
)
def test_a_malformed_multipart_request_is_a_json_400(
    http: Client, operations: str, file_map: str, message: str
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    http.cookies["csrftoken"] = CSRF
    response = http.post(
        GRAPHQL,
        {"operations": operations, "map": file_map, "f": SimpleUploadedFile("f.txt", b"x")},
        HTTP_X_CSRFTOKEN=CSRF,
    )
    assert message in refused(response, "BAD_REQUEST", 400)["errors"][0]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["session", "multipart"])
def test_a_missing_csrf_token_is_a_json_403(kind: str) -> None:
    http = Client(raise_request_exception=False, enforce_csrf_checks=True)
    if kind == "session":
        http.cookies["sessionid"] = "abc"
        response = http.post(
            GRAPHQL, '{"query": "{ __typename }"}', content_type="application/json"
        )
    else:
        response = http.post(GRAPHQL, {"operations": '{"query": "{ __typename }"}', "map": "{}"})
    error = refused(response, "CSRF_FAILED", 403)["errors"][0]
    assert "CSRF" in error["message"] and "X-CSRFToken" in error["message"]


@pytest.mark.django_db
def test_deep_json_in_a_persisted_url_is_a_json_400(http: Client) -> None:
    # 1,010 levels fit in MAX_URL_LENGTH and go past the JSON parser's recursion.
    response = http.get("/api/mizan/q/Store/?data=" + deep(1010))
    body = refused(response, "BAD_REQUEST", 400)
    assert "nested too deeply" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["parameter"] == "data"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", ["/api/mizan/q/Tree/", "/api/mizan/ctx/nothing/"])
def test_wrong_methods_on_persisted_urls_are_a_405_before_csrf(method: str, path: str) -> None:
    # tests.settings has Django's CsrfViewMiddleware, as a project does.
    http = Client(raise_request_exception=False, enforce_csrf_checks=True)
    http.cookies["sessionid"] = "abc"
    response = getattr(http, method)(path)
    if path.startswith("/api/mizan/ctx/nothing"):  # an unknown context is a 404 first
        refused(response, "NOT_FOUND", 404)
        return
    refused(response, "METHOD_NOT_ALLOWED", 405)
    assert response["Allow"] == "GET, HEAD"


# --- GraphQL over HTTP ------------------------------------------------------------------

GRAPHQL_RESPONSE = "application/graphql-response+json"


def post_accepting(http: Client, accept: str, query: str, variables: Any = None) -> Any:
    body = {"query": query, **({"variables": variables} if variables is not None else {})}
    return http.post(GRAPHQL, json.dumps(body), content_type="application/json", HTTP_ACCEPT=accept)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{", None, "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query($t: String!) { echo(text: $t) }", {"t": 5}, "BAD_USER_INPUT"),
        (fragment_dag(30), None, "TOO_MANY_SELECTIONS"),
    ],
    ids=["parse", "validation", "variables", "limit"],
)
def test_a_request_error_is_a_400_without_data_for_graphql_response_json(
    http: Client, query: str, variables: Any, code: str
) -> None:
    response = post_accepting(http, GRAPHQL_RESPONSE, query, variables)
    assert response.status_code == 400
    assert response["Content-Type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    body = response.json()
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    # application/json keeps a 200 and `"data": null`.
    legacy = post_accepting(http, "application/json", query, variables)
    assert (legacy.status_code, legacy["Content-Type"]) == (200, "application/json")
    assert legacy.json()["data"] is None


@pytest.mark.django_db
def test_a_result_is_graphql_response_json_when_accepted(http: Client) -> None:
    response = post_accepting(
        http, f"{GRAPHQL_RESPONSE}, application/json;q=0.9", '{ echo(text: "a") }'
    )
    assert (response.status_code, response["Content-Type"]) == (
        200,
        f"{GRAPHQL_RESPONSE}; charset=utf-8",
    )
    assert response.json() == {"data": {"echo": "a"}}
    for accept in ("application/json", "*/*", "", f"{GRAPHQL_RESPONSE};q=0.5, application/json"):
        assert post_accepting(http, accept, "{ __typename }")["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_a_get_varies_by_accept_on_graphql_but_never_on_persisted_urls(http: Client) -> None:
    response = http.get(GRAPHQL, {"query": "{ tree { name } }"}, HTTP_ACCEPT=GRAPHQL_RESPONSE)
    assert response["Content-Type"].startswith(GRAPHQL_RESPONSE)
    assert "Accept" in response["Vary"]
    persisted = http.get("/api/mizan/q/Tree/", HTTP_ACCEPT=GRAPHQL_RESPONSE)
    assert persisted.status_code == 200
    assert persisted["Content-Type"] == "application/json"
    assert "Accept" not in persisted.get("Vary", "")
