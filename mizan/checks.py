"""System checks: configuration mistakes reported by ``manage.py check`` with an id and a hint."""

from __future__ import annotations

import difflib
import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from mizan.conf import DEFAULTS
from mizan.exceptions import RegistrationError

ACCEPTED: dict[str, type | tuple[type, ...]] = {
    "PERSISTED_DOCUMENTS": (str, os.PathLike),
    "SURROGATE_KEY_HEADERS": (list, tuple),
    "PURGERS": (list, tuple),
    "PURGE_WAIT": (int, float),
    "PURGE_TIMEOUT": (int, float),
}


@register(Tags.compatibility)
def check_settings(**kwargs: Any) -> list[CheckMessage]:
    user = getattr(settings, "MIZAN", None)
    if user is None:
        return []
    if not isinstance(user, dict):
        return [
            Error(
                f"settings.MIZAN must be a dict, not {type(user).__name__}.",
                id="mizan.E001",
                hint="Write MIZAN = {'GRAPHIQL': False, ...}.",
            )
        ]
    messages: list[CheckMessage] = []
    for key, value in user.items():
        if key not in DEFAULTS:
            close = difflib.get_close_matches(str(key), DEFAULTS, n=1)
            hint = (
                f"Did you mean {close[0]!r}?"
                if close
                else ("Known keys: " + ", ".join(sorted(DEFAULTS)) + ".")
            )
            messages.append(
                Warning(
                    f"Unknown key {key!r} in settings.MIZAN is ignored.", hint=hint, id="mizan.W001"
                )
            )
        elif not isinstance(value, ACCEPTED.get(key, type(DEFAULTS[key]))) or (
            isinstance(value, bool) and type(DEFAULTS[key]) is not bool
        ):
            messages.append(
                Error(
                    f"settings.MIZAN[{key!r}] must be a {type(DEFAULTS[key]).__name__}, "
                    f"not {value!r}.",
                    hint=f"The default is {DEFAULTS[key]!r}.",
                    id="mizan.E002",
                )
            )
    return messages


@register(Tags.compatibility)
def check_schema(**kwargs: Any) -> list[CheckMessage]:
    """Build the schema now, so a declaration mistake stops start-up rather than a request."""
    from mizan.runtime import get_runtime

    try:
        get_runtime().prepare_calls()
    except RegistrationError as exc:
        return [
            Error(
                str(exc),
                id="mizan.E003",
                hint="Fix the declaration named above; the schema cannot be built.",
            )
        ]
    return []


@register(Tags.compatibility)
def check_purgers(**kwargs: Any) -> list[CheckMessage]:
    """Build the configured purgers now: a typo in a BACKEND or an option stops start-up,
    not the first purge after a deploy."""
    from django.core.exceptions import ImproperlyConfigured

    from mizan.conf import mizan_settings
    from mizan.edge.purgers.dispatch import build_purgers

    config = mizan_settings.PURGERS
    if not isinstance(config, list | tuple):
        return []  # mizan.E002 says so
    try:
        build_purgers(config)
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                id="mizan.E004",
                hint="See the README's 'Purging a CDN' for each backend's options.",
            )
        ]
    return []
