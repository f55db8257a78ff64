"""strawberry-django types as results: lists, QuerySets, single rows, filters, ordering,
pagination, connections, and the optimizer's query counts, sync and async."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry import relay
from strawberry_django.pagination import OffsetPaginated

from mizan.client import client
from mizan.client import client as mizan_client
from mizan.schema import get_schema
from mizan.testing import MizanTestClient
from tests.app.models import Note, Topic
from tests.models.types import NoteNode, NoteType

pytestmark = pytest.mark.django_db(transaction=False)

FULL = "title stars author { username } topics { name }"


def make_notes(count: int, username: str = "ada") -> list[Note]:
    author = get_user_model().objects.create(username=username)
    red, blue = (
        Topic.objects.get_or_create(name="red")[0],
        Topic.objects.get_or_create(name="blue")[0],
    )
    notes = []
    for i in range(count):
        note = Note.objects.create(title=f"{username}-{i:02}", author=author, stars=i % 5)
        note.topics.set([red, blue] if i % 2 else [red])
        notes.append(note)
    return notes


def register_notes() -> None:
    @client(read_only=True)
    def notes(request) -> list[NoteType]:
        """Every note."""
        return Note.objects.all()

    @client(read_only=True)
    def note(request, pk: int) -> NoteType | None:
        return Note.objects.filter(pk=pk).first()

    @client(read_only=True)
    def note_rows(request) -> list[NoteType]:
        return list(Note.objects.order_by("pk"))

    @client(read_only=True)
    def note_page(request) -> relay.ListConnection[NoteNode]:
        return Note.objects.order_by("pk")

    @client(read_only=True)
    def note_offsets(request) -> OffsetPaginated[NoteType]:
        return Note.objects.order_by("pk")

    @client(read_only=True)
    async def async_notes(request) -> list[NoteType]:
        return Note.objects.all()


def execute(client: object, query: str, variables: dict | None = None) -> dict:
    import json

    body = {"query": query, **({"variables": variables} if variables else {})}
    response = client.post(  # type: ignore[attr-defined]
        "/api/mizan/graphql/", json.dumps(body), content_type="application/json"
    )
    return response.json()


def test_the_root_field_is_a_strawberry_django_list_with_its_arguments() -> None:
    register_notes()
    sdl = get_schema().sdl()
    assert (
        "notes(filters: NoteFilter, ordering: [NoteOrder!]! = [], pagination: "
        "OffsetPaginationInput): [NoteType!]!" in sdl
    )
    assert "note(pk: Int!): NoteType\n" in sdl
    assert "): NoteNodeConnection!" in sdl
    assert "): NoteTypeOffsetPaginated!" in sdl
    assert '"""Every note."""\n  notes(' in sdl


def test_a_queryset_resolves_with_relations(client) -> None:
    register_notes()
    make_notes(3)
    result = execute(client, f"{{ notes {{ {FULL} }} }}")
    assert result == {
        "data": {
            "notes": [
                {
                    "title": "ada-00",
                    "stars": 0,
                    "author": {"username": "ada"},
                    "topics": [{"name": "red"}],
                },
                {
                    "title": "ada-01",
                    "stars": 1,
                    "author": {"username": "ada"},
                    "topics": [{"name": "red"}, {"name": "blue"}],
                },
                {
                    "title": "ada-02",
                    "stars": 2,
                    "author": {"username": "ada"},
                    "topics": [{"name": "red"}],
                },
            ]
        }
    }


def test_one_row_a_missing_row_and_a_list_of_rows(client) -> None:
    register_notes()
    first, *_ = make_notes(2)
    assert execute(client, f"{{ note(pk: {first.pk}) {{ title author {{ username }} }} }}") == {
        "data": {"note": {"title": "ada-00", "author": {"username": "ada"}}}
    }
    assert execute(client, "{ note(pk: 999999) { title } }") == {"data": {"note": None}}
    rows = execute(client, "{ noteRows { title topics { name } } }")["data"]["noteRows"]
    assert [r["title"] for r in rows] == ["ada-00", "ada-01"]


def test_filters_ordering_and_offset_pagination_apply_to_the_returned_queryset(client) -> None:
    register_notes()
    make_notes(6)
    query = """query ($f: NoteFilter, $o: [NoteOrder!]!, $p: OffsetPaginationInput) {
        notes(filters: $f, ordering: $o, pagination: $p) { title stars } }"""
    result = execute(
        client,
        query,
        {"f": {"stars": {"gte": 1}}, "o": [{"stars": "DESC"}, {"title": "ASC"}], "p": {"limit": 3}},
    )
    assert result == {
        "data": {
            "notes": [
                {"title": "ada-04", "stars": 4},
                {"title": "ada-03", "stars": 3},
                {"title": "ada-02", "stars": 2},
            ]
        }
    }


def test_a_function_s_rows_are_the_only_rows_filters_see(client) -> None:
    @mizan_client(read_only=True)
    def my_notes(request) -> list[NoteType]:
        return Note.objects.filter(author__username="ada")

    make_notes(3)
    make_notes(3, username="bob")
    result = execute(client, '{ myNotes(filters: {title: {startsWith: "bob"}}) { title } }')
    assert result == {"data": {"myNotes": []}}
    titles = [n["title"] for n in execute(client, "{ myNotes { title } }")["data"]["myNotes"]]
    assert titles == ["ada-00", "ada-01", "ada-02"]


def test_cursor_connection_pages_forward(client) -> None:
    register_notes()
    make_notes(5)
    query = """query ($after: String) { notePage(first: 2, after: $after) {
        edges { cursor node { title } } pageInfo { hasNextPage endCursor } } }"""
    first = execute(client, query)["data"]["notePage"]
    assert [e["node"]["title"] for e in first["edges"]] == ["ada-00", "ada-01"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = execute(client, query, {"after": first["pageInfo"]["endCursor"]})["data"]["notePage"]
    assert [e["node"]["title"] for e in second["edges"]] == ["ada-02", "ada-03"]
    filtered = execute(
        client, "{ notePage(filters: {stars: {exact: 4}}) { edges { node { title } } } }"
    )
    assert filtered == {"data": {"notePage": {"edges": [{"node": {"title": "ada-04"}}]}}}


def test_offset_paginated_counts_and_pages(client) -> None:
    register_notes()
    make_notes(5)
    result = execute(
        client,
        "{ noteOffsets(pagination: {offset: 3, limit: 5}) { totalCount results { title } } }",
    )
    assert result == {
        "data": {
            "noteOffsets": {"totalCount": 5, "results": [{"title": "ada-03"}, {"title": "ada-04"}]}
        }
    }


def queries_for(client, count: int, field: str = "notes") -> tuple[int, int]:  # type: ignore[no-untyped-def]
    make_notes(count, username=f"user{count}")
    with CaptureQueriesContext(connection) as captured:
        result = execute(client, f"{{ {field} {{ {FULL} }} }}")
    assert "errors" not in result, result
    return len(result["data"][field]), len(captured.captured_queries)


def test_the_optimizer_makes_the_query_count_independent_of_the_row_count(client) -> None:
    register_notes()
    rows, small = queries_for(client, 2)
    assert rows == 2
    Note.objects.all().delete()
    rows, large = queries_for(client, 40)
    assert rows == 40
    # one query with the author joined, one prefetch of the topics
    assert small == large == 2


def test_the_optimizer_under_async_execution_touches_no_lazy_relation() -> None:
    """Async execution (as under ASGI): the ORM runs in asgiref's thread-sensitive thread,
    here the test's, so the queries are captured; a lazy relation read on the event loop
    would raise SynchronousOnlyOperation instead."""
    from asgiref.sync import async_to_sync

    register_notes()
    counts = []
    for size in (2, 40):
        Note.objects.all().delete()
        make_notes(size, f"async{size}")
        with CaptureQueriesContext(connection) as captured:
            result = async_to_sync(MizanTestClient().acall)("async_notes")
        assert result.ok, result.errors
        assert len(result.data) == size
        assert result.data[0]["author"]["username"] == f"async{size}"
        counts.append(len(captured.captured_queries))
    assert counts == [2, 2]


def test_sync_execution_never_needs_an_event_loop(client, monkeypatch) -> None:
    """A QuerySet is an async iterable to graphql-core: a sync request iterates it as it is
    (a relation not prefetched, OffsetPaginated's results), never through an event loop."""
    import mizan.runtime.engine

    def no_loop(*args: object) -> None:
        raise AssertionError("a sync request started an event loop")

    monkeypatch.setattr(mizan.runtime.engine, "async_to_sync", no_loop)
    register_notes()
    make_notes(2)
    query = f"{{ notes {{ {FULL} }} noteOffsets {{ results {{ title }} }} noteRows {{ topics {{ name }} }} }}"
    result = execute(client, query)
    assert "errors" not in result, result
    assert len(result["data"]["notes"]) == 2
    assert result["data"]["noteRows"][1]["topics"] == [{"name": "red"}, {"name": "blue"}]


def test_a_persisted_context_bundle_serves_model_rows(client) -> None:
    @mizan_client(context="board", public=True)
    def board(request) -> list[NoteType]:
        return Note.objects.order_by("pk")

    make_notes(2)
    response = client.get("/api/mizan/ctx/board/")
    assert response.status_code == 200
    rows = response.json()["data"]["board"]
    assert [r["title"] for r in rows] == ["ada-00", "ada-01"]
    assert [t["name"] for t in rows[1]["topics"]] == ["red", "blue"]


def test_an_optimizer_running_on_the_operation_is_the_one_used(client) -> None:
    """A DjangoOptimizerExtension that runs on the operation (its on_execute sets it) is
    used with its options: here without prefetching, so the topics cost a query a row."""
    from strawberry_django.optimizer import DjangoOptimizerExtension, optimizer

    register_notes()
    token = optimizer.set(DjangoOptimizerExtension(enable_prefetch_related_optimization=False))
    try:
        rows, queries = queries_for(client, 5)
    finally:
        optimizer.reset(token)
    assert rows == 5
    assert queries == 1 + 5  # the notes with their author joined, then each note's topics
