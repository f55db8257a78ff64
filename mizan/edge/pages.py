"""View-path pages at the edge: a Django view in a public context is cached and purged
like the context's persisted URLs.

``ViewPathCacheMiddleware`` (in :mod:`mizan.middleware`) gives the page of a registered
view-path function its context's policy: a public context's ``Cache-Control: public,
max-age=0, s-maxage=<ttl>``, an ETag and the surrogate keys of the scope its URL names
(``/profile/5/`` → ``user user;user_id=5``); a private context's ``private, no-cache``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from mizan.cache_headers import cacheable
from mizan.contexts import ContextDef
from mizan.edge.keys import set_key_headers, surrogate_keys

Pages = dict[Callable[..., Any], ContextDef]
_last: tuple[object, Pages] | None = None  # the pages of the schema built last


def context_of_view(view: Callable[..., Any]) -> ContextDef | None:
    """The context of ``view`` when it is a registered view-path function (decorators
    that use ``functools.wraps`` are seen through), else None."""
    from mizan.schema import get_schema

    global _last
    compiled = get_schema()
    if _last is None or _last[0] is not compiled:
        pages = {
            fn.fn: context
            for context in compiled.contexts.values()
            for fn in context.functions
            if fn.is_view
        }
        _last = (compiled, pages)
    pages = _last[1]
    return pages.get(inspect.unwrap(view)) if pages else None


def apply_policy(
    request: HttpRequest,
    response: HttpResponseBase,
    context: ContextDef,
    kwargs: Mapping[str, Any],
) -> HttpResponseBase:
    """The context's caching headers on a successful GET of one of its pages. A view that
    set its own ``Cache-Control`` keeps it; a page that sets a cookie is never public."""
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or not isinstance(response, HttpResponse)  # streaming: no body to tag
    ):
        return response
    public = context.public and not response.cookies
    if public:
        set_key_headers(response, surrogate_keys([(context.name, context.scope(kwargs))]))
    if response.has_header("Cache-Control"):
        return response
    return cacheable(request, response, public_ttl=context.ttl if public else None)
