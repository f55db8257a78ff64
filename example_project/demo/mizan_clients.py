"""The demo's server functions: one of each kind mizan supports so far."""

from __future__ import annotations

import datetime
import enum
from typing import Annotated

from pydantic import BaseModel, Field

from demo.models import Note
from mizan import ClientError
from mizan.client import client
from mizan.setup.registry import register


class Output(BaseModel):
    message: str


@client
def echo(request, text: str) -> Output:
    """Send text, get it back: the seed's first example."""
    return Output(message=text)


register(echo, "echo")


class Language(enum.Enum):
    """A language the greeting speaks."""

    EN = "en"
    AR = "ar"
    FR = "fr"


class Greeting(BaseModel):
    """A greeting, and when it was made."""

    text: str = Field(description="The greeting itself.")
    language: Language
    at: datetime.datetime


GREETINGS = {Language.EN: "Hello", Language.AR: "Marhaba", Language.FR: "Bonjour"}


@client(read_only=True)
def greeting(request, name: str = "world", language: Language = Language.EN) -> Greeting:
    """Greet someone in their language. A query: it changes nothing."""
    return Greeting(
        text=f"{GREETINGS[language]}, {name}!",
        language=language,
        at=datetime.datetime.now(datetime.UTC),
    )


class Me(BaseModel):
    """The user making the request."""

    username: str
    is_staff: bool


@client(read_only=True)
def me(request) -> Me | None:
    """Who is logged in, or null for an anonymous visitor."""
    user = request.user
    return Me(username=user.username, is_staff=user.is_staff) if user.is_authenticated else None


class NoteOut(BaseModel):
    """A note the user wrote."""

    id: int
    text: str
    created: datetime.datetime


class NewNote(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=200, description="What to remember.")]


@client(read_only=True, auth=True)
def notes(request, limit: Annotated[int, Field(ge=1, le=50)] = 10) -> list[NoteOut]:
    """The logged-in user's latest notes."""
    return [
        NoteOut(id=n.id, text=n.text, created=n.created) for n in request.user.notes.all()[:limit]
    ]


@client(auth=True)
def add_note(request, note: NewNote) -> NoteOut:
    """Write a note. Refuses a note identical to the latest one."""
    latest = request.user.notes.first()
    if latest is not None and latest.text == note.text:
        raise ClientError("You just wrote that.", code="DUPLICATE_NOTE")
    created = Note.objects.create(owner=request.user, text=note.text)
    return NoteOut(id=created.id, text=created.text, created=created.created)


class Stats(BaseModel):
    users: int
    notes: int


@client(read_only=True, auth="staff")
def server_stats(request) -> Stats:
    """Counts for staff only."""
    from django.contrib.auth import get_user_model

    return Stats(users=get_user_model().objects.count(), notes=Note.objects.count())
