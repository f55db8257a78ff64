"""Context functions with strawberry-django results: the completed result is cached per
selection set (and the field's own arguments), with a context's scoping, auth and
invalidation; sync and async; LocMem and Redis."""

from __future__ import annotations

import json

import pytest
import strawberry
import strawberry_django
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry import auto

from mizan import invalidate_on
from mizan.client import client
from mizan.testing import MizanTestClient
from tests.app.models import Note, Topic
from tests.models.types import NoteType

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cache_backend")]

failures: list[int] = []


@strawberry_django.type(Note)
class FlakyNote:
    title: auto

    @strawberry.field
    def flaky(self) -> str | None:
        if failures:
            failures.pop()
            raise RuntimeError("a nested field failed")
        return "fine"


def register() -> None:
    @client(context="notes")
    def my_notes(request) -> list[NoteType]:
        return Note.objects.filter(author=request.user).order_by("pk")

    @client(context="notes")
    async def my_notes_async(request) -> list[NoteType]:
        return Note.objects.filter(author=request.user).order_by("pk")

    @client(context="flaky")
    def flaky_notes(request) -> list[FlakyNote]:
        return Note.objects.order_by("pk")

    @client(context="board", auth="staff")
    def staff_notes(request) -> list[NoteType]:
        return Note.objects.order_by("pk")


@pytest.fixture
def ada(client):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create(username="ada")
    topic = Topic.objects.create(name="red")
    for i in range(3):
        Note.objects.create(title=f"ada-{i}", author=user, stars=i).topics.add(topic)
    client.force_login(user)
    return user


def post(client, query: str, variables: dict | None = None) -> tuple[dict, int]:  # type: ignore[no-untyped-def]
    body = {"query": query, **({"variables": variables} if variables else {})}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            "/api/mizan/graphql/", json.dumps(body), content_type="application/json"
        )
    notes = [
        q for q in captured.captured_queries if "app_note" in q["sql"] or "app_topic" in q["sql"]
    ]
    return response.json(), len(notes)


def test_a_repeated_selection_is_served_without_a_query(client, ada) -> None:
    register()
    first, queries = post(client, "{ myNotes { title } }")
    assert first == {
        "data": {"myNotes": [{"title": "ada-0"}, {"title": "ada-1"}, {"title": "ada-2"}]}
    }
    assert queries == 1
    again, queries = post(client, "{ myNotes { title } }")
    assert (again, queries) == (first, 0)


def test_another_selection_is_another_entry(client, ada) -> None:
    register()
    post(client, "{ myNotes { title } }")
    wider, queries = post(client, "{ myNotes { title author { username } topics { name } } }")
    assert wider["data"]["myNotes"][0] == {
        "title": "ada-0",
        "author": {"username": "ada"},
        "topics": [{"name": "red"}],
    }
    assert queries == 2  # the notes with their author, and their topics
    _, queries = post(client, "{ myNotes { title author { username } topics { name } } }")
    assert queries == 0
    aliased, queries = post(client, "{ myNotes { heading: title } }")
    assert aliased["data"]["myNotes"][0] == {"heading": "ada-0"}
    assert queries == 1


def test_one_selection_spelled_two_ways_is_one_entry(client, ada) -> None:
    register()
    post(client, "query ($a: Boolean!) { myNotes { title stars @include(if: $a) } }", {"a": True})
    spelled = """
        query Other { myNotes { ...N } }
        fragment N on NoteType { title
            stars }
    """
    result, queries = post(client, spelled)
    assert queries == 0
    assert result["data"]["myNotes"][0] == {"title": "ada-0", "stars": 0}


def test_the_field_s_own_arguments_key_the_entry(client, ada) -> None:
    register()
    all_notes, _ = post(client, "{ myNotes { title } }")
    filtered, queries = post(client, "{ myNotes(filters: {stars: {gte: 2}}) { title } }")
    assert queries == 1
    assert filtered == {"data": {"myNotes": [{"title": "ada-2"}]}}
    ordered, queries = post(client, "{ myNotes(ordering: [{stars: DESC}]) { title } }")
    assert queries == 1
    assert [n["title"] for n in ordered["data"]["myNotes"]] == ["ada-2", "ada-1", "ada-0"]
    assert post(client, "{ myNotes { title } }") == (all_notes, 0)


def test_entries_are_private_to_their_user(client, ada) -> None:
    register()
    post(client, "{ myNotes { title } }")
    bob = get_user_model().objects.create(username="bob")
    Note.objects.create(title="bob-0", author=bob)
    client.force_login(bob)
    result, queries = post(client, "{ myNotes { title } }")
    assert result == {"data": {"myNotes": [{"title": "bob-0"}]}}
    assert queries == 1


def test_invalidate_on_a_model_refreshes_every_selection(client, ada) -> None:
    register()
    disconnect = invalidate_on(Note, "notes")
    try:
        post(client, "{ myNotes { title } }")
        post(client, "{ myNotes { title stars } }")
        Note.objects.create(title="ada-3", author=ada, stars=3)  # commits: invalidates "notes"
        titles, queries = post(client, "{ myNotes { title } }")
        assert queries == 1
        assert titles["data"]["myNotes"][-1] == {"title": "ada-3"}
        wider, queries = post(client, "{ myNotes { title stars } }")
        assert queries == 1
        assert wider["data"]["myNotes"][-1] == {"title": "ada-3", "stars": 3}
    finally:
        disconnect()


def test_auth_is_checked_before_a_cached_entry_is_served(client, ada) -> None:
    register()
    ada.is_staff = True
    ada.save()
    client.force_login(ada)
    assert post(client, "{ staffNotes { title } }")[1] == 1
    assert post(client, "{ staffNotes { title } }")[1] == 0
    ada.is_staff = False
    ada.save()
    client.force_login(ada)
    refused, queries = post(client, "{ staffNotes { title } }")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused["data"] is None  # a non-null field refused
    assert queries == 0


def test_a_result_with_a_failed_nested_field_is_not_cached(client, ada) -> None:
    register()
    failures.append(1)
    broken, _ = post(client, "{ flakyNotes { title flaky } }")
    assert broken["errors"][0]["path"] == ["flakyNotes", 0, "flaky"]
    fixed, queries = post(client, "{ flakyNotes { title flaky } }")
    assert "errors" not in fixed and queries == 1
    assert post(client, "{ flakyNotes { title flaky } }")[1] == 0


def test_async_execution_reads_and_fills_the_same_cache(ada) -> None:
    register()
    acall = async_to_sync(MizanTestClient(user=ada).acall)
    with CaptureQueriesContext(connection) as captured:
        first = acall("my_notes_async")
    assert first.ok, first.errors
    filled = len(captured.captured_queries)
    assert filled > 0
    with CaptureQueriesContext(connection) as captured:
        again = acall("my_notes_async")
    assert again.data == first.data
    assert [q for q in captured.captured_queries if "app_note" in q["sql"]] == []
