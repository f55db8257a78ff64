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
    "DEFAULT_RATE": (str, type(None)),
    "TRUSTED_PROXIES": (list, tuple),
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
    from mizan.schema import get_schema

    try:
        get_schema().prepare()
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
                hint="See docs/guides/edge.md, 'Purging a CDN', for each backend's options.",
            )
        ]
    return []


@register(Tags.compatibility)
def check_rates(**kwargs: Any) -> list[CheckMessage]:
    """``DEFAULT_RATE`` and ``TRUSTED_PROXIES`` parse, or start-up stops."""
    from django.core.exceptions import ImproperlyConfigured

    from mizan.conf import mizan_settings
    from mizan.ratelimit import default_rate, trusted_networks

    messages: list[CheckMessage] = []
    rate, proxies = mizan_settings.DEFAULT_RATE, mizan_settings.TRUSTED_PROXIES
    if isinstance(rate, str):
        try:
            default_rate(rate)
        except ImproperlyConfigured as exc:
            messages.append(
                Error(
                    str(exc), id="mizan.E030", hint="For example: MIZAN['DEFAULT_RATE'] = '100/m'."
                )
            )
    if isinstance(proxies, list | tuple):
        try:
            trusted_networks(tuple(map(str, proxies)))
        except ImproperlyConfigured as exc:
            messages.append(
                Error(
                    str(exc),
                    id="mizan.E031",
                    hint="List the addresses your load balancer connects from: ['10.0.0.0/8'].",
                )
            )
    return messages


@register(Tags.caches, deploy=True)
def check_rate_cache(**kwargs: Any) -> list[CheckMessage]:
    """``check --deploy``: rate limits need a cache every server process shares."""
    from django.core.cache import caches
    from django.core.cache.backends.dummy import DummyCache
    from django.core.cache.backends.locmem import LocMemCache

    from mizan.conf import mizan_settings
    from mizan.setup.registry import get_registry

    if mizan_settings.DEFAULT_RATE is None and not any(d.rate for d in get_registry()):
        return []
    alias = mizan_settings.CACHE_ALIAS
    backend = caches[alias]
    if isinstance(backend, DummyCache):
        return [
            Error(
                f"Rate limits are counted in the cache {alias!r}, a DummyCache, which keeps "
                "nothing: no call is ever limited.",
                id="mizan.E032",
                hint="Point MIZAN['CACHE_ALIAS'] at a Redis cache (Django's RedisCache).",
            )
        ]
    if isinstance(backend, LocMemCache):
        return [
            Warning(
                f"Rate limits are counted in the cache {alias!r}, a LocMemCache, which each "
                "server process keeps for itself: with N processes a caller gets N times the rate.",
                id="mizan.W030",
                hint="Point MIZAN['CACHE_ALIAS'] at a Redis cache (Django's RedisCache).",
            )
        ]
    return []
