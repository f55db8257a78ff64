"""strawberry-django types over the test app's models, as a project would write them."""

from __future__ import annotations

import strawberry
import strawberry_django
from django.contrib.auth import get_user_model
from strawberry import auto, relay

from tests.app import models


@strawberry_django.type(models.Topic)
class TopicType:
    id: auto
    name: auto


@strawberry_django.type(get_user_model())
class AuthorType:
    id: auto
    username: auto


@strawberry_django.filter_type(models.Note, lookups=True)
class NoteFilter:
    title: auto
    stars: auto


@strawberry_django.order_type(models.Note)
class NoteOrder:
    title: auto
    stars: auto


@strawberry_django.type(models.Note, filters=NoteFilter, ordering=NoteOrder, pagination=True)
class NoteType:
    id: auto
    title: auto
    stars: auto
    author: AuthorType
    topics: list[TopicType]


@strawberry_django.type(models.Note, filters=NoteFilter, ordering=NoteOrder)
class NoteNode(relay.Node):
    title: auto
    stars: auto
    author: AuthorType
    topics: list[TopicType]


@strawberry_django.input(models.Note)
class NoteInput:
    title: auto
    body: auto
    stars: auto


@strawberry_django.partial(models.Note)
class NotePatch:
    title: auto
    body: auto
    stars: auto


@strawberry.type
class Plain:
    value: int
