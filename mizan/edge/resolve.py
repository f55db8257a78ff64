"""The resolver an edge runs: ``X-Mizan-Invalidate`` + the manifest → what to purge.

A pure function of its inputs, so the same code (or a port of it) can run in a
CDN worker, a purge daemon, or mizan's own purgers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mizan.canonical import percent, text
from mizan.edge.header import parse_invalidations
from mizan.edge.keys import surrogate_key

_PLACEHOLDER = re.compile(r"(:[a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class Purge:
    urls: tuple[str, ...]
    keys: tuple[str, ...]


def resolve_invalidation(
    header: str, manifest: Mapping[str, Any], base_url: str | None = None
) -> Purge:
    """The URLs and surrogate keys to purge for ``header``.

    A malformed header raises :class:`~mizan.edge.header.MalformedHeader` before anything
    is resolved: it is never half-applied. A context the manifest does not know (a newer
    deploy) still yields its keys.
    """
    base = (base_url or "").rstrip("/")
    urls: set[str] = set()
    keys: set[str] = set()
    for context, params in parse_invalidations(header):
        keys.add(surrogate_key(context, params))
        entry = manifest.get("contexts", {}).get(context)
        if entry is None or not entry.get("public"):
            continue
        values = {name: percent(text(value)) for name, value in params}
        complete = set(values) == set(entry.get("params", []))
        for template in [*entry.get("operations", {}).values(), *entry.get("views", [])]:
            filled = _fill(template, values)
            if filled is not None and (complete or filled == template):
                urls.add(base + filled)
    return Purge(tuple(sorted(urls)), tuple(sorted(keys)))


def _fill(template: str, values: Mapping[str, str]) -> str | None:
    """``/profile/:user_id/`` with ``user_id=5`` → ``/profile/5/``; None if a placeholder
    has no value."""
    out = []
    for part in _split(template):
        if part.startswith(":"):
            if part[1:] not in values:
                return None
            out.append(values[part[1:]])
        else:
            out.append(part)
    return "".join(out)


def _split(template: str) -> list[str]:
    return [p for p in _PLACEHOLDER.split(template) if p]
