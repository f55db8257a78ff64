"""A live context whose function returns a strawberry-django type: its pushes read and fill
the same cache entries as a read of the context (the completed result, per selection)."""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mizan import invalidate
from mizan.cache import invalidate as drop
from mizan.client import client
from mizan.invalidation import Invalidation
from tests.app.models import Note
from tests.channels.conftest import Socket
from tests.models.types import NoteType

SELECTION = "boardNotes { title }"


def board() -> None:
    @client(context="board", public=True, live=True)
    def board_notes(request: Any, board_id: int) -> list[NoteType]:
        return Note.objects.filter(stars=board_id).order_by("pk")


def read(board_id: int) -> tuple[Any, int]:
    """``{ boardNotes { title } }`` over HTTP: the answer, and the note queries it made."""
    body = {"query": f"{{ boardNotes(boardId: {board_id}) {{ title }} }}"}
    with CaptureQueriesContext(connection) as captured:
        answer = Client().post(
            "/api/mizan/graphql/", json.dumps(body), content_type="application/json"
        )
    queries = [q for q in captured.captured_queries if "app_note" in q["sql"]]
    return answer.json()["data"]["boardNotes"], len(queries)


async def test_a_push_fills_the_entry_a_read_then_hits(app: Any) -> None:
    board()
    drop(Invalidation("board"))  # no entry from an earlier test of the same schema
    author = await sync_to_async(get_user_model().objects.create)(username="ada")
    await sync_to_async(Note.objects.create)(title="first", author=author, stars=1)
    socket = await Socket(app).open()
    await socket.subscribe("1", f"subscription {{ boardContext(boardId: 1) {{ {SELECTION} }} }}")
    first = await socket.receive()
    assert first["payload"]["data"]["boardContext"]["boardNotes"] == [{"title": "first"}]

    await sync_to_async(Note.objects.create)(title="second", author=author, stars=1)
    await sync_to_async(invalidate)("board", board_id=1)
    pushed = await socket.receive()
    titles = [{"title": "first"}, {"title": "second"}]
    assert pushed["payload"]["data"]["boardContext"]["boardNotes"] == titles
    # The push stored the completed result where a read of the same selection looks.
    assert await sync_to_async(read)(1) == (titles, 0)
    assert (await sync_to_async(read)(2))[1] == 1  # another scope: computed
    await socket.close()
