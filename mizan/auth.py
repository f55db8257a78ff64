"""``auth=``: who may call a function, checked before it runs, on every transport."""

from __future__ import annotations

import inspect
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from django.http import HttpRequest

from mizan.definitions import AuthSpec
from mizan.exceptions import Forbidden, Unauthenticated

LEVEL_NAMES = {True: "AUTHENTICATED", "staff": "STAFF", "superuser": "SUPERUSER"}


def level(spec: AuthSpec) -> str:
    """The requirement as the SDL's ``@auth(requires: …)`` shows it."""
    return LEVEL_NAMES.get(spec, "CUSTOM")


def _verdict(spec: AuthSpec, user: Any) -> None:
    if not user.is_authenticated:
        raise Unauthenticated("Authentication required.")
    if (spec == "staff" and not user.is_staff) or (spec == "superuser" and not user.is_superuser):
        raise Forbidden(f"This call requires a {spec} user.")


def check(spec: AuthSpec, request: HttpRequest) -> None:
    """Raise :class:`Unauthenticated` or :class:`Forbidden` unless ``request`` may call."""
    if callable(spec):
        allowed = spec(request)
        if inspect.isawaitable(allowed):
            allowed = async_to_sync(_await)(allowed)
        if not allowed:
            raise Forbidden("You may not make this call.")
        return
    _verdict(spec, request.user)


async def acheck(spec: AuthSpec, request: HttpRequest) -> None:
    """:func:`check` for async code: the session and a sync callable run off the event loop."""
    if callable(spec):
        allowed = (
            spec(request)
            if inspect.iscoroutinefunction(spec)
            else await sync_to_async(spec)(request)
        )
        if inspect.isawaitable(allowed):
            allowed = await allowed
        if not allowed:
            raise Forbidden("You may not make this call.")
        return
    # AuthenticationMiddleware gives requests auser(); a hand-built request has a plain user.
    auser = getattr(request, "auser", None)
    _verdict(spec, await auser() if auser else request.user)


async def _await(awaitable: Any) -> Any:
    return await awaitable
