"""The early answer: a public persisted hit served before Django's handler.

``wrap_asgi`` puts :class:`EarlyAnswer` in front of Django's ASGI handler
(``wrap_wsgi``, :class:`EarlyAnswerWSGI`, in front of its WSGI handler). For a
``GET`` or ``HEAD`` of ``ctx/`` or ``q/`` at its canonical URL whose operation is
public, it reads the same slot the endpoint stores its response in (the same gate,
:func:`~mizan.persisted.endpoints.admit`, the same canonical query string and
generation tokens) and, on a hit, sends the response Django sent for that URL last
time — its status, every header the view and the middleware set, its bytes — with
no thread hop, middleware, session, user or view.

What Django answered is kept only when an edge could keep it too: a ``200`` to a
``GET`` with ``Cache-Control: public``, no ``Set-Cookie`` and no ``Vary`` on
``Cookie``, ``Authorization`` or ``*``; it is answered again only to a request with
the same scheme, ``Host`` and values of the headers it varies on. Everything else
(private operations, misses, other methods, redirects, errors, reads a rate limit
counts, an unknown runtime) goes to Django as if this layer were not there, and an
invalidation makes the kept answer miss as it makes the stored response miss.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.handlers.asgi import get_script_prefix
from django.core.handlers.wsgi import get_path_info, get_script_name
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve

from mizan.cache import MISS, ContextCache, Slot
from mizan.cache_headers import LOCALE_MIDDLEWARE, etag_matches
from mizan.conf import mizan_settings
from mizan.persisted.endpoints import Served, admit, context_operation
from mizan.persisted.operations import PersistedOperation
from mizan.runtime import Runtime, built_runtime

logger = logging.getLogger("mizan")

Scope = dict[str, Any]
Headers = list[tuple[bytes, bytes]]
# (scheme, host, (header, value) for each header the response varies on), the status, the
# headers and the body: one kept answer.
Kept = tuple[tuple[Any, ...], int, Headers, bytes]
NEVER_VARIED = {b"*", b"cookie", b"authorization"}


class EarlyAnswer:
    """An ASGI application: public persisted hits from the cache, everything else by ``app``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)  # type: ignore[no-any-return]
        try:
            found = find(scope)
            if found is None:
                return await self.app(scope, receive, send)  # type: ignore[no-any-return]
            cache, slot, ttl = found
            kept, tokens = await _call(cache, cache.lookup_or_miss, slot)
        except Exception:  # never in the way: Django answers, and says what went wrong
            logger.exception("mizan: the early answer failed; Django answers instead")
            return await self.app(scope, receive, send)  # type: ignore[no-any-return]
        headers = _request_headers(scope)
        if kept is not MISS and _matches(kept, scope, headers):
            return await reply(scope, headers, kept, send)
        if tokens is None or scope["method"] != "GET":
            return await self.app(scope, receive, send)  # type: ignore[no-any-return]
        recorder = Recorder(send)
        await self.app(scope, receive, recorder)
        if (answer := recorder.keepable(scope, headers)) is not None:
            # Under the tokens read before Django ran: an invalidation since leaves it stale.
            await _call(cache, cache.store, slot, tokens, answer, ttl)


def find(scope: Scope) -> tuple[ContextCache, Slot, int] | None:
    """Where the kept answer to this request would be, or ``None`` when it has none."""
    if not mizan_settings.EARLY_ANSWER or LOCALE_MIDDLEWARE in settings.MIDDLEWARE:
        # With LocaleMiddleware the language (a part of the slot) comes from the request.
        return None
    if settings.DISALLOWED_USER_AGENTS:  # CommonMiddleware refuses by User-Agent: no Vary
        return None
    runtime = built_runtime()
    if runtime is None:  # the first requests build it, in Django's threads
        return None
    path = scope["path"]
    if "ctx/" not in path and "q/" not in path:  # any other page: not even resolved here
        return None
    operation = _operation(runtime, path.removeprefix(get_script_prefix(scope)) or "/")
    if operation is None:
        return None
    query = scope.get("query_string", b"").decode("latin-1")
    admitted = admit(runtime, operation, scope["method"], path, query)
    if isinstance(admitted, HttpResponseBase):  # Django answers it (the same way)
        return None
    served = Served(runtime, operation)
    slot = served.slot(*admitted)
    if slot is None:
        return None
    return runtime.cache, Slot(slot.key + ":early", slot.generations), served.ttl


def _operation(runtime: Runtime, path: str) -> PersistedOperation | None:
    """The operation ``ctx/`` or ``q/`` serves at ``path``; None for any other path."""
    try:
        match = resolve(path if path.startswith("/") else "/" + path)
    except Resolver404:
        return None
    if "mizan" not in match.app_names:
        return None
    if match.url_name == "context":
        if match.kwargs["context"] not in runtime.compiled.contexts:
            return None
        return context_operation(runtime, match.kwargs["context"])
    if match.url_name == "operation":
        return runtime.compiled.operations.get(match.kwargs["operation"])
    return None


async def _call(cache: ContextCache, function: Any, *args: Any) -> Any:
    """A cache call: directly for a cache in this process's memory (nothing to wait for),
    in a worker thread for one over the network (a blocked event loop blocks everyone)."""
    if isinstance(cache.backend, LocMemCache):
        return function(*args)
    return await sync_to_async(function, thread_sensitive=False)(*args)


def _request_headers(scope: Scope) -> dict[bytes, bytes]:
    headers: dict[bytes, bytes] = {}
    for name, value in scope.get("headers", ()):
        name = name.lower()
        headers[name] = headers[name] + b", " + value if name in headers else value
    return headers


def _varied(response_headers: Headers) -> list[bytes] | None:
    """The request headers a response varies on, or None if no shared cache may keep it."""
    names: list[bytes] = []
    for name, value in response_headers:
        if name.lower() == b"vary":
            names.extend(part.strip().lower() for part in value.split(b",") if part.strip())
    return None if NEVER_VARIED.intersection(names) else sorted(set(names))


def _request_key(scope: Scope, headers: dict[bytes, bytes], varied: list[bytes]) -> tuple[Any, ...]:
    return (
        scope.get("scheme", "http"),
        headers.get(b"host"),
        tuple((name, headers.get(name)) for name in varied),
    )


def _matches(kept: Kept, scope: Scope, headers: dict[bytes, bytes]) -> bool:
    key = kept[0]
    return key == _request_key(scope, headers, [name for name, _ in key[2]])


def answer(scope: Scope, headers: dict[bytes, bytes], kept: Kept) -> tuple[int, Headers, bytes]:
    """The kept answer to this request: as kept, its endpoint's 304 to a conditional GET
    that names its ETag (every header but the content's type and length, no body), no body
    to a HEAD."""
    _key, status, response_headers, body = kept
    etag = next((value for name, value in response_headers if name.lower() == b"etag"), None)
    if etag is not None and etag_matches(
        etag.decode("latin-1"), headers.get(b"if-none-match", b"").decode("latin-1")
    ):
        return 304, [h for h in response_headers if h[0].lower() not in UNMODIFIED_DROPS], b""
    return status, response_headers, b"" if scope["method"] == "HEAD" else body


UNMODIFIED_DROPS = (b"content-type", b"content-length")


async def reply(scope: Scope, headers: dict[bytes, bytes], kept: Kept, send: Any) -> None:
    status, response_headers, body = answer(scope, headers, kept)
    await send({"type": "http.response.start", "status": status, "headers": response_headers})
    await send({"type": "http.response.body", "body": body})


def keep(
    scope: Scope, request_headers: dict[bytes, bytes], status: int, headers: Headers, body: bytes
) -> Kept | None:
    """What to keep of Django's response to this request: only what a shared cache may."""
    if status != 200:
        return None
    cache_control: set[bytes] = set()
    for name, value in headers:
        name = name.lower()
        if name == b"set-cookie":
            return None
        if name == b"cache-control":
            cache_control.update(part.strip().split(b"=")[0] for part in value.split(b","))
    if b"public" not in cache_control or cache_control & {b"private", b"no-store", b"no-cache"}:
        return None
    varied = _varied(headers)
    if varied is None:
        return None
    kept = [_as_hit(name, value) for name, value in headers]
    return _request_key(scope, request_headers, varied), 200, kept, body


class Recorder:
    """Passes Django's response on unchanged and remembers it, to keep it if it may be kept."""

    def __init__(self, send: Any) -> None:
        self.send = send
        self.status = 0
        self.headers: Headers = []
        self.body: list[bytes] = []
        self.complete = False

    async def __call__(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [(bytes(n), bytes(v)) for n, v in message.get("headers", ())]
        elif message["type"] == "http.response.body":
            self.body.append(bytes(message.get("body", b"")))
            self.complete = not message.get("more_body", False)
        await self.send(message)

    def keepable(self, scope: Scope, request_headers: dict[bytes, bytes]) -> Kept | None:
        if not self.complete:
            return None
        return keep(scope, request_headers, self.status, self.headers, b"".join(self.body))


def _as_hit(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    """``X-Mizan-Cache`` (``DEBUG_HEADERS``) says ``hit`` when the kept answer is sent."""
    if name.lower() == b"x-mizan-cache":
        return name, b"hit" + value[value.index(b";") :] if b";" in value else b"hit"
    return name, value


# --- WSGI -----------------------------------------------------------------------------------


def wrap_wsgi(app: Any) -> Any:
    """``application = wrap_wsgi(get_wsgi_application())``: the early answer under WSGI."""
    return EarlyAnswerWSGI(app)


class EarlyAnswerWSGI:
    """A WSGI application: public persisted hits from the cache, everything else by ``app``.

    The same rules as :class:`EarlyAnswer`, and the same kept answers (a process of
    either kind answers with what the other kept)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        try:
            scope = _scope_of(environ)
            found = find(scope)
            if found is None:
                return self.app(environ, start_response)
            cache, slot, ttl = found
            kept, tokens = cache.lookup_or_miss(slot)
        except Exception:  # never in the way: Django answers, and says what went wrong
            logger.exception("mizan: the early answer failed; Django answers instead")
            return self.app(environ, start_response)
        headers = _wsgi_headers(environ)
        if kept is not MISS and _matches(kept, scope, headers):
            status, response_headers, body = answer(scope, headers, kept)
            start_response(
                f"{status} {HTTPStatus(status).phrase}",
                [(n.decode("latin-1"), v.decode("latin-1")) for n, v in response_headers],
            )
            return [body]
        if tokens is None or scope["method"] != "GET":
            return self.app(environ, start_response)
        started: list[Any] = []

        def recording(status: str, response_headers: Any, *exc_info: Any) -> Any:
            started[:] = [status, response_headers]
            return start_response(status, response_headers, *exc_info)

        result = self.app(environ, recording)
        if not started or not started[0].startswith("200 "):
            return result
        try:  # a 200 is read whole before it is sent: a persisted response is small
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        response_headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in started[1]]
        if (kept := keep(scope, headers, 200, response_headers, body)) is not None:
            cache.store(slot, tokens, kept, ttl)
        return [body]


def _scope_of(environ: dict[str, Any]) -> Scope:
    """The parts of an ASGI scope :func:`find` reads, from a WSGI environ (Django's way)."""
    script_name = get_script_name(environ)
    return {
        "type": "http",
        "method": environ["REQUEST_METHOD"],
        "path": script_name.rstrip("/") + get_path_info(environ),
        "root_path": script_name.rstrip("/"),
        "query_string": environ.get("QUERY_STRING", "").encode("latin-1"),
        "scheme": environ.get("wsgi.url_scheme", "http"),
    }


def _wsgi_headers(environ: dict[str, Any]) -> dict[bytes, bytes]:
    headers = {
        key[5:].replace("_", "-").lower().encode("latin-1"): value.encode("latin-1")
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers[b"content-type"] = environ["CONTENT_TYPE"].encode("latin-1")
    return headers
