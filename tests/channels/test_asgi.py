"""``wrap_asgi``: which connections reach the GraphQL consumer, and which are refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.testing import HttpCommunicator
from pydantic import BaseModel

from mizan.channels import ReactChannel
from mizan.client import client
from tests.channels.conftest import GRAPHQL, Socket


@pytest.fixture(autouse=True)
def _function() -> None:
    @client
    def echo(request: Any, text: str) -> str:
        return text

    class Ping(ReactChannel):
        class DjangoMessage(BaseModel):
            n: int


async def test_http_goes_to_the_wrapped_django_app(app: Any) -> None:
    body = json.dumps({"query": 'mutation { echo(text: "over asgi") }'}).encode()
    response = await HttpCommunicator(
        app, "POST", GRAPHQL, body=body, headers=[(b"content-type", b"application/json")]
    ).get_response()
    assert response["status"] == 200
    assert json.loads(response["body"]) == {"data": {"echo": "over asgi"}}


async def test_websockets_elsewhere_are_refused(app: Any) -> None:
    for path in ("/", "/api/mizan/", "/api/mizan/graphql", "/ws/graphql/"):
        assert await Socket(app, path).connect() == (False, 1000), path


async def test_the_websocket_follows_the_prefix_mizan_urls_is_included_under(
    app: Any, settings: Any
) -> None:
    settings.ROOT_URLCONF = "tests.channels.urls_prefixed"
    assert await Socket(app, GRAPHQL).connect() == (False, 1000)
    socket = await Socket(app, "/v2/graphql-api/graphql/").open()
    await socket.subscribe("1", 'mutation { echo(text: "prefixed") }')
    assert (await socket.receive())["payload"] == {"data": {"echo": "prefixed"}}
    await socket.close()


async def test_only_graphql_transport_ws_is_spoken(app: Any) -> None:
    socket = Socket(app, subprotocols=["graphql-ws"])
    assert await socket.connect() == (True, None)
    closed = await socket.communicator.receive_output(1)
    assert closed["code"] == 4406


def origin(value: str, host: str = "testserver") -> list[tuple[bytes, bytes]]:
    return [(b"origin", value.encode()), (b"host", host.encode())]


@pytest.mark.parametrize(
    ("headers", "accepted"),
    [
        ([], True),  # no Origin: not a browser, so no ambient cookies to abuse
        (origin("http://testserver"), True),  # same origin, host in ALLOWED_HOSTS
        (origin("http://evil.example"), False),
        (origin("http://localhost:5173", "localhost:8000"), False),  # another port
        (origin("http://rebound.example", "rebound.example"), False),  # DNS rebinding
        (origin("null"), False),
    ],
)
async def test_origin_check(app: Any, settings: Any, headers: Any, accepted: bool) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    connected, _ = await Socket(app, headers=headers).connect()
    assert connected is accepted


async def test_listed_origins_may_connect_cross_origin(app: Any, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.MIZAN = {"CHANNELS_ALLOWED_ORIGINS": ["http://localhost:5173"]}
    headers = origin("http://localhost:5173", "localhost:8000")
    assert (await Socket(app, headers=headers).connect())[0] is True
    other = origin("http://localhost:5174", "localhost:8000")
    assert (await Socket(app, headers=other).connect())[0] is False
