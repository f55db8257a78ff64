"""System checks: configuration mistakes reported by ``manage.py check`` with an id and a hint.

Registered by ``MizanConfig.ready()`` (:func:`register_checks`), never on import.
"""

from __future__ import annotations

import difflib
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from mizan.conf import SETTINGS
from mizan.exceptions import RegistrationError


def register_checks() -> None:
    from mizan.channels.checks import check_allowed_origins, check_channel_layer

    register(check_settings, Tags.compatibility)
    register(check_schema, Tags.compatibility)
    register(check_purgers, Tags.compatibility)
    register(check_rates, Tags.compatibility)
    register(check_rate_cache, Tags.caches, deploy=True)
    register(check_channel_layer, Tags.compatibility)
    register(check_allowed_origins, Tags.security)


def check_settings(**kwargs: Any) -> list[CheckMessage]:
    """Unknown keys (a typo is a warning with a suggestion) and values of the wrong type."""
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
    declared = {setting.name: setting for setting in SETTINGS}
    messages: list[CheckMessage] = []
    for key, value in user.items():
        setting = declared.get(key)
        if setting is None:
            close = difflib.get_close_matches(str(key), declared, n=1)
            hint = f"Did you mean {close[0]!r}?" if close else "Known keys: " + ", ".join(declared)
            messages.append(
                Warning(
                    f"Unknown key {key!r} in settings.MIZAN is ignored.", hint=hint, id="mizan.W001"
                )
            )
            continue
        accepts = setting.accepts if isinstance(setting.accepts, tuple) else (setting.accepts,)
        # bool is an int to isinstance(); MAX_DEPTH=True is still a mistake.
        if not isinstance(value, accepts) or (isinstance(value, bool) and bool not in accepts):
            messages.append(
                Error(
                    f"settings.MIZAN[{key!r}] must be a "
                    f"{' or '.join(t.__name__ for t in accepts)}, not {value!r}.",
                    hint=f"{setting.doc} The default is {setting.default!r}.",
                    id="mizan.E002",
                )
            )
    return messages


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
