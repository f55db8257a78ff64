"""``InvalidationMiddleware`` applies a request's invalidations once its writes are
visible and reports them; ``ViewPathCacheMiddleware`` makes view-path pages cacheable
and purgeable at the edge.

Put ``InvalidationMiddleware`` above ``SessionMiddleware`` (system check
``mizan.E010``): the invalidations a request made apply again after the session
is saved, before the response leaves, so a function that reads the session (a
cart) is never cached stale under the new generation. It also reports
``invalidate()`` calls made by any view (a Django form view, an htmx endpoint)
in the ``X-Mizan-Invalidate`` header.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

from mizan.contexts import acollecting, collecting
from mizan.edge.pages import apply_policy, context_of_view
from mizan.http import report


class InvalidationMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponse]
        | Callable[[HttpRequest], Awaitable[HttpResponse]],
    ) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        with collecting() as applied:
            response: HttpResponse = self.get_response(request)  # type: ignore[assignment]
        report(response, applied)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        async with acollecting() as applied:
            response: HttpResponse = await self.get_response(request)  # type: ignore[misc]
        report(response, applied)
        return response


class ViewPathCacheMiddleware:
    """Caching headers and surrogate keys for the pages of view-path functions.

    A view-path function (``@client(context="user")`` returning an ``HttpResponse``) is
    routed by your urls.py; with this middleware its page gets its context's policy,
    so an edge caches ``/profile/5/`` and purges it with ``user;user_id=5``. See
    :mod:`mizan.edge.pages`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        found = getattr(request, "_mizan_view_path", None)
        if found is None:
            return response
        context, kwargs = found
        return apply_policy(request, response, context, kwargs)  # type: ignore[return-value]

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        context = context_of_view(view)
        if context is not None:
            request._mizan_view_path = (context, kwargs)  # type: ignore[attr-defined]
