"""``mizan.middleware.InvalidationMiddleware``: report ``invalidate()`` calls made by any view.

The GraphQL endpoints report their own invalidations. Add this middleware
when your other views (a Django form view, an htmx endpoint) call
``invalidate()`` and the browser or the edge should hear of it through the
``X-Mizan-Invalidate`` header.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from mizan.contexts import collecting
from mizan.http import report


class InvalidationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with collecting() as applied:
            response = self.get_response(request)
        report(response, applied)
        return response
