"""The server cache of context functions, through Django's cache framework.

Keys are bounded (a digest), versioned by the schema (a deploy that changes a
return type never reads an old shape) and carry two *generation tokens*: one
per context and one per key-param scope. Invalidating swaps a token, which
makes every entry under it unreachable in O(1); nothing is scanned.

A cache backend that fails degrades to calling the function, logged, never to
an error. Concurrent misses of one key compute once per process.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import BaseCache, caches
from django.http import HttpRequest
from django.utils import translation

from mizan.conf import mizan_settings
from mizan.contexts import ContextDef, Invalidation

logger = logging.getLogger("mizan.cache")

MISS = object()
GENERATION_TTL = 7 * 24 * 3600


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:40]


def scope_of(context: ContextDef, request: HttpRequest) -> str | None:
    """Whose entry this is: everyone's (public), a user's, a session's, or nobody's (no
    caching for an anonymous visitor without a session: there is nothing to key by)."""
    if context.public:
        return "public"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    return f"session:{key}" if key else None


class ContextCache:
    def __init__(self, version: str) -> None:
        self.version = version
        self._locks: dict[str, tuple[threading.Lock, int]] = {}
        self._alocks: dict[tuple[int, str], tuple[asyncio.Lock, int]] = {}
        self._guard = threading.Lock()

    @property
    def backend(self) -> BaseCache:
        return caches[mizan_settings.CACHE_ALIAS]

    # --- keys ---------------------------------------------------------------------

    def _generation_keys(self, context: str, scope: tuple[tuple[str, Any], ...]) -> list[str]:
        # Unversioned: an invalidation from a process on the previous deploy still counts.
        keys = [f"mizan:gen:{context}"]
        if scope:
            keys.append(f"mizan:gen:{context}:{_digest(scope)}")
        return keys

    def _generations(self, keys: list[str]) -> list[str]:
        backend = self.backend
        found = backend.get_many(keys)
        for key in keys:
            if key not in found:
                backend.add(key, uuid.uuid4().hex, GENERATION_TTL)
                found[key] = backend.get(key)
        return [str(found[key]) for key in keys]

    def entry_key(
        self,
        context: ContextDef,
        function: str,
        scope: str,
        key_params: tuple[tuple[str, Any], ...],
        arguments: str,
    ) -> str:
        generations = self._generations(self._generation_keys(context.name, key_params))
        language = translation.get_language() or ""
        return f"mizan:{self.version}:{context.name}:" + _digest(
            function, scope, language, arguments, *generations
        )

    def response_key(
        self,
        operation: str,
        query_string: str,
        language: str,
        reads: list[tuple[str, tuple[tuple[str, Any], ...]]],
    ) -> str:
        """A whole public response's key: it dies with any context scope it reads."""
        generations = [
            token
            for context, scope in reads
            for token in self._generations(self._generation_keys(context, scope))
        ]
        return f"mizan:{self.version}:response:" + _digest(
            operation, query_string, language, *generations
        )

    # --- invalidation ---------------------------------------------------------------

    def invalidate(self, item: Invalidation) -> None:
        key = self._generation_keys(item.context, item.params)[-1]
        try:
            self.backend.set(key, uuid.uuid4().hex, GENERATION_TTL)
        except Exception as exc:
            logger.error("mizan cache: could not invalidate %s: %s", key, exc)

    # --- get or compute -------------------------------------------------------------

    def get_or_call(self, key: str | None, compute: Callable[[], Any], ttl: int) -> Any:
        if key is None:
            return compute()
        if (value := self.read(key)) is not MISS:
            return value
        with self._lock(key):
            if (value := self.read(key)) is not MISS:
                return value
            value = compute()
            self.write(key, value, ttl)
            return value

    async def aget_or_call(
        self, key: str | None, compute: Callable[[], Awaitable[Any]], ttl: int
    ) -> Any:
        if key is None:
            return await compute()
        read = sync_to_async(self.read)
        if (value := await read(key)) is not MISS:
            return value
        # asyncio locks belong to one event loop; key them by it as well.
        slot = (id(asyncio.get_running_loop()), key)
        lock, users = self._alocks.get(slot, (asyncio.Lock(), 0))
        self._alocks[slot] = (lock, users + 1)
        try:
            async with lock:
                if (value := await read(key)) is not MISS:
                    return value
                value = await compute()
                await sync_to_async(self.write)(key, value, ttl)
                return value
        finally:
            lock, users = self._alocks[slot]
            if users == 1:
                del self._alocks[slot]
            else:
                self._alocks[slot] = (lock, users - 1)

    def key_or_none(self, make_key: Callable[[], str]) -> str | None:
        """``make_key()``, or None (compute uncached) when the backend is down."""
        try:
            return make_key()
        except Exception as exc:
            logger.warning("mizan cache unavailable, calling the function: %s", exc)
            return None

    def read(self, key: str) -> Any:
        """The stored value, or :data:`MISS` (also when the backend fails)."""
        try:
            return self.backend.get(key, MISS)
        except Exception as exc:
            logger.warning("mizan cache unavailable, calling the function: %s", exc)
            return MISS

    def write(self, key: str, value: Any, ttl: int) -> None:
        try:
            self.backend.set(key, value, ttl)
        except Exception as exc:
            logger.warning("mizan cache unavailable, result not stored: %s", exc)

    @contextmanager
    def _lock(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)
