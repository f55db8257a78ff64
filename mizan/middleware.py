"""``InvalidationMiddleware`` reports ``invalidate()`` calls made by any view;
``ViewPathCacheMiddleware`` makes view-path pages cacheable and purgeable at the edge.

The GraphQL endpoints report their own invalidations. Add this middleware
when your other views (a Django form view, an htmx endpoint) call
``invalidate()`` and the browser or the edge should hear of it through the
``X-Mizan-Invalidate`` header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from mizan.contexts import collecting
from mizan.edge.pages import apply_policy, context_of_view
from mizan.http import report


class InvalidationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with collecting() as applied:
            response = self.get_response(request)
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
