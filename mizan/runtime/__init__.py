"""The runtime: the one engine every transport runs operations through.

``mizan.execute(request, query, variables=None, operation_name=None)`` runs one
from server code (a view, a task, a test) as a client's would run: auth, argument
validation, the context cache, transactions, the error step and invalidations.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mizan.registry import Registry, get_registry
from mizan.runtime.context import MizanContext
from mizan.runtime.engine import Result, Runtime
from mizan.runtime.errors import Refusal

__all__ = [
    "MizanContext",
    "Refusal",
    "Result",
    "Runtime",
    "aexecute",
    "built_runtime",
    "execute",
    "get_runtime",
]


def build_runtime(registry: Registry) -> Runtime:
    """``registry``'s runtime (derive it with ``registry.derive(build_runtime)``)."""
    from mizan.schema import get_schema

    return Runtime(get_schema(registry))


def get_runtime(registry: Registry | None = None) -> Runtime:
    """The runtime of ``registry`` (the current one by default), made on first use."""
    return (registry or get_registry()).derive(build_runtime)


def built_runtime() -> Runtime | None:
    """The current registry's runtime if a request or a check has built it, else ``None``."""
    return get_registry().made(build_runtime)


def execute(
    request: HttpRequest | None,
    query: str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> Result:
    """Run ``query`` as ``request``'s user, from sync code; returns data and errors.

    The document is the server's own, so trusted-documents-only does not apply;
    everything else does, as for a client. ``request=None`` (a task): an anonymous
    user without a session; a request no authentication middleware saw (one from
    ``RequestFactory``) is anonymous too. Errors are in ``result.errors`` (unexpected ones masked
    and logged, as for a client); applied invalidations in ``result.invalidations``.
    """
    _check_arguments("execute", query, variables, operation_name)
    context = MizanContext(request=_request(request))
    try:
        return get_runtime().execute_sync(context, query, variables, operation_name, trusted=True)
    except Refusal as refusal:
        return Result(None, [refusal.error])


async def aexecute(
    request: HttpRequest | None,
    query: str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> Result:
    """:func:`execute` for async code (an async view, a consumer)."""
    _check_arguments("aexecute", query, variables, operation_name)
    context = MizanContext(request=_request(request), is_async=True)
    try:
        return await get_runtime().execute(context, query, variables, operation_name, trusted=True)
    except Refusal as refusal:
        return Result(None, [refusal.error])


def _check_arguments(
    function: str, query: object, variables: object, operation_name: object
) -> None:
    """A caller's mistake in Python types is a ``TypeError`` at the call, not a GraphQL
    error in the result: the document's own mistakes are those."""
    for name, value, expected, kind in (
        ("query", query, "a str (a GraphQL document)", str),
        ("variables", variables, "a dict or None", dict),
        ("operation_name", operation_name, "a str or None", str),
    ):
        if not isinstance(value, kind) and (value is not None or name == "query"):
            raise TypeError(
                f"mizan.{function}(): {name} must be {expected}, not {type(value).__name__}."
            )


def _request(request: HttpRequest | None) -> HttpRequest:
    from django.contrib.auth.models import AnonymousUser

    if request is not None:
        if not hasattr(request, "user"):
            # No authentication middleware ran (a RequestFactory request, a request built
            # by hand): its caller is anonymous, so auth= says UNAUTHENTICATED.
            request.user = AnonymousUser()
        return request
    bare = HttpRequest()
    bare.method = "POST"
    bare.user = AnonymousUser()
    return bare
