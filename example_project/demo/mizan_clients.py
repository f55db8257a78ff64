"""The demo's server functions: one of each kind mizan supports so far."""

from __future__ import annotations

import datetime
import enum
from typing import Annotated

import strawberry_django
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from pydantic import BaseModel, Field
from strawberry import auto

from demo.models import Note
from mizan import ClientError, client, invalidate_on, register


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


# A strawberry-django type: functions return Note rows (a QuerySet, a list, one row)
# and strawberry-django's optimizer plans their queries.
@strawberry_django.type(Note, name="Note", description="A note the user wrote.")
class NoteType:
    id: int
    text: auto
    created: auto


class Me(BaseModel):
    """The user making the request."""

    id: int
    username: str
    is_staff: bool


@client(context="global")
def current_user(request) -> Me | None:
    """Who is logged in, or null for an anonymous visitor. Embedded in pages by
    {% mizan_hydrate %}, cached per user (per session when anonymous)."""
    # The User row itself: mizan validates Me from its attributes.
    return request.user if request.user.is_authenticated else None


class Profile(BaseModel):
    """What anyone may see of a user."""

    user_id: int
    username: str
    display_name: str
    note_count: int


@client(context="user", public=True, ttl=300, live=True)
def user_profile(request, user_id: int) -> Profile:
    """A user's public profile: context "user", public, cached for 5 minutes, live (the
    subscription userContext pushes it after every change)."""
    user = get_object_or_404(get_user_model(), pk=user_id)
    return Profile(
        user_id=user.pk,
        username=user.username,
        display_name=user.first_name or user.username,
        note_count=user.notes.count(),
    )


@client(context="user")
def user_notes(
    request, user_id: int, limit: Annotated[int, Field(ge=1, le=50)] = 5
) -> list[NoteType]:
    """A user's latest notes: same context, key param user_id; limit varies the entry."""
    return Note.objects.filter(owner_id=user_id)[:limit]


@client(context="user")
def profile_page(request, user_id: int) -> HttpResponse:
    """A view-path function: a Django page in context "user", routed by urls.py."""
    return render(request, "demo/profile.html", {"profile": user_profile(request, user_id)})


@client(auth=True, affects="user")
def rename(
    request, user_id: int, name: Annotated[str, Field(min_length=1, max_length=150)]
) -> Profile:
    """Change a user's display name (your own, or anyone's for staff). Invalidates
    user;user_id=<user_id>: the next read of that profile is fresh."""
    if request.user.pk != user_id and not request.user.is_staff:
        raise PermissionDenied("You may only rename yourself.")
    user = get_object_or_404(get_user_model(), pk=user_id)
    user.first_name = name
    user.save(update_fields=["first_name"])
    return user_profile(request, user_id)


# Writing or deleting a note changes its owner's profile (note_count) and notes.
invalidate_on(Note, "user", user_id="owner_id")


class Inbox(BaseModel):
    """What only you see: your own notes at a glance."""

    username: str
    note_count: int
    latest: str | None


@client(context="inbox", auth=True, live=True)
def inbox(request) -> Inbox:
    """Your notes at a glance: a private live context, computed per user (never shared)."""
    latest = request.user.notes.first()
    return Inbox(
        username=request.user.username,
        note_count=request.user.notes.count(),
        latest=latest.text if latest is not None else None,
    )


# Any note: the whole context, so every subscriber's own inbox is recomputed (once each).
invalidate_on(Note, "inbox")


class NewNote(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=200, description="What to remember.")]


@client(read_only=True, auth=True)
def notes(request, limit: Annotated[int, Field(ge=1, le=50)] = 10) -> list[NoteType]:
    """The logged-in user's latest notes."""
    return request.user.notes.all()[:limit]


@client(auth=True)
def add_note(request, note: NewNote) -> NoteType:
    """Write a note. Refuses a note identical to the latest one."""
    # Written first, then checked: the refusal rolls the write back, and with it the
    # invalidation invalidate_on(Note, ...) scheduled, so nothing is purged.
    with transaction.atomic():
        created = Note.objects.create(owner=request.user, text=note.text)
        previous = request.user.notes.exclude(pk=created.pk).first()
        if previous is not None and previous.text == note.text:
            raise ClientError("You just wrote that.", code="DUPLICATE_NOTE")
    return created


class Stats(BaseModel):
    users: int
    notes: int


@client(read_only=True, auth="staff")
def server_stats(request) -> Stats:
    """Counts for staff only."""
    from django.contrib.auth import get_user_model

    return Stats(users=get_user_model().objects.count(), notes=Note.objects.count())
