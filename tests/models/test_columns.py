"""Plain columns of strawberry-django types are read straight from the row; everything
else keeps strawberry-django's own path: deferred columns, renamed fields, properties,
resolvers, permission classes."""

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
from strawberry.permission import BasePermission

from mizan.client import client
from mizan.testing import MizanTestClient
from tests.app.models import Note

pytestmark = pytest.mark.django_db


class Never(BasePermission):
    message = "Not for you."

    def has_permission(self, source, info, **kwargs) -> bool:  # type: ignore[no-untyped-def]
        return False


@strawberry_django.type(Note)
class Row:
    id: auto
    title: auto
    headline: str = strawberry_django.field(field_name="title")
    stars: auto
    secret: str | None = strawberry_django.field(field_name="body", permission_classes=[Never])

    @strawberry_django.field
    def shout(self) -> str:
        return self.title.upper()

    @strawberry.field
    def double(self) -> int:
        return self.stars * 2


@strawberry_django.type(Note)
class Thin:
    title: auto
    stars: auto


def register() -> None:
    @client(read_only=True)
    def rows(request) -> list[Row]:
        return Note.objects.order_by("pk")

    @client(read_only=True)
    def thin_rows(request) -> list[Row]:
        return list(Note.objects.order_by("pk").only("id", "title"))  # stars deferred

    @client(read_only=True)
    async def async_thin_rows(request) -> list[Thin]:
        return [n async for n in Note.objects.order_by("pk").only("id", "title")]


@pytest.fixture
def notes() -> None:
    author = get_user_model().objects.create(username="ada")
    for i in range(3):
        Note.objects.create(title=f"n{i}", author=author, stars=i, body="hidden")


def post(client, query: str) -> dict:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/mizan/graphql/", json.dumps({"query": query}), content_type="application/json"
    )
    return response.json()


def test_columns_renamed_fields_and_resolvers(client, notes) -> None:
    register()
    result = post(client, "{ rows { id title headline stars shout double } }")
    assert result["data"]["rows"][2] == {
        "id": str(Note.objects.order_by("pk").last().pk),
        "title": "n2",
        "headline": "n2",
        "stars": 2,
        "shout": "N2",
        "double": 4,
    }


def test_permission_classes_still_apply(client, notes) -> None:
    register()
    result = post(client, "{ rows { title secret } }")
    assert result["data"] == {"rows": [{"title": f"n{i}", "secret": None} for i in range(3)]}
    assert result["errors"][0]["message"] == "Not for you."


def test_a_deferred_column_is_loaded_as_strawberry_django_loads_it(client, notes) -> None:
    register()
    with CaptureQueriesContext(connection) as captured:
        result = post(client, "{ thinRows { title stars } }")
    assert [r["stars"] for r in result["data"]["thinRows"]] == [0, 1, 2]
    assert len(captured.captured_queries) == 1 + 3  # the rows, then each deferred column


def test_a_deferred_column_under_async_execution_is_read_in_a_thread(notes) -> None:
    register()
    result = async_to_sync(MizanTestClient().acall)("async_thin_rows")
    assert result.ok, result.errors
    assert [r["stars"] for r in result.data] == [0, 1, 2]


def test_only_plain_columns_get_the_direct_resolver() -> None:
    from mizan.runtime import get_runtime

    register()
    fields = get_runtime().schema.get_type("Row").fields  # type: ignore[union-attr]  # resolvers: the runtime's
    direct = {name for name, f in fields.items() if "_loaded" in f.resolve.__qualname__}
    assert direct == {"id", "title", "headline", "stars"}
