"""``InvalidationMiddleware`` applies a request's invalidations once its writes are
visible and reports them; ``ViewPathCacheMiddleware`` makes view-path pages cacheable
and purgeable at the edge.

Put ``InvalidationMiddleware`` above ``SessionMiddleware`` (system check
``mizan.E010``): the invalidations a request made apply again after the session
is saved, before the response leaves, so a function that reads the session (a
cart) is never cached stale under the new generation. It also reports
``invalidate()`` calls made by any view (a Django form view, an htmx endpoint)
in the ``X-Mizan-Invalidate`` header.

Both are sync- and async-capable: under ASGI with an async middleware stack they
run on the event loop, without a thread switch per request.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from mizan.cache_headers import report
from mizan.edge.pages import apply_policy, context_of_view
from mizan.invalidation import acollecting, collecting

GetResponse = Callable[[HttpRequest], HttpResponseBase]
AsyncGetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


class _Middleware:
    """Django's sync/async middleware protocol, once: ``__call__`` answers in the mode
    of the handler it wraps."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse | AsyncGetResponse) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        return self.handle(request, self.get_response(request))  # type: ignore[arg-type]

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        return self.handle(request, await self.get_response(request))  # type: ignore[misc]

    def handle(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        return response


class InvalidationMiddleware(_Middleware):
    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        with collecting() as applied:
            response: HttpResponseBase = self.get_response(request)  # type: ignore[assignment]
        report(response, applied)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        # A sync view runs in a thread with a copy of this context: it appends to the same
        # list that acollecting() set here, which applies them again off the event loop.
        async with acollecting() as applied:
            response: HttpResponseBase = await self.get_response(request)  # type: ignore[misc]
        report(response, applied)
        return response


class ViewPathCacheMiddleware(_Middleware):
    """Caching headers and surrogate keys for the pages of view-path functions.

    A view-path function (``@client(context="user")`` returning an ``HttpResponse``) is
    routed by your urls.py; with this middleware its page gets its context's policy,
    so an edge caches ``/profile/5/`` and purges it with ``user;user_id=5``. See
    :mod:`mizan.edge.pages`.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        began = time.time_ns()
        return self.page(request, self.get_response(request), began)  # type: ignore[arg-type]

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        began = time.time_ns()
        return self.page(request, await self.get_response(request), began)  # type: ignore[misc]

    def page(
        self, request: HttpRequest, response: HttpResponseBase, began: int
    ) -> HttpResponseBase:
        # The view Django resolved (what process_view would be given), read afterwards:
        # a process_view hook would cost a thread switch per request under ASGI.
        match = getattr(request, "resolver_match", None)
        if match is None:
            return response
        context = context_of_view(match.func)
        if context is None:
            return response
        return apply_policy(request, response, context, match, began)
