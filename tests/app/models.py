"""Models for the forms tests: a unique field only the server can check, and rows a
failing submit must not leave behind."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Member(models.Model):
    handle = models.SlugField(max_length=30, unique=True)
    email = models.EmailField()
    display_name = models.CharField(max_length=50, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )

    def __str__(self) -> str:
        return self.handle


class Message(models.Model):
    text = models.CharField(max_length=200)


class Topic(models.Model):
    """A label notes share: the many-to-many side of the model-result tests."""

    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["pk"]  # the same order on SQLite and PostgreSQL

    def __str__(self) -> str:
        return self.name


class Note(models.Model):
    """A row with a foreign key and a many-to-many, for model results and the optimizer."""

    title = models.CharField(max_length=100)
    body = models.TextField(blank=True)
    stars = models.PositiveIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="notes", on_delete=models.CASCADE
    )
    topics = models.ManyToManyField(Topic, related_name="notes", blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Profile(models.Model):
    """One per user: what ``request.user.profile`` returns."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, related_name="profile", on_delete=models.CASCADE
    )
    bio = models.CharField(max_length=200, blank=True)
    website = models.URLField(blank=True)
