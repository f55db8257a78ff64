"""Rate limits: ``@client(rate="5/m")``, counted per caller in Django's cache.

A rate is *calls per period*: ``"5/s"``, ``"5/m"``, ``"100/h"``, ``"1000/d"``,
or ``"10/5m"`` for ten calls per five minutes. Each function counts its
callers separately: a logged-in user by their primary key, anyone else by
their client IP (IPv6 by its /64, what one subscriber is usually given),
or whatever ``rate_key=`` returns (an API key, a tenant).

Counting uses fixed windows of the period, one counter per (function,
caller, window), incremented atomically by the cache (``INCR`` on Redis), so
N calls pass and the next is refused however many processes share the cache.
Each caller's windows start at an offset of their own, so clients do not all
get their quota back at the top of the minute. A caller can make up to 2N
calls across one window boundary: the price of one cache round trip per call.

A cache that fails lets calls through (fail open) and says so in the
``mizan.ratelimit`` log, at most once a minute per process.
"""

from __future__ import annotations

import hashlib
import inspect
import ipaddress
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from asgiref.sync import async_to_sync, sync_to_async
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from mizan.conf import mizan_settings
from mizan.definitions import Rate
from mizan.exceptions import RateLimited

if TYPE_CHECKING:
    from mizan.definitions import FunctionDef

__all__ = ["Counter", "Limit", "Rate", "caller", "client_ip", "default_rate", "refused"]

logger = logging.getLogger("mizan.ratelimit")

RateKey = Callable[[HttpRequest], Any]
R = TypeVar("R", bound=HttpResponseBase)

# Seconds a counter outlives its window: processes' clocks differ a little.
GRACE = 5
LOG_EVERY = 60.0


@lru_cache(maxsize=64)
def default_rate(text: str | None) -> Rate | None:
    """``MIZAN["DEFAULT_RATE"]`` parsed (remembered: it is read on every call)."""
    if text is None:
        return None
    try:
        return Rate.parse(text)
    except ValueError as exc:
        raise ImproperlyConfigured(f"settings.MIZAN['DEFAULT_RATE']: {exc}") from None


# --- who is calling ------------------------------------------------------------------


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """``MIZAN["TRUSTED_PROXIES"]`` parsed: addresses and CIDR networks."""
    networks = []
    for proxy in proxies:
        try:
            networks.append(ipaddress.ip_network(proxy, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"settings.MIZAN['TRUSTED_PROXIES']: {proxy!r} is neither an IP address nor "
                "a network. Write addresses or CIDR networks, e.g. ['10.0.0.0/8', '::1']."
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("["):  # "[2001:db8::1]:443"
        text = text[1 : text.find("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request: HttpRequest) -> str:
    """The caller's address: ``REMOTE_ADDR``, unless that is a trusted proxy; then the
    nearest address in ``CLIENT_IP_HEADER`` (read right to left) that is not one.

    A header alone is never believed: any client can send one.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    networks = trusted_networks(tuple(mizan_settings.TRUSTED_PROXIES))
    address = _address(remote)
    if not networks or address is None or not _trusted(address, networks):
        return _bucket(address, remote)
    header = "HTTP_" + mizan_settings.CLIENT_IP_HEADER.upper().replace("-", "_")
    hops = [hop for hop in request.META.get(header, "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None or not _trusted(address, networks):
            return _bucket(address, hop.strip())
    # Every hop is a proxy of ours: the request started inside; the first hop is its origin.
    return _bucket(_address(hops[0]), hops[0].strip()) if hops else _bucket(address, remote)


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: Any) -> bool:
    return any(address in network for network in networks)


def _bucket(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, raw: str) -> str:
    if address is None:
        return raw
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def caller(request: HttpRequest) -> str:
    """Whom a call counts against when no ``rate_key=`` says: the user, else the client IP."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


# --- counting --------------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def window(who: str, rate: Rate, now: float) -> tuple[int, float]:
    """The number of ``who``'s window at ``now``, and the time it ends."""
    # Each caller's windows start at an offset of their own: resets are spread out.
    offset = int(_digest(who)[:8], 16) % rate.seconds
    number = math.floor((now + offset) / rate.seconds)
    return number, (number + 1) * rate.seconds - offset


class Counter:
    """Fixed-window counters in the cache named by ``MIZAN["CACHE_ALIAS"]``."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._logged = -math.inf
        self._let_through = 0
        self._lock = threading.Lock()

    def hit(self, name: str, who: str, rate: Rate) -> int | None:
        """Count one call by ``who`` to ``name``: None when it may run, else the seconds
        until it may (the end of the current window)."""
        now = self.clock()
        number, ends = window(who, rate, now)
        key = f"mizan:rate:{name}:{rate.calls}/{rate.seconds}:{_digest(who)}:{number}"
        try:
            count = self._increment(key, math.ceil(ends - now) + GRACE)
        except Exception as exc:
            self._outage(exc)
            return None
        if count <= rate.calls:
            return None
        return max(1, math.ceil(ends - now))

    def _increment(self, key: str, ttl: int) -> int:
        backend = caches[mizan_settings.CACHE_ALIAS]
        # incr first: one atomic step once the window's counter exists (INCR on Redis;
        # Django's RedisCache checks EXISTS before it). The window is in the key, so a
        # counter that outlives it is never read again.
        try:
            return int(backend.incr(key))
        except ValueError:  # no counter yet: this call is its window's first, or races to be
            if backend.add(key, 1, ttl):
                return 1
            return int(backend.incr(key))

    def _outage(self, exc: Exception) -> None:
        with self._lock:
            self._let_through += 1
            now = time.monotonic()
            if now - self._logged < LOG_EVERY:
                return
            self._logged, count, self._let_through = now, self._let_through, 0
        logger.warning(
            "mizan rate limits: the cache failed (%s: %s); %d call(s) let through uncounted "
            "since the last report. Calls are not limited while it fails.",
            type(exc).__name__,
            exc,
            count,
        )


counter = Counter()


# --- per function ------------------------------------------------------------------------


class Limit:
    """The rate limit of one function, as the call step applies it."""

    def __init__(self, definition: FunctionDef) -> None:
        self.name = definition.name
        self.rate = definition.rate
        self.key = definition.rate_key
        # A context function with a rate of its own counts every read, cache hits too;
        # under the default, only the calls that run it (cache misses).
        self.counts_hits = definition.context_name is None or isinstance(self.rate, Rate)

    def effective(self) -> Rate | None:
        if self.rate is False:
            return None
        return self.rate or default_rate(mizan_settings.DEFAULT_RATE)

    def check(self, request: HttpRequest) -> None:
        """Count this call; raise :class:`RateLimited` when it is one too many."""
        rate = self.effective()
        if rate is None:
            return
        who = self._who(request)
        if who is not None:
            self._verdict(rate, counter.hit(self.name, who, rate))

    async def acheck(self, request: HttpRequest) -> None:
        """:meth:`check` for async code: the cache, the session and a sync key run in a thread."""
        rate = self.effective()
        if rate is None:
            return
        if self.key is not None and inspect.iscoroutinefunction(self.key):
            who = _key_text(await self.key(request))
            if who is not None:
                retry = await sync_to_async(counter.hit)(self.name, who, rate)
                self._verdict(rate, retry)
            return
        await sync_to_async(self.check)(request)

    def _who(self, request: HttpRequest) -> str | None:
        if self.key is None:
            return caller(request)
        value = self.key(request)
        if inspect.isawaitable(value):
            value = async_to_sync(_await)(value)
        return _key_text(value)

    def _verdict(self, rate: Rate, retry_after: int | None) -> None:
        if retry_after is not None:
            raise RateLimited(
                f"Too many calls to {self.name}: the limit is {rate.describe()}. "
                f"Try again in {retry_after} second{'s' if retry_after != 1 else ''}.",
                retry_after=retry_after,
            )


def _key_text(value: object) -> str | None:
    # None: this caller is not limited (say, a trusted server). Keys are namespaced so a
    # custom key can never share a counter with a user's or an IP's.
    return None if value is None else f"key:{value}"


async def _await(value: Any) -> Any:
    return await value


# --- a request's outcome -------------------------------------------------------------------


def refused(fields: int, errors: Sequence[Any] | None) -> int | None:
    """The Retry-After of a request whose every root field was refused by a rate limit (a
    429), else None: a field that ran, or failed otherwise, makes it a 200.

    ``fields``: the root fields that began (``info.context.fields``, counted by the call
    step; a failed non-null field stops the rest of a serial execution); ``errors``: the
    result's, as ``GraphQLError`` s or their formatted dicts.
    """
    if not errors or len(errors) != fields:
        return None
    waits = []
    for error in errors:
        formatted = error if isinstance(error, dict) else error.formatted
        extensions = formatted.get("extensions") or {}
        if extensions.get("code") != RateLimited.code or len(formatted.get("path") or ()) != 1:
            return None
        waits.append(int(extensions.get("retryAfter") or 1))
    return max(waits)


def too_many(response: R, retry_after: int | None) -> R:
    """Make ``response`` a 429 with ``Retry-After`` when ``retry_after`` says (from
    :func:`refused`): every root field of its request was refused."""
    if retry_after is not None:
        response.status_code = 429
        response["Retry-After"] = str(retry_after)
    return response
