"""Model results over the asynchronous transports: a WebSocket query and an ASGI request,
relations (a foreign key, a many-to-many) included, no lazy read on the event loop."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import AsyncClient

from mizan.client import client
from tests.channels.conftest import Socket, app, layer  # noqa: F401  (fixtures)
from tests.models.test_results import FULL, make_notes
from tests.models.types import NoteType

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def close_thread_connections() -> AsyncIterator[None]:
    """The ORM ran in asgiref's thread: its connection is closed there, or PostgreSQL
    refuses to drop the test database at the end of the run."""
    yield
    await sync_to_async(connections.close_all)()


def register() -> None:
    from tests.app.models import Note

    @client(read_only=True)
    def notes(request) -> list[NoteType]:
        return Note.objects.all()

    @client(read_only=True)
    async def async_notes(request) -> list[NoteType]:
        return Note.objects.all()


EXPECTED = [
    {"title": "ws-00", "stars": 0, "author": {"username": "ws"}, "topics": [{"name": "red"}]},
    {
        "title": "ws-01",
        "stars": 1,
        "author": {"username": "ws"},
        "topics": [{"name": "red"}, {"name": "blue"}],
    },
]


@pytest.mark.parametrize("field", ["notes", "asyncNotes"])
async def test_a_query_over_a_websocket(app: Any, field: str) -> None:  # noqa: F811
    register()
    await sync_to_async(make_notes)(2, "ws")
    socket = await Socket(app).open()
    try:
        await socket.subscribe("1", f"{{ {field} {{ {FULL} }} }}")
        message = await socket.receive()
        assert message["type"] == "next", message
        assert message["payload"] == {"data": {field: EXPECTED}}
        assert (await socket.receive())["type"] == "complete"
    finally:
        await socket.close()


@pytest.mark.parametrize("field", ["notes", "asyncNotes"])
async def test_a_query_through_the_asgi_handler(field: str) -> None:
    register()
    await sync_to_async(make_notes)(2, "ws")
    response = await AsyncClient().post(
        "/api/mizan/graphql/",
        json.dumps({"query": f"{{ {field} {{ {FULL} }} }}"}),
        content_type="application/json",
    )
    assert response.json() == {"data": {field: EXPECTED}}
