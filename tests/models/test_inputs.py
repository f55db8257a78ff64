"""``@strawberry_django.input`` and ``partial`` classes as arguments: what the function
receives, and model validation (``full_clean``) where the function asks for it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from strawberry import UNSET
from strawberry_django.mutations.resolvers import create, update

from mizan.client import client
from mizan.schema import get_schema
from mizan.testing import MizanTestClient
from tests.app.models import Note
from tests.models.types import NoteInput, NotePatch, NoteType

pytestmark = pytest.mark.django_db

received: list[object] = []


def register() -> None:
    @client
    def add_note(request, data: NoteInput) -> NoteType:
        received.append(data)
        return create(None, Note, {**vars(data), "author": request.user})

    @client
    def edit_note(request, pk: int, data: NotePatch) -> NoteType:
        received.append(data)
        return update(None, Note.objects.get(pk=pk), data)

    @client
    def add_unchecked(request, data: NoteInput) -> NoteType:
        # No full_clean: the row is saved as given (the database still checks its types).
        return Note.objects.create(author=request.user, **vars(data))


@pytest.fixture
def ada():  # type: ignore[no-untyped-def]
    received.clear()
    return get_user_model().objects.create(username="ada")


def test_the_sdl_uses_strawberry_django_s_input_types() -> None:
    register()
    sdl = get_schema().sdl()
    assert "addNote(data: NoteInput!): NoteType!" in sdl
    assert "editNote(pk: Int!, data: NotePatch!): NoteType!" in sdl
    assert "input NotePatch {\n  title: String\n  body: String\n  stars: Int\n}" in sdl


def test_the_function_receives_the_input_object(ada) -> None:
    register()
    result = MizanTestClient(user=ada).call(
        "add_note", data=NoteInput(title="Hello", body="", stars=3)
    )
    assert result.ok, result.errors
    assert result.data["title"] == "Hello" and result.data["stars"] == 3
    assert isinstance(received[0], NoteInput)
    assert Note.objects.get().author == ada


def test_a_partial_input_leaves_omitted_fields_unset(ada, post) -> None:
    register()
    note = Note.objects.create(title="Old", body="keep me", stars=1, author=ada)
    response = post(
        f'mutation {{ editNote(pk: {note.pk}, data: {{title: "New"}}) {{ title stars }} }}'
    ).json()
    assert response == {"data": {"editNote": {"title": "New", "stars": 1}}}
    assert received[0].title == "New"
    assert received[0].body is UNSET and received[0].stars is UNSET
    note.refresh_from_db()
    assert (note.title, note.body) == ("New", "keep me")


def test_full_clean_runs_when_the_function_saves_through_strawberry_django(ada) -> None:
    register()
    result = MizanTestClient(user=ada).call(
        "add_note", data=NoteInput(title="x" * 101, body="", stars=0)
    )
    assert result.codes == ["BAD_USER_INPUT"]
    assert "title" in result.errors[0]["extensions"]["fields"]
    assert not Note.objects.exists()


def test_mizan_itself_does_not_run_full_clean(ada) -> None:
    register()
    # SQLite does not enforce max_length: the row is saved; only full_clean would refuse it.
    result = MizanTestClient(user=ada).call(
        "add_unchecked", data=NoteInput(title="y" * 101, body="", stars=0)
    )
    if result.ok:
        assert Note.objects.get().title == "y" * 101
    else:  # PostgreSQL's varchar(100) refuses it in the database instead
        assert result.codes == ["INTERNAL_SERVER_ERROR"]


def test_a_required_input_field_missing_is_refused_before_the_function_runs(ada, post) -> None:
    register()
    response = post('mutation { addNote(data: {body: "b"}) { title } }').json()
    assert response["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert received == []
