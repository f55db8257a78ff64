"""Surrogate keys: the names under which an edge indexes a cached response.

A response that reads context ``user`` for ``user_id=5`` carries the keys
``user`` and ``user;user_id=5``. An invalidation item names exactly one of
them, so purging by key drops exactly the affected responses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.http.response import HttpResponseBase

from mizan.canonical import Scalar, percent, text

#: Fastly and Cloudflare accept up to 16 KB of keys per response; stay well below.
MAX_HEADER_BYTES = 8192


def surrogate_key(context: str, params: Iterable[tuple[str, Scalar]] = ()) -> str:
    parts = [context]
    for name, value in params:
        parts.append(f"{name}={percent(text(value))}")
    return ";".join(parts)


def surrogate_keys(
    reads: Iterable[tuple[str, tuple[tuple[str, Scalar], ...]]], max_bytes: int = MAX_HEADER_BYTES
) -> list[str]:
    """Every context key and scoped key, sorted; on overflow only the context keys
    (the coarsest: a purge then drops more, never less)."""
    reads = list(reads)
    keys = sorted(
        {surrogate_key(c) for c, _ in reads} | {surrogate_key(c, p) for c, p in reads if p}
    )
    if len(" ".join(keys)) > max_bytes:
        keys = sorted({surrogate_key(c) for c, _ in reads})
    return keys


def set_key_headers(response: HttpResponseBase, keys: Sequence[str]) -> None:
    """Name ``keys`` in each header of ``SURROGATE_KEY_HEADERS`` (Cloudflare's
    ``Cache-Tag`` comma-separated, the others space-separated)."""
    from mizan.conf import mizan_settings

    for header in mizan_settings.SURROGATE_KEY_HEADERS if keys else ():
        separator = ", " if header.lower() == "cache-tag" else " "
        response[header] = separator.join(keys)
