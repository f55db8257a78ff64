"""Every guarantee by every transport: one parametrised suite over the one runtime.

The transports: JSON POST, GET, multipart POST (``graphql/``), the persisted
GET (``q/``), WebSocket (graphql-transport-ws: subscribe with a query, a
mutation or a subscription), ``mizan.execute`` and ``MizanTestClient``. Each
cell below is a test run with ``DEBUG = False``; ``—`` marks a cell that does
not apply, and why.

=====================  ====  ===  =========  ===  =========  =======  ===========
guarantee              POST  GET  multipart  q/   WebSocket  execute  test client
=====================  ====  ===  =========  ===  =========  =======  ===========
nested failure masked   ✓     ✓      ✓        ✓      ✓          ✓         ✓
  and logged once
trusted documents only  ✓     ✓      ✓        ✓¹     ✓²         —³        —³
no writes in a URL      —⁴    ✓      —⁴       ✓      —⁴         —⁴        —⁴
Strawberry extensions   ✓     ✓      ✓        ✓⁵     ✓          ✓         ✓
=====================  ====  ===  =========  ===  =========  =======  ===========

1. ``q/`` serves persisted documents only: the trusted ones run, nothing else can.
2. Queries, mutations and channel subscriptions alike; a subscribe names its
   document by hash in ``extensions.persistedQuery``, as over HTTP.
3. Server code writes its own documents: they are trusted by definition.
4. Not a URL: a POST body, a WebSocket message, a call in server code.
5. When the operation executes: a stored public response is served without it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core.asgi import get_asgi_application
from django.test import Client, RequestFactory
from pydantic import BaseModel, computed_field

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


def post(query: str | None, variables: dict[str, Any] | None = None, **body: Any) -> Reply:
    payload = {"query": query, "variables": variables, **body}
    return http(Client().post(URL, json.dumps(payload), content_type="application/json"))


def get(query: str | None, variables: dict[str, Any] | None = None, **body: Any) -> Reply:
    params = {"query": query, **{k: json.dumps(v) for k, v in body.items()}}
    if variables:
        params["variables"] = json.dumps(variables)
    params = {k: v for k, v in params.items() if v is not None}
    return http(Client().get(URL, params, HTTP_ACCEPT="application/json"))


def multipart(query: str | None, variables: dict[str, Any] | None = None, **body: Any) -> Reply:
    operations = {"query": query, "variables": variables or {}, **body}
    data = {"operations": json.dumps(operations), "map": "{}"}
    return http(Client().post(URL, data))


def persisted(query: str | None, variables: dict[str, Any] | None = None, **body: Any) -> Reply:
    """``q/<Operation>/``: the document is found by its name, as a client's URL names it."""
    assert query is not None
    name = next(op.name for op in get_runtime().compiled.operations.values() if op.text == query)
    url = f"/api/mizan/q/{name}/?" + urlencode(sorted((variables or {}).items()))
    return http(Client().get(url, follow=True))


def websocket(query: str | None, variables: dict[str, Any] | None = None, **body: Any) -> Reply:
    """One subscribe on a fresh connection: its ``next`` (the first) or its ``error``."""

    async def run() -> Reply:
        communicator = WebsocketCommunicator(
            wrap_asgi(get_asgi_application()), URL, subprotocols=["graphql-transport-ws"]
        )
        connected, _ = await communicator.connect()
        assert connected
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


def server(query: str | None, variables: dict[str, Any] | None = None, **body: Any) -> Reply:
    """``mizan.execute`` from server code."""
    assert query is not None and not body
    result = execute(RequestFactory().post(URL), query, variables)
    return Reply("execute", dict(result.formatted))


def via_test_client(
    query: str | None, variables: dict[str, Any] | None = None, **body: Any
) -> Reply:
    """``MizanTestClient``: it calls a function by name, so the one root field's."""
    assert query is not None and not body
    runtime = get_runtime()
    [name] = [n for n in runtime.compiled.functions if f"{n}(" in query]
    definition = runtime.compiled.functions[name]
    kwargs = {k: v for k, v in (variables or {}).items()}
    result = MizanTestClient().call(definition.name, **kwargs)
    return Reply("test client", {"data": result.data, "errors": result.errors})


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
