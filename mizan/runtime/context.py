"""``info.context`` for every operation mizan runs, whatever the transport."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse


@dataclass(slots=True)
class MizanContext:
    """What resolvers read: the Django request (over WebSocket, one built from the
    handshake), the response being built (HTTP only), and whether resolvers may
    return awaitables (``is_async``: under an event loop)."""

    request: HttpRequest
    response: HttpResponse | None = None
    is_async: bool = False
    fields: int = 0  # root fields that began: a 429 is when every one was rate-limited


class Bundle:
    """What a live context's subscription field resolves to: the key params it was given
    (GraphQL-named), which each field of the bundle passes to its function."""

    __slots__ = ("keys",)

    def __init__(self, keys: dict[str, Any]) -> None:
        self.keys = keys


class Shared:
    """A subscription event every local subscriber of its group receives alike (a
    channel's broadcast, as :mod:`mizan.channels.hub` hands it out). What they compute
    from it the same way is computed once and kept in ``memo``: the validated message,
    and the finished result of each document and variables that select it."""

    __slots__ = ("memo", "value")

    def __init__(self, value: Any, memo: dict[Any, Any] | None = None) -> None:
        self.value = value
        self.memo: dict[Any, Any] = {} if memo is None else memo
