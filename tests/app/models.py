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
