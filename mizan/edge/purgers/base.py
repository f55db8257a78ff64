"""What a purger is: the options it takes, the HTTP requests a purge becomes, and how one
request is sent (a timeout per attempt, retries with backoff, secrets never logged).

A purger only *describes* requests (:meth:`Purger.requests`) and judges their responses
(:meth:`Purger.accepted`); :class:`Sender` does the I/O. That split keeps each CDN's
contract a pure function, tested request by request.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from mizan.edge.resolve import Purge
from mizan.exceptions import PurgeError

logger = logging.getLogger("mizan.edge.purge")

REQUIRED: Any = object()
#: Longest response body read; a purge API answers with a few hundred bytes.
MAX_BODY = 64 * 1024
#: Longest pause between two attempts, also when a server asks for more (Retry-After).
MAX_BACKOFF = 10.0


@dataclass(frozen=True)
class Option:
    types: type | tuple[type, ...]
    default: Any = REQUIRED
    #: Never shown in a log line, an error message or a repr.
    secret: bool = False
    help: str = ""


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    body: bytes | None = field(default=None, repr=False)

    @classmethod
    def json(cls, url: str, payload: Any, headers: Mapping[str, str]) -> Request:
        body = json.dumps(payload, separators=(",", ":")).encode()
        return cls("POST", url, {**headers, "Content-Type": "application/json"}, body)

    def __str__(self) -> str:  # what a log line shows: never a header (tokens live there)
        return f"{self.method} {self.url}"


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


class Purger:
    """A CDN that mizan purges. Subclasses declare ``OPTIONS`` and implement
    :meth:`requests`; options are the settings dict's keys other than ``BACKEND``."""

    name: ClassVar[str] = "purger"
    OPTIONS: ClassVar[dict[str, Option]] = {}

    def __init__(self, **options: Any) -> None:
        self.options = self.validate(options)

    @classmethod
    def validate(cls, options: Mapping[str, Any]) -> dict[str, Any]:
        where = f"MIZAN['PURGERS'] entry for {cls.__module__}.{cls.__qualname__}"
        unknown = sorted(set(options) - set(cls.OPTIONS))
        if unknown:
            raise ImproperlyConfigured(
                f"{where}: unknown option {unknown[0]!r}. It takes: "
                f"{', '.join(sorted(cls.OPTIONS))}."
            )
        values = {}
        for name, option in cls.OPTIONS.items():
            if name not in options:
                if option.default is REQUIRED:
                    raise ImproperlyConfigured(f"{where}: {name} is required ({option.help}).")
                values[name] = option.default
                continue
            value = options[name]
            if not isinstance(value, option.types) or (
                isinstance(value, bool) and option.types in (int, float, (int, float))
            ):
                shown = "(hidden)" if option.secret else repr(value)
                raise ImproperlyConfigured(
                    f"{where}: {name} must be {_type_names(option.types)}, not {shown}."
                )
            values[name] = value
        return values

    def requests(self, purge: Purge) -> list[Request]:
        """The HTTP requests that carry out ``purge`` (URLs are paths; keys as given)."""
        raise NotImplementedError

    def accepted(self, request: Request, response: Response) -> int | None:
        """Judge a response: raise :class:`PurgeError`, or return how many objects the CDN
        says it purged (None when it does not say)."""
        return default_accepted(response)

    def absolute(self, path: str) -> str:
        base = str(self.options.get("BASE_URL", "")).rstrip("/")
        return base + path

    def __repr__(self) -> str:  # options may hold secrets: a repr names the class only
        return f"<{type(self).__name__} purger>"


def default_accepted(response: Response) -> int | None:
    if 200 <= response.status < 300:
        return None
    raise error_for(response)


def error_for(response: Response, detail: str = "") -> PurgeError:
    status = response.status
    retry = status == 429 or status >= 500
    after = None
    if (value := response.headers.get("retry-after")) is not None:
        try:
            after = float(value)
        except ValueError:
            after = None
    text = f"HTTP {status}" + (f": {detail[:200]}" if detail else "")
    return PurgeError(text, retry=retry, retry_after=after)


def chunks(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _type_names(types: type | tuple[type, ...]) -> str:
    names = [t.__name__ for t in (types if isinstance(types, tuple) else (types,))]
    return " or ".join(f"a {name}" for name in names)


class Sender:
    """Sends requests with a timeout per attempt and retries with exponential backoff.

    One per worker thread: it keeps one keep-alive connection per origin, so a burst
    of purges costs one TCP handshake, not one each.
    """

    def __init__(self, timeout: float, retries: int, backoff: float = 0.1) -> None:
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}

    def send(self, purger: Purger, request: Request) -> int | None:
        """Send until accepted, or raise the last :class:`PurgeError`."""
        attempt = 0
        while True:
            try:
                return purger.accepted(request, self._exchange(request))
            except PurgeError as exc:
                error = exc
            except (OSError, http.client.HTTPException) as exc:
                error = PurgeError(f"{type(exc).__name__}: {exc}", retry=True)
            if not error.retry or attempt >= self.retries:
                raise error
            pause = min(MAX_BACKOFF, self.backoff * 2**attempt) * random.uniform(0.5, 1.0)
            if error.retry_after is not None:
                pause = min(MAX_BACKOFF, max(pause, error.retry_after))
            attempt += 1
            logger.warning(
                "%s: %s failed (%s); attempt %d of %d in %.2f s",
                purger.name,
                request,
                error,
                attempt + 1,
                self.retries + 1,
                pause,
            )
            time.sleep(pause)

    def _exchange(self, request: Request) -> Response:
        parts = urlsplit(request.url)
        origin = (parts.scheme, parts.hostname or "", parts.port or _PORTS.get(parts.scheme, 80))
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        reused = origin in self._connections
        connection = self._connection(origin)
        try:
            return self._roundtrip(connection, request, path)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self._close(origin)
            if not reused:
                raise
            # A kept-alive connection the server closed while idle: not a failed attempt.
            return self._roundtrip(self._connection(origin), request, path)
        except BaseException:
            self._close(origin)
            raise

    def _roundtrip(
        self, connection: http.client.HTTPConnection, request: Request, path: str
    ) -> Response:
        connection.request(request.method, path, body=request.body, headers=dict(request.headers))
        raw = connection.getresponse()
        body = raw.read(MAX_BODY + 1)
        if len(body) > MAX_BODY or raw.will_close:
            connection.close()
        headers = {name.lower(): value for name, value in raw.getheaders()}
        return Response(raw.status, headers, body[:MAX_BODY])

    def _connection(self, origin: tuple[str, str, int]) -> http.client.HTTPConnection:
        connection = self._connections.get(origin)
        if connection is None:
            scheme, host, port = origin
            factory = (
                http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            )
            connection = factory(host, port, timeout=self.timeout)
            self._connections[origin] = connection
        return connection

    def _close(self, origin: tuple[str, str, int]) -> None:
        connection = self._connections.pop(origin, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        for origin in list(self._connections):
            self._close(origin)


_PORTS = {"http": 80, "https": 443}
