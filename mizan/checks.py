"""System checks: configuration mistakes reported by ``manage.py check`` with an id and a hint.

Registered by ``MizanConfig.ready()`` (:func:`register_checks`), never on import.
"""

from __future__ import annotations

import contextlib
import difflib
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from mizan.conf import SETTINGS
from mizan.exceptions import RegistrationError


def register_checks() -> None:
    register(check_settings, Tags.compatibility)
    register(check_schema, Tags.compatibility)
    register(check_purgers, Tags.compatibility)
    register(check_declared_from_urlconf, Tags.compatibility)
    register(check_invalidation_scopes, Tags.compatibility)
    register(check_middleware, Tags.compatibility)
    register(check_rates, Tags.compatibility)
    register(check_rate_cache, Tags.caches, deploy=True)


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


def _load_urlconf() -> None:
    """Import the URLconf first, whatever order Django runs the checks in: a declaration
    made from a module only urls.py imports is then always seen (mizan.E005)."""
    from django.urls import get_resolver

    # A URLconf that cannot be loaded is for Django's own URL checks to report.
    with contextlib.suppress(Exception):
        get_resolver().url_patterns  # noqa: B018  (the import is the point)


def check_schema(**kwargs: Any) -> list[CheckMessage]:
    """Build the schema now, so a declaration mistake stops start-up rather than a request."""
    from mizan.runtime import get_runtime

    _load_urlconf()
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


def check_declared_from_urlconf(**kwargs: Any) -> list[CheckMessage]:
    """A function, form or channel declared in a module that only the URLconf imports."""
    from mizan.registry import get_registry

    _load_urlconf()
    messages: list[CheckMessage] = []
    seen = set()
    for source, urlconf in get_registry().from_urlconf:
        if source in seen:
            continue
        seen.add(source)
        messages.append(
            Error(
                f"{source} is declared while {urlconf} (the URLconf) is being imported, not "
                "at start-up: a process that never loads the URLs (manage.py shell, a task "
                "worker, MizanTestClient, export_graphql_schema) does not know it, and one "
                "that built the schema first refuses it.",
                hint=f"Import {source.module} from your app's AppConfig.ready(), e.g. "
                f"`def ready(self): {_import_statement(source.module)}  # noqa: F401`.",
                id="mizan.E005",
            )
        )
    return messages


def _import_statement(module: str) -> str:
    package, _, name = module.rpartition(".")
    return f"from {package} import {name}" if package else f"import {module}"


def check_invalidation_scopes(**kwargs: Any) -> list[CheckMessage]:
    """A mutation whose ``affects=`` widens to a whole context because some functions of
    that context lack a param the mutation and their siblings share."""
    from mizan.runtime import get_runtime

    try:
        runtime = get_runtime()
    except RegistrationError:
        return []  # mizan.E003 says why
    messages: list[CheckMessage] = []
    for call in runtime.calls:
        mutation = call.definition
        params = {p.name for p in mutation.params}
        if mutation.form is not None:
            params |= {f.name for f in mutation.form.spec.fields}  # its fields are its params
        for context in call.affects:
            if context.key_params and set(context.key_params) <= params:
                continue  # scoped by its key params, as meant
            declared = {p.name for fn in context.functions for p in fn.params}
            for name in sorted((params & declared) - set(context.key_params)):
                lacking = [
                    fn for fn in context.functions if name not in {p.name for p in fn.params}
                ]
                names = ", ".join(str(fn.source) for fn in lacking)
                messages.append(
                    Warning(
                        f"{mutation.source}: affects={context.name!r} invalidates the whole "
                        f"context {context.name!r} on every call, not just its {name}: "
                        f"{name!r} is not a key param of {context.name!r} because "
                        f"{names} {'does' if len(lacking) == 1 else 'do'} not declare it.",
                        hint=f"Add a `{name}` parameter to "
                        f"{', '.join(fn.name for fn in lacking)}, or move "
                        f"{'it' if len(lacking) == 1 else 'them'} to a context of "
                        f"{'its' if len(lacking) == 1 else 'their'} own. If invalidating the "
                        "whole context is what you mean, add 'mizan.W002' to "
                        "SILENCED_SYSTEM_CHECKS.",
                        id="mizan.W002",
                    )
                )
    return messages


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


INVALIDATION_MIDDLEWARE = "mizan.middleware.InvalidationMiddleware"
SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"


def check_middleware(**kwargs: Any) -> list[CheckMessage]:
    """Read-your-writes for session state: invalidations apply again once the session is
    saved, which only a middleware above ``SessionMiddleware`` sees happen."""
    middleware = list(getattr(settings, "MIDDLEWARE", None) or ())
    if SESSION_MIDDLEWARE not in middleware:
        return []
    hint = (
        f"Put {INVALIDATION_MIDDLEWARE!r} in MIDDLEWARE above {SESSION_MIDDLEWARE!r}: "
        "a mutation's invalidations then apply after the session it changed is saved."
    )
    if INVALIDATION_MIDDLEWARE not in middleware:
        return [
            Warning(
                "A function that reads the session can be cached stale after a mutation "
                f"that changed it: {INVALIDATION_MIDDLEWARE} is not installed.",
                hint=hint,
                id="mizan.W010",
            )
        ]
    if middleware.index(INVALIDATION_MIDDLEWARE) > middleware.index(SESSION_MIDDLEWARE):
        return [
            Error(
                f"{INVALIDATION_MIDDLEWARE} is below {SESSION_MIDDLEWARE}: invalidations would "
                "apply before the session is saved, and a reader could cache the old session "
                "under the new generation.",
                hint=hint,
                id="mizan.E010",
            )
        ]
    return []
