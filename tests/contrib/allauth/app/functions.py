"""A project's own global context, beside allauth's account state."""

from __future__ import annotations

from django.http import HttpRequest
from pydantic import BaseModel

from mizan import client


class CurrentUser(BaseModel):
    username: str
    email: str


@client(context="global")
def current_user(request: HttpRequest) -> CurrentUser | None:
    user = request.user
    if not user.is_authenticated:
        return None
    return CurrentUser(username=user.get_username(), email=user.email)
