"""``ctx/<context>/`` and ``q/<Operation>/``: persisted operations as canonical GET URLs.

A public response is shared-cacheable and carries surrogate keys; its bytes
are kept in the server cache under the generation tokens of the contexts it
reads, so a hit is served without running GraphQL, and an invalidation makes
it unreachable in O(1).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from graphql import ExecutionResult, execute

from mizan.cache import MISS, Reads
from mizan.conf import mizan_settings
from mizan.edge.keys import set_key_headers, surrogate_keys
from mizan.exceptions import BadParameter
from mizan.execution import never
from mizan.http import cacheable, etag_of, no_store, stamp_schema
from mizan.naming import context_operation_name
from mizan.persisted.operations import PersistedOperation
from mizan.ratelimit import Rate, refused, too_many
from mizan.schema import get_schema
from mizan.schema.compiler import CompiledSchema


class PermanentRedirect(HttpResponseRedirect):
    status_code = 308  # keeps the method; says the canonical URL is the one to cache


def error(status: int, message: str, code: str, **extensions: Any) -> JsonResponse:
    response = JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]},
        status=status,
    )
    no_store(response)
    return response


def context_view(request: HttpRequest, context: str) -> HttpResponseBase:
    """``GET ctx/user/?user_id=5``: every function of a context, in one response."""
    compiled = get_schema()
    if context not in compiled.contexts:
        return stamp_schema(error(404, f"No context {context!r}.", "NOT_FOUND"), compiled.hash)
    operation = compiled.operations.get(context_operation_name(context))
    return stamp_schema(serve(request, compiled, operation), compiled.hash)


def operation_view(request: HttpRequest, operation: str) -> HttpResponseBase:
    """``GET q/UserProfile/?user_id=5``: one persisted operation."""
    compiled = get_schema()
    return stamp_schema(serve(request, compiled, compiled.operations.get(operation)), compiled.hash)


def serve(
    request: HttpRequest, compiled: CompiledSchema, operation: PersistedOperation | None
) -> HttpResponseBase:
    if operation is None:
        return error(404, "No such persisted operation.", "NOT_FOUND")
    if request.method not in ("GET", "HEAD"):
        response = error(405, "Persisted operations are read with GET.", "METHOD_NOT_ALLOWED")
        response["Allow"] = "GET, HEAD"
        return response
    if not operation.is_query:
        response = error(
            405,
            f"{operation.name} is a mutation: send it as a POST to graphql/ with its id.",
            "METHOD_NOT_ALLOWED",
        )
        response["Allow"] = "POST"
        return response
    query = request.META.get("QUERY_STRING", "")
    limit = mizan_settings.MAX_URL_LENGTH
    if len(request.path) + 1 + len(query) > limit:
        return error(414, f"URL longer than {limit} characters.", "URI_TOO_LONG")
    assert operation.variables is not None
    try:
        variables, canonical = operation.variables.read(query)
    except BadParameter as exc:
        return error(400, str(exc), "BAD_REQUEST", parameter=exc.parameter)
    if canonical != query:
        return PermanentRedirect(request.path + (f"?{canonical}" if canonical else ""))
    return Served(compiled, operation).respond(request, variables, canonical)


class Served:
    """One operation served with one set of variables."""

    def __init__(self, compiled: CompiledSchema, operation: PersistedOperation) -> None:
        self.compiled = compiled
        self.operation = operation

    def reads(self, variables: dict[str, Any]) -> Reads:
        contexts = self.compiled.contexts
        return tuple(
            (read.context, read.scope(variables, contexts[read.context].key_types))
            for read in self.operation.reads
        )

    def respond(
        self, request: HttpRequest, variables: dict[str, Any], query_string: str
    ) -> HttpResponseBase:
        operation, cache = self.operation, self.compiled.cache
        if not operation.public or self.counts_every_read():
            body, ok, retry_after = self.execute(request, variables)
            response = HttpResponse(body, content_type="application/json")
            if ok:
                return self.headers(request, response, etag_of(body), ())
            return no_store(too_many(response, retry_after))
        reads = self.reads(variables)
        slot = cache.slot(
            "response", operation.id, query_string, translation.get_language() or "", reads=reads
        )
        stored, tokens = cache.lookup_or_miss(slot)
        if stored is not MISS:  # the stored bytes, without running GraphQL or the function
            body, etag, keys = stored
            response = HttpResponse(body, content_type="application/json")
            return self.headers(request, response, etag, keys, hit=True)
        body, ok, retry_after = self.execute(request, variables)
        response = HttpResponse(body, content_type="application/json")
        if not ok:
            return no_store(too_many(response, retry_after))
        etag, keys = etag_of(body), tuple(surrogate_keys(reads))
        if tokens is not None:
            cache.store(
                slot, tokens, (body, etag, keys), operation.ttl or mizan_settings.CONTEXT_TTL
            )
        return self.headers(request, response, etag, keys)

    def counts_every_read(self) -> bool:
        """Whether a function it calls has a rate of its own, which counts every read: then
        no stored response is served in its place (an edge may still cache it, and enforce
        the rate from the manifest)."""
        functions = self.compiled.functions
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
        from mizan.views import MizanContext

        context = MizanContext(request=request)
        # The document was parsed and validated at start-up: only execution is left.
        result = execute(
            self.compiled.schema._schema,
            self.operation.node,
            variable_values=variables,
            context_value=context,
            executor_class=self.compiled.executor.executor_class,
            is_async_iterable=never,  # a sync view: a QuerySet is iterated as it is
        )
        assert isinstance(result, ExecutionResult)  # sync resolvers in a sync context
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            self.compiled.schema.process_errors(result.errors)
            payload["errors"] = [e.formatted for e in result.errors]
        body = json.dumps(payload, separators=(",", ":")).encode()
        return body, not result.errors, refused(context.fields, result.errors)

    def headers(
        self,
        request: HttpRequest,
        response: HttpResponse,
        etag: str,
        keys: tuple[str, ...],
        *,
        hit: bool = False,
    ) -> HttpResponseBase:
        operation = self.operation
        set_key_headers(response, keys)
        if mizan_settings.DEBUG_HEADERS:
            scope = "public" if operation.public else "private"
            response["X-Mizan-Cache"] = (
                f'{"hit" if hit else "miss"}; scope={scope}; keys="{" ".join(keys)}"'
            )
        ttl = (operation.ttl or mizan_settings.CONTEXT_TTL) if operation.public else None
        return cacheable(request, response, public_ttl=ttl, etag=etag)
