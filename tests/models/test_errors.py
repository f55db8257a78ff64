"""Unsupported result and argument types: an error at start-up that names the function's
file and line and what to write instead."""

from __future__ import annotations

import dataclasses
import re
from typing import TypedDict

import pytest
from django.db.models import QuerySet

from mizan.client import client
from mizan.exceptions import RegistrationError
from mizan.schema import get_schema
from tests.app.models import Note
from tests.models.types import NoteInput, NoteType


@dataclasses.dataclass
class Point:
    x: int


class Movie(TypedDict):
    title: str


class Plain:
    value: int


def refused(**expected: str) -> str:
    with pytest.raises(RegistrationError) as caught:
        get_schema()
    message = str(caught.value)
    assert re.search(r"test_errors\.py:\d+\)", message), message
    for text in expected.values():
        assert text in message, message
    return message


def test_a_model_class_as_a_result_names_strawberry_django_and_pydantic() -> None:
    @client(read_only=True)
    def notes(request) -> list[Note]:
        return []

    message = refused(
        what="Note is a Django model",
        fix="`@strawberry_django.type(Note)`",
        other="or a pydantic model",
    )
    assert "tests.models.test_errors" in message and "notes" in message


def test_a_model_class_as_an_argument_names_strawberry_django_input() -> None:
    @client
    def save(request, note: Note) -> bool:
        return True

    refused(
        what="Note is a Django model",
        fix="`@strawberry_django.input(Note)`",
        where="parameter 'note'",
    )


def test_a_queryset_annotation_asks_for_the_row_type() -> None:
    @client(read_only=True)
    def notes(request) -> QuerySet:
        return Note.objects.all()

    refused(what="a QuerySet annotation", fix="-> list[NoteType]")


@pytest.mark.parametrize(
    ("annotation", "what"),
    [
        (Point, "Point is a dataclass"),
        (Movie, "Movie is a TypedDict"),
        (Plain, "Plain is a plain class"),
    ],
)
def test_other_classes_name_the_alternatives(annotation: type, what: str) -> None:
    def returns(request):  # type: ignore[no-untyped-def]
        return None

    returns.__annotations__ = {"return": annotation}
    client(read_only=True)(returns)
    refused(what=what, fix="Use a pydantic model, a `@strawberry_django.type(Model)` class")


@pytest.mark.parametrize(("annotation", "what"), [(Point, "dataclass"), (Movie, "TypedDict")])
def test_as_arguments_too(annotation: type, what: str) -> None:
    def takes(request, value):  # type: ignore[no-untyped-def]
        return True

    takes.__annotations__ = {"value": annotation, "return": bool}
    client(takes)
    refused(what=what, fix="a `@strawberry_django.input(Model)` class", where="parameter 'value'")


def test_an_output_type_as_an_argument_and_an_input_type_as_a_result() -> None:
    @client
    def save(request, note: NoteType) -> bool:
        return True

    refused(what="NoteType is a GraphQL output type and cannot be an argument")


def test_an_input_type_as_a_result() -> None:
    @client(read_only=True)
    def note(request) -> NoteInput:
        raise NotImplementedError

    refused(what="NoteInput is a GraphQL input type and cannot be a result")


def test_a_parameter_named_like_strawberry_django_s_arguments() -> None:
    @client(read_only=True)
    def notes(request, filters: str = "") -> list[NoteType]:
        return Note.objects.all()

    refused(what="parameter 'filters' clashes with the argument strawberry-django adds")


def test_a_single_row_result_may_take_any_parameter_name() -> None:
    @client(read_only=True)
    def note(request, first: bool = False) -> NoteType | None:
        return Note.objects.first()

    assert "note(first: Boolean! = false): NoteType" in get_schema().sdl()
