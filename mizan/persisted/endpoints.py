"""``ctx/<context>/`` and ``q/<Operation>/``: persisted operations as canonical GET URLs.

A public response is shared-cacheable and carries surrogate keys; its bytes
are kept in the server cache under the generation tokens of the contexts it
reads, so a hit is served without running GraphQL, and an invalidation makes
it unreachable in O(1). A response during whose computation one of those tokens
moved is sent ``private, no-cache`` and not kept (docs/guides/edge.md, "Under
concurrency").
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from graphql import Undefined
from strawberry.types.graphql import OperationType

from mizan.cache import MISS, Reads, Slot
from mizan.cache_headers import cacheable, etag_of, no_store, stamp_schema
from mizan.conf import mizan_settings
from mizan.edge.keys import set_key_headers, surrogate_keys
from mizan.exceptions import BadParameter
from mizan.naming import context_operation_name
from mizan.persisted.operations import PersistedOperation
from mizan.ratelimit import Rate, too_many
from mizan.runtime import MizanContext, Refusal, Runtime, get_runtime
from mizan.runtime.engine import refuse_in_url


class PermanentRedirect(HttpResponseRedirect):
    status_code = 308  # keeps the method; says the canonical URL is the one to cache


def error(
    status: int, message: str, code: str, *, allow: str | None = None, **extensions: Any
) -> JsonResponse:
    response = JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]},
        status=status,
    )
    if allow is not None:
        response["Allow"] = allow
    no_store(response)
    return response


def refused(refusal: Refusal) -> JsonResponse:
    return error(refusal.status, refusal.message, refusal.code, allow=refusal.allow)


# The persisted endpoints change nothing and serve GET only: exempt from Django's CSRF
# middleware, whose HTML 403 would otherwise answer a POST before the JSON 405 does.
@csrf_exempt
def context_view(request: HttpRequest, context: str) -> HttpResponseBase:
    """``GET ctx/user/?user_id=5``: every function of a context, in one response."""
    runtime = get_runtime()
    if context not in runtime.compiled.contexts:
        return stamp_schema(
            error(404, f"No context {context!r}.", "NOT_FOUND"), runtime.compiled.hash
        )
    return stamp_schema(
        serve(request, runtime, context_operation(runtime, context)), runtime.compiled.hash
    )


@csrf_exempt
def operation_view(request: HttpRequest, operation: str) -> HttpResponseBase:
    """``GET q/UserProfile/?user_id=5``: one persisted operation."""
    runtime = get_runtime()
    found = runtime.compiled.operations.get(operation)
    return stamp_schema(serve(request, runtime, found), runtime.compiled.hash)


def context_operation(runtime: Runtime, context: str) -> PersistedOperation | None:
    """The bundle operation of ``context``, which ``ctx/<context>/`` serves."""
    return runtime.compiled.operations.get(context_operation_name(context))


def serve(
    request: HttpRequest, runtime: Runtime, operation: PersistedOperation | None
) -> HttpResponseBase:
    admitted = admit(
        runtime, operation, request.method, request.path, request.META.get("QUERY_STRING", "")
    )
    if isinstance(admitted, HttpResponseBase):
        return admitted
    assert operation is not None
    variables, canonical = admitted
    return Served(runtime, operation).respond(request, variables, canonical)


def admit(
    runtime: Runtime,
    operation: PersistedOperation | None,
    method: str | None,
    path: str,
    query: str,
) -> HttpResponseBase | tuple[dict[str, Any], str]:
    """A persisted read's variables and its canonical query string (``query`` itself when it
    is canonical), or the response that refuses it: 404, 405, 400, 414, or a 308 to the
    canonical URL. The one gate of both ``ctx/`` and ``q/``, and of their early answer
    under ASGI (:mod:`mizan.persisted.early`)."""
    if operation is None:
        return error(404, "No such persisted operation.", "NOT_FOUND")
    if method not in ("GET", "HEAD"):
        return error(
            405, "Persisted operations are read with GET.", "METHOD_NOT_ALLOWED", allow="GET, HEAD"
        )
    document = runtime.persisted[operation.name].first
    assert document is not None
    if (refusal := refuse_in_url(document)) is not None:
        return refused(refusal)
    if document.kind is not OperationType.QUERY:
        return error(
            400,
            f"{operation.name} is a subscription: subscribe to it over a WebSocket to "
            "graphql/ (graphql-transport-ws).",
            "BAD_REQUEST",
        )
    limit = mizan_settings.MAX_URL_LENGTH
    if len(path) + 1 + len(query) > limit:
        return error(414, f"URL longer than {limit} characters.", "URI_TOO_LONG")
    assert operation.variables is not None
    try:
        variables, canonical = operation.variables.read(query)
    except BadParameter as exc:
        return error(400, str(exc), "BAD_REQUEST", parameter=exc.parameter)
    if canonical != query:
        return PermanentRedirect(path + (f"?{canonical}" if canonical else ""))
    return variables, canonical


class Served:
    """One operation served with one set of variables."""

    def __init__(self, runtime: Runtime, operation: PersistedOperation) -> None:
        self.runtime = runtime
        self.operation = operation

    def reads(self, variables: dict[str, Any]) -> Reads:
        """The scopes it reads with ``variables``: a key param's variable left out of the
        URL (at its default) binds its scope to that default, as it does the call."""
        contexts = self.runtime.compiled.contexts
        specs = self.operation.variables.specs if self.operation.variables else {}
        defaults = {
            name: default
            for name, (_, default) in specs.items()
            if name not in variables and default is not Undefined
        }
        if defaults:
            variables = {**defaults, **variables}
        return tuple(
            (read.context, read.scope(variables, contexts[read.context].key_types))
            for read in self.operation.reads
        )

    @property
    def ttl(self) -> int:
        return self.operation.ttl or mizan_settings.CONTEXT_TTL

    def slot(self, variables: dict[str, Any], query_string: str) -> Slot | None:
        """Where its stored response lives, under the generation tokens of the scopes it
        reads; ``None`` when no response is stored in its place (a private operation, or
        one whose reads are all counted by a rate)."""
        if not self.operation.public or self.counts_every_read():
            return None
        return self.scopes(variables, query_string)

    def scopes(self, variables: dict[str, Any], query_string: str) -> Slot:
        """Its slot, whether or not a response is stored there: its generations are the
        tokens of every scope it reads."""
        return self.runtime.cache.slot(
            "response",
            self.operation.id,
            query_string,
            translation.get_language() or "",
            reads=self.reads(variables),
        )

    def respond(
        self, request: HttpRequest, variables: dict[str, Any], query_string: str
    ) -> HttpResponseBase:
        cache = self.runtime.cache
        if not self.operation.public:
            body, ok, retry_after = self.execute(request, variables)
            response = HttpResponse(body, content_type="application/json")
            if ok:
                return self.headers(request, response, etag_of(body), ())
            return no_store(too_many(response, retry_after))
        # The tokens are read before computing even when no stored response may be served
        # (a rate of its own counts every read): they say whether it is still fresh after.
        slot = self.scopes(variables, query_string)
        reusable = not self.counts_every_read()
        stored, tokens = cache.lookup_or_miss(slot)
        if stored is not MISS and reusable:  # the stored bytes, without running GraphQL
            body, etag, keys = stored
            response = HttpResponse(body, content_type="application/json")
            return self.headers(request, response, etag, keys, hit=True)
        body, ok, retry_after = self.execute(request, variables)
        response = HttpResponse(body, content_type="application/json")
        if not ok:
            return no_store(too_many(response, retry_after))
        etag, keys = etag_of(body), tuple(surrogate_keys(self.reads(variables)))
        if tokens is not None and cache.moved(slot, tokens):
            # An invalidation of what it read applied while it was computed: it may hold
            # data older than that write, and the purge that went with it may already
            # have run. Only this client gets it; no shared cache keeps it.
            return self.headers(request, response, etag, keys, fresh=False)
        if tokens is not None and reusable:
            cache.store(slot, tokens, (body, etag, keys), self.ttl)
        return self.headers(request, response, etag, keys)

    def counts_every_read(self) -> bool:
        """Whether a function it calls has a rate of its own, which counts every read: then
        no stored response is served in its place (an edge may still cache it, and enforce
        the rate from the manifest)."""
        functions = self.runtime.compiled.functions
        return any(
            isinstance(functions[name].rate, Rate)
            for name in self.operation.fields
            if name in functions
        )

    def execute(
        self, request: HttpRequest, variables: dict[str, Any]
    ) -> tuple[bytes, bool, int | None]:
        """The response body, whether it is free of errors, and the Retry-After when every
        root field was refused by a rate limit."""
        result = self.runtime.execute_persisted(
            MizanContext(request=request), self.operation, variables
        )
        payload = cast(dict[str, Any], result.formatted)
        body = json.dumps(payload, separators=(",", ":")).encode()
        return body, not result.errors, result.retry_after

    def headers(
        self,
        request: HttpRequest,
        response: HttpResponse,
        etag: str,
        keys: tuple[str, ...],
        *,
        hit: bool = False,
        fresh: bool = True,
    ) -> HttpResponseBase:
        operation = self.operation
        public = operation.public and fresh
        if public:
            set_key_headers(response, keys)
        if mizan_settings.DEBUG_HEADERS:
            scope = "public" if public else "private"
            state = "hit" if hit else "miss" if fresh else "moved"
            response["X-Mizan-Cache"] = f'{state}; scope={scope}; keys="{" ".join(keys)}"'
        ttl = self.ttl if public else None
        return cacheable(request, response, public_ttl=ttl, etag=etag)
