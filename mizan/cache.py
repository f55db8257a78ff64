"""The server cache of context functions and public responses, through Django's cache.

Each entry carries a snapshot of the *generation tokens* it depends on: one per
context and one per key-param scope. Invalidating swaps a token, so every entry
that depends on it stops matching, in O(1); nothing is scanned. A hit reads the
entry and its tokens in one round trip (``get_many``). Keys are bounded digests,
versioned by the schema: a deploy that changes a return type never reads an old
shape.

A cache backend that fails degrades to calling the function, logged, never to
an error. Concurrent misses of one key compute once per process.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.core.cache import BaseCache, caches
from django.http import HttpRequest

from mizan.conf import mizan_settings
from mizan.contexts import ContextDef

if TYPE_CHECKING:
    from mizan.invalidation import Invalidation

logger = logging.getLogger("mizan.cache")

MISS = object()
GENERATION_TTL = 7 * 24 * 3600
RETRY_BACKOFF = 0.05  # seconds before the first retry of an invalidation; doubled after
Scope = tuple[tuple[str, Any], ...]
Reads = tuple[tuple[str, Scope], ...]  # (context, key-param scope) pairs a value depends on


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:40]


def scope_of(context: ContextDef, request: HttpRequest) -> str | None:
    """Whose entry this is: everyone's (public), a user's, a session's, or nobody's (no
    caching for an anonymous visitor without a session: there is nothing to key by)."""
    return "public" if context.public else owner_of(request)


def owner_of(request: HttpRequest) -> str | None:
    """Who owns the private entries ``request`` reads: its user, else its session."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    return f"session:{key}" if key else None


#: When the current request's outermost invalidation scope opened (``time.time_ns()``);
#: set by :func:`mizan.invalidation.collecting`.
request_started: ContextVar[int | None] = ContextVar("mizan_request_started", default=None)


def started() -> int | None:
    """When the current request's outermost :func:`~mizan.invalidation.collecting` scope
    opened, or ``None`` outside one.

    A value computed in a request older than an invalidation of what it read may rest on
    state that request loaded before the write (its session): the cache does not store
    it."""
    return request_started.get()


def new_token(*, stamped: bool = True) -> str:
    """A generation token: when it was minted (``time.time_ns()``, hex), and a random part.

    A scope's first token is stamped 0: it replaces no older value."""
    return f"{time.time_ns() if stamped else 0:x}.{uuid.uuid4().hex[:20]}"


def minted(token: object) -> int:
    """When ``token`` was minted (0 when unknown)."""
    stamp, dot, _ = str(token).partition(".")
    try:
        return int(stamp, 16) if dot else 0
    except ValueError:
        return 0


def storable(tokens: tuple[str, ...]) -> bool:
    """Whether a value computed under ``tokens`` in the current request may be stored:
    not if one of them was minted after the request started (see
    :func:`mizan.contexts.started`)."""
    since = started()
    return since is None or all(minted(token) <= since for token in tokens)


def moved_since(reads: Reads, since: int) -> bool:
    """Whether a generation token of ``reads`` (each context's, each scope's) was minted
    after ``since`` (``time.time_ns()``): an invalidation of what they read applied since.
    For a value whose tokens were not read before it was computed (a view-path page); it
    trusts the clocks of the processes that invalidate to agree. A backend that fails
    cannot say: ``False``, logged."""
    keys = list(generations(reads))
    try:
        found = caches[mizan_settings.CACHE_ALIAS].get_many(keys)
    except Exception as exc:
        logger.warning("mizan cache unavailable, generation tokens not checked: %s", exc)
        return False
    return any(minted(token) > since for token in found.values())


def owner_scope(owner: str) -> Scope:
    """The pseudo-scope of one owner's private entries (``"~"`` is in no param name)."""
    return (("~owner", owner),)


def generation_key(context: str, scope: Scope = ()) -> str:
    # Unversioned: an invalidation from a process on the previous deploy still counts.
    return f"mizan:gen:{context}:{_digest(scope)}" if scope else f"mizan:gen:{context}"


@dataclass(frozen=True)
class Slot:
    """Where one cached value lives, and the generation tokens it depends on."""

    key: str
    generations: tuple[str, ...]


@functools.lru_cache(maxsize=4096)
def _slot(
    version: str, kind: str, parts: tuple[object, ...], reads: tuple[tuple[str, Scope], ...]
) -> Slot:
    # Remembered: a hot key's digests are computed once, not on every hit.
    return Slot(f"mizan:{version}:{kind}:{_digest(*parts)}", generations(reads))


@functools.lru_cache(maxsize=4096)
def generations(reads: Reads) -> tuple[str, ...]:
    """The generation tokens a value that read ``reads`` depends on: each context's, and
    each scope's."""
    keys = []
    for context, scope in reads:
        keys.append(generation_key(context))
        if scope:
            keys.append(generation_key(context, scope))
    return tuple(dict.fromkeys(keys))


def invalidate(item: Invalidation) -> bool:
    """Make every entry that read ``item``'s scope unreachable: swap its generation token.
    Tokens are not versioned by the schema, so no runtime is needed to invalidate.

    Retried ``INVALIDATION_RETRIES`` times with backoff. When every try fails the entries
    that read it stay until they expire, their context's ``ttl`` at most: logged as an
    error, and ``False``."""
    scope = owner_scope(item.owner) if item.owner is not None else item.params
    key = generation_key(item.context, scope)
    retries = max(0, int(mizan_settings.INVALIDATION_RETRIES))
    for attempt in range(retries + 1):
        try:
            caches[mizan_settings.CACHE_ALIAS].set(key, new_token(), GENERATION_TTL)
            return True
        except Exception as exc:
            if attempt == retries:
                logger.error(
                    "mizan cache: could not invalidate %s after %d tries (%s); its entries "
                    "stay until they expire (their context's ttl)",
                    key,
                    retries + 1,
                    exc,
                )
                return False
            logger.warning("mizan cache: invalidating %s failed (%s); retrying", key, exc)
            time.sleep(RETRY_BACKOFF * 2**attempt)
    return False  # pragma: no cover  (the loop returns)


class ContextCache:
    def __init__(self, version: str) -> None:
        self.version = version
        self._locks: dict[str, tuple[threading.Lock, int]] = {}
        self._alocks: dict[tuple[int, str], tuple[asyncio.Lock, int]] = {}
        self._guard = threading.Lock()

    @property
    def backend(self) -> BaseCache:
        return caches[mizan_settings.CACHE_ALIAS]

    def slot(self, kind: str, *parts: object, reads: Reads) -> Slot:
        """The slot of a value identified by ``parts`` that reads the given context scopes:
        each depends on its context's token and, when scoped, on its scope's."""
        return _slot(self.version, kind, parts, reads)

    def lookup(self, slot: Slot) -> tuple[Any, tuple[str, ...]]:
        """``(value, tokens)`` on a hit; ``(MISS, tokens)`` otherwise, the tokens to store a
        fresh value with, read *before* it is computed (an invalidation while computing
        then leaves the stored value already stale, never wrongly fresh)."""
        backend = self.backend
        found = backend.get_many([slot.key, *slot.generations])
        tokens = tuple(found.get(key) for key in slot.generations)
        entry = found.get(slot.key)
        if None not in tokens:
            if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == tokens:
                return entry[1], tokens  # type: ignore[return-value]
            return MISS, tokens  # type: ignore[return-value]
        for key in slot.generations:  # first use of a scope: mint its token (or lose a race)
            if found.get(key) is None:
                backend.add(key, new_token(stamped=False), GENERATION_TTL)
        current = backend.get_many(list(slot.generations))
        return MISS, tuple(str(current.get(key)) for key in slot.generations)

    def moved(self, slot: Slot, tokens: tuple[str, ...]) -> bool:
        """Whether a generation token ``slot`` depends on changed since ``tokens`` were
        read (an invalidation applied meanwhile; a token gone counts as changed). A
        backend that fails cannot say: ``False``, logged."""
        try:
            found = self.backend.get_many(list(slot.generations))
        except Exception as exc:
            logger.warning("mizan cache unavailable, generation tokens not checked: %s", exc)
            return False
        return tuple(found.get(key) for key in slot.generations) != tokens

    def store(self, slot: Slot, tokens: tuple[str, ...], value: Any, ttl: int) -> None:
        if storable(tokens):
            self.write(slot.key, (tokens, value), ttl)

    # --- get or compute -------------------------------------------------------------

    def get_or_call(self, slot: Slot | None, compute: Callable[[], Any], ttl: int) -> Any:
        if slot is None:
            return compute()
        value, tokens = self.lookup_or_miss(slot)
        if value is not MISS or tokens is None:
            return compute() if tokens is None else value
        with self._lock(slot.key):
            value, tokens = self.lookup_or_miss(slot)
            if value is not MISS:
                return value
            value = compute()
            if tokens is not None:
                self.store(slot, tokens, value, ttl)
            return value

    async def aget_or_call(
        self, slot: Slot | None, compute: Callable[[], Awaitable[Any]], ttl: int
    ) -> Any:
        if slot is None:
            return await compute()
        lookup = sync_to_async(self.lookup_or_miss)
        value, tokens = await lookup(slot)
        if value is not MISS or tokens is None:
            return (await compute()) if tokens is None else value
        # asyncio locks belong to one event loop; key them by it as well.
        place = (id(asyncio.get_running_loop()), slot.key)
        lock, users = self._alocks.get(place, (asyncio.Lock(), 0))
        self._alocks[place] = (lock, users + 1)
        try:
            async with lock:
                value, tokens = await lookup(slot)
                if value is not MISS:
                    return value
                value = await compute()
                if tokens is not None:
                    await sync_to_async(self.store)(slot, tokens, value, ttl)
                return value
        finally:
            lock, users = self._alocks[place]
            if users == 1:
                del self._alocks[place]
            else:
                self._alocks[place] = (lock, users - 1)

    def lookup_or_miss(self, slot: Slot) -> tuple[Any, tuple[str, ...] | None]:
        """:meth:`lookup`, or ``(MISS, None)`` (compute, store nothing) if the backend fails."""
        try:
            return self.lookup(slot)
        except Exception as exc:
            logger.warning("mizan cache unavailable, calling the function: %s", exc)
            return MISS, None

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
