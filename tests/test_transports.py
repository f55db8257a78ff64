"""Every guarantee by every transport: one parametrised suite over the one runtime.

The transports: JSON POST, GET, multipart POST (``graphql/``), the persisted
GET (``q/``), WebSocket (graphql-transport-ws: subscribe with a query, a
mutation or a subscription), ``mizan.execute``, ``MizanTestClient`` and the
``{% mizan_hydrate %}`` tag. Each cell below is a test run with
``DEBUG = False``; ``—`` marks a cell that does not apply, and why.

======================  ====  ===  =========  ===  =========  =======  ===========  =======
guarantee               POST  GET  multipart  q/   WebSocket  execute  test client  hydrate
======================  ====  ===  =========  ===  =========  =======  ===========  =======
nested failure masked    ✓     ✓      ✓        ✓      ✓          ✓         ✓         ✓⁶
  and logged once
trusted documents only   ✓     ✓      ✓        ✓¹     ✓²         —³        —³        —³
no writes in a URL       —⁴    ✓      —⁴       ✓      —⁴         —⁴        —⁴        —⁷
Strawberry extensions    ✓     ✓      ✓        ✓⁵     ✓          ✓         ✓         ✓
auth= refused            ✓     ✓      ✓        ✓      ✓          ✓         ✓         ✓⁶
argument validation      ✓     ✓      ✓        ✓      ✓          ✓         ✓         —⁸
document limits          ✓     ✓      ✓        —⁹     ✓          ✓         —⁹        —⁹
variables' depth         ✓     ✓      ✓        ✓      ✓          ✓         ✓         —⁸
CSRF                     ✓     —¹⁰    ✓        —¹⁰    ✓¹¹        —¹²       —¹²       —¹⁰
invalidation report      ✓     —⁴     ✓        —⁴     ✓¹³        ✓         ✓         —⁷
======================  ====  ===  =========  ===  =========  =======  ===========  =======

1. ``q/`` serves persisted documents only: the trusted ones run, nothing else can.
2. Queries, mutations and channel subscriptions alike; a subscribe names its
   document by hash in ``extensions.persistedQuery``, as over HTTP.
3. Server code writes its own documents: they are trusted by definition.
4. Not a URL: a POST body, a WebSocket message, a call in server code.
5. When the operation executes: a stored public response is served without it.
6. The page embeds what a client reading the global context's persisted query
   gets, without its errors: a field that failed, or that ``auth=`` refused, is null
   (the whole bundle is, when that function's result is not Optional: GraphQL's null
   propagation), and no message reaches the page.
7. The tag only reads: the global context's persisted query.
8. The tag sends no variables: the global context's functions take no arguments.
9. Persisted documents (``q/``, the tag) and the test client's generated ones are the
   developer's own: the document limits are for documents a client wrote.
10. A GET changes nothing; the tag renders inside the page's own request.
11. The Origin check stands in its place: a page on another origin cannot open the
    socket with the user's cookies (a WebSocket handshake carries no CSRF token).
12. No browser, so no ambient cookie to abuse: server code and tests.
13. In a ``next`` payload's ``extensions.invalidate`` (a WebSocket message has no
    headers); over HTTP also the ``X-Mizan-Invalidate`` header; ``execute`` and the
    test client return it (``result.invalidations``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core.asgi import get_asgi_application
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from pydantic import BaseModel, Field, computed_field

from mizan import execute, wrap_asgi
from mizan.channels import ReactChannel
from mizan.client import client
from mizan.runtime import get_runtime
from mizan.testing import MizanTestClient

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/mizan/graphql/"


# --- the functions every cell runs ------------------------------------------------


class Account(BaseModel):
    owner: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def balance(self) -> int:
        raise RuntimeError("db password is hunter2")


class Echo(BaseModel):
    message: str


class Line(BaseModel):
    text: str


@pytest.fixture(autouse=True)
def functions(settings: Any) -> None:
    settings.DEBUG = False

    @client(read_only=True)
    def account(request, account_id: int) -> Account:
        return Account(owner=f"owner {account_id}")

    @client
    def echo(request, text: str) -> Echo:
        return Echo(message=text)

    @client(read_only=True)
    def shout(request, text: str) -> str:
        return text.upper()

    @client(auth=True, read_only=True)
    def secret(request) -> str:
        return f"for {request.user.username}"

    @client(auth="staff", read_only=True)
    def staff_note(request) -> str:
        return "for staff"

    @client(auth=lambda request: False, read_only=True)
    def sealed(request) -> str:
        return "never"

    @client(read_only=True)
    def bounded(request, count: Annotated[int, Field(ge=1, le=10)]) -> int:
        return count

    @client(read_only=True)
    def checked(request, email: str) -> str:
        raise ValidationError({"email": ["Enter a valid email address."]})

    @client(read_only=True)
    def store(request, data: dict) -> int:  # type: ignore[type-arg]
        return len(data)

    @client(context="cart")
    def cart_items(request) -> list[str]:
        return []

    @client(affects="cart")
    def add_to_cart(request, item: str) -> Echo:
        return Echo(message=item)

    # Optional, as a global context's functions should be: a failure or a refusal nulls
    # its own field; a non-null root field would null the whole bundle (GraphQL's null
    # propagation, over ctx/ and in the tag alike).
    @client(context="global")
    def profile(request) -> Account | None:
        return Account(owner="me")

    @client(context="global", auth=True)
    def viewer(request) -> str | None:
        return str(request.user.username)

    class RoomChannel(ReactChannel):
        class Params(BaseModel):
            room: str

        DjangoMessage = Line


ACCOUNT = "query Account($account_id: Int!) { account(accountId: $account_id) { owner balance } }"
ECHO = 'mutation Echo { echo(text: "x") { message } }'
SHOUT = 'query Loud { shout(text: "x") }'
ROOM = 'subscription Room { roomChannel(room: "lobby") { text } }'


# --- the transports ---------------------------------------------------------------


@dataclass
class Reply:
    """What a client received: an HTTP status (``ws`` for a WebSocket), a body, headers."""

    status: int | str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]


Send = Callable[..., Reply]


def http(response: Any) -> Reply:
    return Reply(response.status_code, json.loads(response.content), dict(response.items()))


def browser(user: Any = None, **options: Any) -> Client:
    """A test client, logged in as ``user`` (a session cookie) when one is given."""
    client = Client(**options)
    if user is not None:
        client.force_login(user)
    return client


def post(
    query: str | None, variables: dict[str, Any] | None = None, *, user: Any = None, **body: Any
) -> Reply:
    payload = {"query": query, "variables": variables, **body}
    response = browser(user).post(URL, json.dumps(payload), content_type="application/json")
    return http(response)


def get(
    query: str | None, variables: dict[str, Any] | None = None, *, user: Any = None, **body: Any
) -> Reply:
    params = {"query": query, **{k: json.dumps(v) for k, v in body.items()}}
    if variables:
        params["variables"] = json.dumps(variables)
    params = {k: v for k, v in params.items() if v is not None}
    return http(browser(user).get(URL, params, HTTP_ACCEPT="application/json"))


def multipart(
    query: str | None, variables: dict[str, Any] | None = None, *, user: Any = None, **body: Any
) -> Reply:
    operations = {"query": query, "variables": variables or {}, **body}
    data = {"operations": json.dumps(operations), "map": "{}"}
    return http(browser(user).post(URL, data))


def url_value(value: Any) -> str:
    """A variable's text in a persisted URL: JSON for lists and objects, canonical."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def persisted(
    query: str | None, variables: dict[str, Any] | None = None, *, user: Any = None, **body: Any
) -> Reply:
    """``q/<Operation>/``: the document is found by its name, as a client's URL names it."""
    assert query is not None
    name = next(op.name for op in get_runtime().compiled.operations.values() if op.text == query)
    pairs = sorted((k, url_value(v)) for k, v in (variables or {}).items())
    url = f"/api/mizan/q/{name}/?" + urlencode(pairs)
    return http(browser(user).get(url, follow=True))


def session_cookie(user: Any) -> list[tuple[bytes, bytes]]:
    """The handshake headers of a browser where ``user`` is logged in."""
    cookie = browser(user).cookies["sessionid"].value
    return [(b"cookie", f"sessionid={cookie}".encode())]


def websocket(
    query: str | None,
    variables: dict[str, Any] | None = None,
    *,
    user: Any = None,
    headers: list[tuple[bytes, bytes]] | None = None,
    **body: Any,
) -> Reply:
    """One subscribe on a fresh connection: its ``next`` (the first) or its ``error``."""
    headers = [*(headers or []), *(session_cookie(user) if user is not None else [])]

    async def run() -> Reply:
        communicator = WebsocketCommunicator(
            wrap_asgi(get_asgi_application()),
            URL,
            subprotocols=["graphql-transport-ws"],
            headers=headers,
        )
        connected, _ = await communicator.connect()
        if not connected:
            return Reply("refused", {})
        await communicator.send_json_to({"type": "connection_init"})
        assert (await communicator.receive_json_from())["type"] == "connection_ack"
        payload = {"query": query, "variables": variables, **body}
        payload = {k: v for k, v in payload.items() if v is not None}
        await communicator.send_json_to({"id": "1", "type": "subscribe", "payload": payload})
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        if message["type"] == "error":
            return Reply("ws", {"errors": message["payload"]})
        assert message["type"] == "next", message
        return Reply("ws", message["payload"])

    return async_to_sync(run)()


def server_request(user: Any = None) -> Any:
    """A request as a view receives it (AuthenticationMiddleware set ``user``)."""
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().post(URL)
    request.user = user if user is not None else AnonymousUser()
    return request


def server(
    query: str | None, variables: dict[str, Any] | None = None, *, user: Any = None, **body: Any
) -> Reply:
    """``mizan.execute`` from server code."""
    assert query is not None and not body
    result = execute(server_request(user), query, variables)
    return Reply(
        "execute",
        dict(result.formatted),
        {"invalidations": json.dumps([i.as_json() for i in result.invalidations])},
    )


def via_test_client(
    query: str | None, variables: dict[str, Any] | None = None, *, user: Any = None, **body: Any
) -> Reply:
    """``MizanTestClient``: it calls a function by name, so the one root field's."""
    assert query is not None and not body
    runtime = get_runtime()
    [name] = [n for n in runtime.compiled.functions if f"{n}(" in query or f"{{ {n} }}" in query]
    definition = runtime.compiled.functions[name]
    kwargs = {k: v for k, v in (variables or {}).items()}
    result = MizanTestClient(user=user).call(definition.name, **kwargs)
    return Reply(
        "test client",
        {"data": result.data, "errors": result.errors},
        {"invalidations": json.dumps(result.invalidations)},
    )


TRANSPORTS: dict[str, Send] = {
    "post": post,
    "get": get,
    "multipart": multipart,
    "q": persisted,
    "websocket": websocket,
    "execute": server,
    "test client": via_test_client,
}


def over(*names: str) -> Any:
    return pytest.mark.parametrize("send", [TRANSPORTS[n] for n in names], ids=names)


# --- nested failure masked and logged once ----------------------------------------


@over(*TRANSPORTS)
def test_a_nested_failure_is_masked_and_logged_once(
    send: Send, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="mizan"):
        reply = send(ACCOUNT, {"account_id": 5})
    [error] = reply.errors
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "hunter2" not in json.dumps(reply.body)
    if send is not via_test_client:  # the test client returns typed data, without paths
        assert error["path"] == ["account", "balance"]
    [record] = [r for r in caplog.records if r.name == "mizan"]
    assert record.exc_info and "hunter2" in str(record.exc_info[1])
    assert "account.balance" in record.getMessage()


# --- trusted documents only ---------------------------------------------------------


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def trusted_only(tmp_path: Path, settings: Any) -> None:
    documents = tmp_path / "documents.json"
    documents.write_text(json.dumps({sha(SHOUT): SHOUT, sha(ECHO): ECHO}))
    settings.MIZAN = {"PERSISTED_DOCUMENTS": str(documents), "TRUSTED_DOCUMENTS_ONLY": True}


ARBITRARY = {
    "query": '{ account(accountId: 5) { owner } shout(text: "y") }',
    "mutation": 'mutation { echo(text: "y") { message } }',
    "subscription": 'subscription { roomChannel(room: "x") { text } }',
}


@pytest.mark.parametrize(
    ("transport", "kind"),
    [
        (transport, kind)
        for transport in ("post", "get", "multipart", "websocket")
        for kind in ARBITRARY
        if (transport, kind) != ("get", "mutation")  # a write in a URL: 405 (below)
    ],
)
def test_trusted_only_refuses_an_arbitrary_document(
    transport: str, kind: str, trusted_only: None
) -> None:
    reply = TRANSPORTS[transport](ARBITRARY[kind])
    assert reply.codes == ["TRUSTED_DOCUMENTS_ONLY"]
    assert "data" not in reply.body or reply.body["data"] is None


@over("post", "multipart", "websocket")
def test_trusted_only_runs_a_trusted_mutation_by_hash(send: Send, trusted_only: None) -> None:
    reply = send(None, extensions={"persistedQuery": {"version": 1, "sha256Hash": sha(ECHO)}})
    assert reply.body == {"data": {"echo": {"message": "x"}}}


@over("post", "get", "multipart", "websocket")
def test_trusted_only_runs_a_trusted_query_by_text(send: Send, trusted_only: None) -> None:
    assert send(SHOUT).body == {"data": {"shout": "X"}}


def test_trusted_only_serves_persisted_urls(trusted_only: None) -> None:
    assert persisted(SHOUT).body == {"data": {"shout": "X"}}


async def test_trusted_only_a_channel_subscription_by_hash(trusted_only: None) -> None:
    from asgiref.sync import sync_to_async

    operation = (await sync_to_async(get_runtime)()).compiled.operations["RoomChannel"]
    assert operation.text.startswith("subscription RoomChannel")
    communicator = WebsocketCommunicator(
        wrap_asgi(get_asgi_application()), URL, subprotocols=["graphql-transport-ws"]
    )
    await communicator.connect()
    await communicator.send_json_to({"type": "connection_init"})
    await communicator.receive_json_from()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": operation.id}}
    await communicator.send_json_to(
        {
            "id": "1",
            "type": "subscribe",
            "payload": {"variables": {"room": "lobby"}, "extensions": extensions},
        }
    )
    assert await communicator.receive_nothing(0.3)  # subscribed: no error, waiting for events
    await communicator.send_json_to(
        {"id": "2", "type": "subscribe", "payload": {"query": ROOM}}  # not the persisted text
    )
    message = await communicator.receive_json_from()
    assert message["id"] == "2" and message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"
    await communicator.disconnect()


# --- no writes in a URL ---------------------------------------------------------------


@pytest.fixture
def form_query() -> str:
    from django import forms

    from mizan.forms import mizanFormMeta, mizanFormMixin

    class ContactForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="contact")
        name = forms.CharField()

        def on_submit_success(self, request: Any) -> dict[str, Any]:
            return {}

    return 'query ContactValidate { contactValidate(data: {name: "a"}) { ok } }'


def assert_method_not_allowed(reply: Reply) -> None:
    assert reply.status == 405
    assert reply.headers["Allow"] == "POST"
    assert reply.codes == ["METHOD_NOT_ALLOWED"]
    assert reply.errors[0]["message"].endswith("send it as POST.")
    assert "data" not in reply.body  # refused before execution started


def test_a_mutation_over_get_is_405() -> None:
    assert_method_not_allowed(get(ECHO))


def test_a_query_taking_form_data_over_get_is_405(form_query: str) -> None:
    assert_method_not_allowed(get(form_query))


def test_a_persisted_mutation_over_q_is_405(tmp_path: Path, settings: Any) -> None:
    documents = tmp_path / "documents.json"
    documents.write_text(json.dumps({sha(ECHO): ECHO}))
    settings.MIZAN = {"PERSISTED_DOCUMENTS": str(documents)}
    assert_method_not_allowed(http(Client().get("/api/mizan/q/Echo/")))


def test_a_persisted_query_taking_form_data_over_q_is_405(
    form_query: str, tmp_path: Path, settings: Any
) -> None:
    documents = tmp_path / "documents.json"
    documents.write_text(json.dumps({sha(form_query): form_query}))
    settings.MIZAN = {"PERSISTED_DOCUMENTS": str(documents)}
    assert_method_not_allowed(http(Client().get("/api/mizan/q/ContactValidate/")))


# --- Strawberry extensions (MIZAN["EXTENSIONS"]) -------------------------------------


@pytest.fixture
def spans(settings: Any) -> Any:
    """Strawberry's OpenTelemetry extension, its spans kept by the SDK's in-memory exporter."""
    from functools import partial

    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from strawberry.extensions.tracing import OpenTelemetryExtensionSync

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    settings.MIZAN = {"EXTENSIONS": [partial(OpenTelemetryExtensionSync, tracer_provider=provider)]}
    return exporter


def span_names(exporter: Any) -> list[str]:
    return [span.name for span in exporter.get_finished_spans()]


@over(*TRANSPORTS)
def test_an_extension_runs_on_every_transport(send: Send, spans: Any) -> None:
    reply = send(SHOUT_BY_VARIABLE, {"text": "x"})
    assert reply.body["data"] == ("X" if send is via_test_client else {"shout": "X"})
    names = span_names(spans)
    assert names.count("GraphQL Resolving: shout") == 1  # the resolve hook, per field
    [operation] = [n for n in names if n.startswith("GraphQL Query")]
    if send is not via_test_client:  # the test client names the operation after the function
        assert operation == "GraphQL Query: Shout"


SHOUT_BY_VARIABLE = "query Shout($text: String!) { shout(text: $text) }"


def test_parse_and_validate_hooks_run_on_a_cache_miss_only(spans: Any) -> None:
    post(SHOUT_BY_VARIABLE, {"text": "a"})
    post(SHOUT_BY_VARIABLE, {"text": "b"})
    names = span_names(spans)
    assert names.count("GraphQL Parsing") == 1 and names.count("GraphQL Validation") == 1
    assert names.count("GraphQL Query: Shout") == 2


def test_an_extension_instance_is_refused(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured
    from strawberry.extensions import SchemaExtension

    settings.MIZAN = {"EXTENSIONS": [SchemaExtension()]}
    with pytest.raises(
        ImproperlyConfigured, match=r"an instance of SchemaExtension; give the class"
    ):
        get_runtime()


def test_without_extensions_nothing_is_built(rf: Any) -> None:
    from mizan.runtime import MizanContext

    runtime = get_runtime()
    assert runtime.extensions == ()
    assert (
        runtime.hooks(MizanContext(request=rf.get("/")), "{ __typename }", None, None, None) is None
    )


# --- auth= refused, with one code everywhere ------------------------------------------


def operation(name: str) -> str:
    """A persisted operation's text: what every transport sends, ``q/`` by its name."""
    return get_runtime().compiled.operations[name].text


@pytest.fixture
def alice(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("alice", password="pw")


def field_value(send: Send, reply: Reply, name: str) -> Any:
    """A root field's value: the test client returns the function's value itself."""
    if send is via_test_client:
        return reply.body["data"]
    return (reply.body.get("data") or {}).get(name)


@over(*TRANSPORTS)
@pytest.mark.parametrize(
    ("name", "logged_in", "code", "message"),
    [
        ("Secret", False, "UNAUTHENTICATED", "Authentication required."),
        ("StaffNote", True, "FORBIDDEN", "This call requires a staff user."),
        ("Sealed", True, "FORBIDDEN", "You may not make this call."),
    ],
    ids=["auth=True", "auth='staff'", "auth=callable"],
)
def test_auth_refuses_with_one_code_everywhere(
    send: Send, name: str, logged_in: bool, code: str, message: str, alice: Any
) -> None:
    reply = send(operation(name), user=alice if logged_in else None)
    [error] = reply.errors
    assert (error["message"], error["extensions"]) == (message, {"code": code})
    assert field_value(send, reply, name[0].lower() + name[1:]) is None


@over(*TRANSPORTS)
def test_auth_lets_the_user_through(send: Send, alice: Any) -> None:
    reply = send(operation("Secret"), user=alice)
    assert not reply.errors
    assert field_value(send, reply, "secret") == "for alice"


# --- argument validation: messages and codes kept -------------------------------------


@over(*TRANSPORTS)
def test_pydantic_refuses_an_argument_with_its_message(send: Send) -> None:
    [error] = send(operation("Bounded"), {"count": 50}).errors
    assert error["message"] == (
        "Invalid value for argument 'count' at 'count': Input should be less than or equal to 10"
    )
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "argument": "count",
        "problems": [{"path": ["count"], "message": "Input should be less than or equal to 10"}],
    }


@over(*TRANSPORTS)
def test_a_django_validation_error_keeps_its_messages(send: Send) -> None:
    [error] = send(operation("Checked"), {"email": "nope"}).errors
    assert error["message"] == "Enter a valid email address."
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "fields": {"email": ["Enter a valid email address."]},
    }


# --- limits: the same refusal everywhere ------------------------------------------------


def fragment_dag(levels: int) -> str:
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


LIMITED = [
    (
        fragment_dag(40),
        "TOO_MANY_SELECTIONS",
        {"setting": "MAX_SELECTIONS", "limit": 1000},
    ),
    (
        "{ " + " ".join(f'a{i}: shout(text: "x")' for i in range(31)) + " }",
        "TOO_MANY_ALIASES",
        {"setting": "MAX_ALIASES", "limit": 30},
    ),
    (
        "{ " + " ".join(["__typename"] * 5001) + " }",
        "GRAPHQL_PARSE_FAILED",
        {},
    ),
]


@over("post", "get", "multipart", "websocket", "execute")
@pytest.mark.parametrize(
    ("document", "code", "extensions"), LIMITED, ids=["selections", "aliases", "tokens"]
)
def test_a_document_over_a_limit_is_refused_alike(
    send: Send, document: str, code: str, extensions: dict[str, Any]
) -> None:
    reply = send(document)
    [error] = reply.errors
    assert error["extensions"] == {"code": code, **extensions}
    assert reply.body.get("data") is None


@over(*TRANSPORTS)
def test_variables_nested_too_deep_are_refused_alike(send: Send) -> None:
    deep: Any = 1
    for _ in range(25):
        deep = [deep]
    reply = send(operation("Store"), {"data": {"a": deep}})
    [error] = reply.errors
    assert error["extensions"] == {
        "code": "VARIABLES_TOO_DEEP",
        "setting": "MAX_VARIABLES_DEPTH",
        "limit": 20,
    }
    assert field_value(send, reply, "store") is None
    within = send(operation("Store"), {"data": {"a": [[1]]}})
    assert field_value(send, within, "store") == 1


# --- CSRF, and the WebSocket's Origin check in its place ----------------------------------

CSRF = "c" * 32


def test_a_cookie_post_needs_the_csrf_token(alice: Any) -> None:
    client = browser(alice, enforce_csrf_checks=True)
    body = json.dumps({"query": SHOUT})
    refused = http(client.post(URL, body, content_type="application/json"))
    assert (refused.status, refused.codes) == (403, ["CSRF_FAILED"])
    assert "data" not in refused.body
    client.cookies["csrftoken"] = CSRF
    allowed = client.post(URL, body, content_type="application/json", HTTP_X_CSRFTOKEN=CSRF)
    assert http(allowed).body == {"data": {"shout": "X"}}


def test_a_cookieless_post_needs_no_token() -> None:
    client = Client(enforce_csrf_checks=True)  # token auth, server to server: no cookie
    response = client.post(URL, json.dumps({"query": SHOUT}), content_type="application/json")
    assert http(response).body == {"data": {"shout": "X"}}


def test_every_multipart_post_needs_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    data = {"operations": json.dumps({"query": SHOUT}), "map": "{}"}
    refused = http(client.post(URL, data))
    assert (refused.status, refused.codes) == (403, ["CSRF_FAILED"])
    client.cookies["csrftoken"] = CSRF
    assert http(client.post(URL, data, HTTP_X_CSRFTOKEN=CSRF)).body == {"data": {"shout": "X"}}


def test_the_websocket_origin_check_stands_in_for_csrf(alice: Any, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["testserver"]

    def browser_on(origin: str) -> list[tuple[bytes, bytes]]:
        return [(b"origin", origin.encode()), (b"host", b"testserver")]

    foreign = websocket(operation("Secret"), user=alice, headers=browser_on("http://evil.example"))
    assert foreign.status == "refused"  # the handshake, before the user's cookie is used
    same = websocket(operation("Secret"), user=alice, headers=browser_on("http://testserver"))
    assert same.body == {"data": {"secret": "for alice"}}


# --- the invalidation report ----------------------------------------------------------------

ADD = 'mutation AddToCart { addToCart(item: "x") { message } }'
CART = [{"context": "cart", "params": {}}]


@over("post", "multipart")
def test_http_reports_invalidations_in_the_header_and_the_body(send: Send) -> None:
    reply = send(ADD)
    assert reply.body == {
        "data": {"addToCart": {"message": "x"}},
        "extensions": {"invalidate": CART},
    }
    assert reply.headers["X-Mizan-Invalidate"] == "cart"


def test_a_websocket_reports_invalidations_in_the_next_payload() -> None:
    reply = websocket(ADD)
    assert reply.body == {
        "data": {"addToCart": {"message": "x"}},
        "extensions": {"invalidate": CART},
    }


@over("execute", "test client")
def test_server_code_gets_the_invalidations_returned(send: Send) -> None:
    reply = send(ADD, {"item": "x"} if send is via_test_client else None)
    assert not reply.errors
    assert json.loads(reply.headers["invalidations"]) == CART
    if send is server:
        assert reply.body["extensions"] == {"invalidate": CART}


# --- the hydrate tag ---------------------------------------------------------------------


def hydrate(user: Any = None) -> tuple[dict[str, Any], str]:
    """The page's ``{% mizan_hydrate %}``: the embedded global context, and the HTML."""
    from django.template import Context, Template

    request = server_request(user)
    html = Template("{% load mizan %}{% mizan_hydrate %}").render(Context({"request": request}))
    embedded = html.split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(embedded), html


def test_hydrate_masks_a_nested_failure_and_logs_it_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="mizan"):
        data, html = hydrate()
    assert data["profile"] is None
    assert "hunter2" not in html
    [record] = [r for r in caplog.records if r.name == "mizan"]
    assert "profile.balance" in record.getMessage()
    assert record.exc_info and "hunter2" in str(record.exc_info[1])


def test_hydrate_leaves_out_what_auth_refuses(alice: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="mizan"):
        anonymous, html = hydrate()
    assert anonymous["viewer"] is None
    assert "Authentication required" not in html
    assert not [r for r in caplog.records if "viewer" in r.getMessage()]  # not a bug
    assert hydrate(alice)[0]["viewer"] == "alice"


def test_hydrate_runs_the_extensions(spans: Any) -> None:
    hydrate()
    names = span_names(spans)
    assert "GraphQL Query: GlobalContext" in names
    assert names.count("GraphQL Resolving: viewer") == 1
