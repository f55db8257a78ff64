"""Response policy shared by every mizan endpoint: caching headers and the invalidation report.

- a mutation, or any response with errors: ``Cache-Control: no-store``;
- a private read: ``private, no-cache`` with an ETag and ``Vary: Cookie, Authorization``
  (a conditional GET that matches gets a 304);
- a public read (persisted endpoints only): ``public, max-age=0, s-maxage=<ttl>``;
- applied invalidations: ``X-Mizan-Invalidate``, exposed to cross-origin front ends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

from mizan.edge.header import format_invalidations
from mizan.invalidation import Invalidation

INVALIDATE_HEADER = "X-Mizan-Invalidate"
SCHEMA_HEADER = "X-Mizan-Schema"
LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def no_store(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "no-store"
    return response


def cacheable(
    request: HttpRequest,
    response: HttpResponse,
    *,
    public_ttl: int | None = None,
    etag: str | None = None,
) -> HttpResponse:
    """Mark a successful read cacheable; answer a matching conditional GET with a 304."""
    if public_ttl is None:
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ("Cookie", "Authorization"))
    else:
        # max-age=0: a browser copy could never be purged; an edge copy can.
        response["Cache-Control"] = f"public, max-age=0, s-maxage={public_ttl}"
    if LOCALE_MIDDLEWARE in settings.MIDDLEWARE:
        patch_vary_headers(response, ("Accept-Language",))
    etag = etag or etag_of(response.content)
    response["ETag"] = etag
    if request.method in ("GET", "HEAD") and etag_matches(
        etag, request.META.get("HTTP_IF_NONE_MATCH")
    ):
        not_modified = HttpResponseNotModified()
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length"):
                not_modified[header] = value
        return not_modified
    return response


def etag_matches(etag: str, if_none_match: str | None) -> bool:
    """Whether a conditional GET's ``If-None-Match`` names ``etag`` (weakly, as for GET)."""
    if not if_none_match:
        return False
    return etag in {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}


def stamp_schema(response: HttpResponseBase, schema_hash: str) -> HttpResponseBase:
    """Name the schema that answered, so a generated client built from another one knows
    it is stale."""
    response[SCHEMA_HEADER] = schema_hash
    _expose(response, SCHEMA_HEADER)
    return response


def _expose(response: HttpResponseBase, header: str) -> None:
    exposed = response.get("Access-Control-Expose-Headers", "")
    if header.lower() not in exposed.lower():
        response["Access-Control-Expose-Headers"] = ", ".join(filter(None, [exposed, header]))


def report(response: HttpResponseBase, items: Sequence[Invalidation]) -> None:
    """Name the applied invalidations in ``X-Mizan-Invalidate`` (or remove a stray one)."""
    if not items:
        if INVALIDATE_HEADER in response:
            del response[INVALIDATE_HEADER]
        return
    response[INVALIDATE_HEADER] = format_invalidations(
        (item.context, item.params) for item in items
    )
    _expose(response, INVALIDATE_HEADER)
