"""View-path pages at the edge: a Django view in a public context is cached and purged
like the context's persisted URLs.

``ViewPathCacheMiddleware`` (in :mod:`mizan.middleware`) gives the page of a registered
view-path function its context's policy: a public context's ``Cache-Control: public,
max-age=0, s-maxage=<ttl>``, an ETag and the surrogate keys of the scope its URL names
(``/profile/5/`` → ``user user;user_id=5``); a private context's ``private, no-cache``.

Only the page's canonical URL is shared-cacheable: its URL pattern reversed with the
values it matched, without a query string. ``/profile/05/`` and
``/profile/5/?utm_source=news`` are answered ``private, no-cache``, so that a purge by
URL (the manifest's ``/profile/:user_id/``) reaches every copy an edge holds.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import NoReverseMatch, ResolverMatch, reverse
from django.utils.encoding import escape_uri_path

from mizan.cache import moved_since
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
    match: ResolverMatch,
    began: int,
) -> HttpResponseBase:
    """The context's caching headers on a successful GET of one of its pages, begun at
    ``began`` (``time.time_ns()``). A view that set its own ``Cache-Control`` keeps it;
    a page that sets a cookie is never public, nor is a spelling of its URL other than
    the canonical one, nor a page during whose making its scope was invalidated."""
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or not isinstance(response, HttpResponse)  # streaming: no body to tag
    ):
        return response
    scope = context.scope(match.kwargs)
    public = context.public and not response.cookies
    if public and (
        canonical_path(match) != escape_uri_path(request.path)
        or request.META.get("QUERY_STRING")
        or moved_since(((context.name, scope),), began)
    ):
        # Another spelling (`/profile/05/`, `?utm_source=`) would be an entry of its own
        # that a purge by URL cannot name; a page made across an invalidation may show
        # data older than it, and the purge that went with it may already have run.
        if "no-store" in response.get("Cache-Control", ""):
            return response
        del response["Cache-Control"]
        return cacheable(request, response)
    if public:
        set_key_headers(response, surrogate_keys([(context.name, scope)]))
    if response.has_header("Cache-Control"):
        return response
    return cacheable(request, response, public_ttl=context.ttl if public else None)


def canonical_path(match: ResolverMatch) -> str | None:
    """The page's one shareable URL: its pattern reversed with the values it matched
    (``/profile/05/`` → ``/profile/5/``), or None when it does not reverse."""
    try:
        return reverse(
            match.view_name if match.url_name else match.func, args=match.args, kwargs=match.kwargs
        )
    except NoReverseMatch:
        return None
