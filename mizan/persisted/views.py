"""``ctx/<context>/`` and ``q/<Operation>/``: persisted operations as canonical GET URLs.

A public response is shared-cacheable and carries surrogate keys; its bytes
are kept in the server cache under the generation tokens of the contexts it
reads, so a hit is served without running GraphQL, and an invalidation makes
it unreachable in O(1).
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from graphql import ExecutionResult, execute

from mizan.conf import mizan_settings
from mizan.edge.keys import set_key_headers, surrogate_keys
from mizan.http import cacheable, no_store
from mizan.persisted.canonical import BadParameter, Variables, decode
from mizan.persisted.operations import PersistedOperation, context_operation_name
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
        return error(404, f"No context {context!r}.", "NOT_FOUND")
    return serve(request, compiled, compiled.operations.get(context_operation_name(context)))


def operation_view(request: HttpRequest, operation: str) -> HttpResponseBase:
    """``GET q/UserProfile/?user_id=5``: one persisted operation."""
    compiled = get_schema()
    return serve(request, compiled, compiled.operations.get(operation))


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
    if len(request.get_full_path()) > mizan_settings.MAX_URL_LENGTH:
        return error(
            414, f"URL longer than {mizan_settings.MAX_URL_LENGTH} characters.", "URI_TOO_LONG"
        )
    served = Served(compiled, operation)
    try:
        variables, query_string = served.variables.parse(
            decode(request.META.get("QUERY_STRING", ""))
        )
    except BadParameter as exc:
        return error(400, str(exc), "BAD_REQUEST", parameter=exc.parameter)
    if query_string != request.META.get("QUERY_STRING", ""):
        return PermanentRedirect(request.path + (f"?{query_string}" if query_string else ""))
    return served.respond(request, variables, query_string)


class Served:
    """One operation served with one set of variables."""

    def __init__(self, compiled: CompiledSchema, operation: PersistedOperation) -> None:
        self.compiled = compiled
        self.operation = operation

    @cached_property
    def variables(self) -> Variables:
        return Variables(self.compiled.schema._schema, self.operation.operation)

    def reads(self, variables: dict[str, Any]) -> list[tuple[str, tuple[tuple[str, Any], ...]]]:
        contexts = self.compiled.contexts
        return [
            (read.context, read.scope(variables, contexts[read.context].key_types))
            for read in self.operation.reads
        ]

    def respond(
        self, request: HttpRequest, variables: dict[str, Any], query_string: str
    ) -> HttpResponseBase:
        operation, cache = self.operation, self.compiled.cache
        reads = self.reads(variables)
        key = None
        if operation.public:
            key = cache.key_or_none(
                lambda: cache.response_key(
                    operation.id, query_string, translation.get_language() or "", reads
                )
            )
            stored = cache.read(key) if key else None
            if isinstance(stored, bytes):
                return self.headers(
                    request, HttpResponse(stored, content_type="application/json"), reads, hit=True
                )
        body, ok = self.execute(request, variables)
        response = HttpResponse(body, content_type="application/json")
        if not ok:
            no_store(response)
            return response
        if key is not None:
            cache.write(key, body, operation.ttl or mizan_settings.CONTEXT_TTL)
        return self.headers(request, response, reads, hit=False)

    def execute(self, request: HttpRequest, variables: dict[str, Any]) -> tuple[bytes, bool]:
        from mizan.views import MizanContext

        # The document was parsed and validated at start-up: only execution is left.
        result = execute(
            self.compiled.schema._schema,
            self.operation.node,
            variable_values=variables,
            context_value=MizanContext(request=request),
        )
        assert isinstance(result, ExecutionResult)  # sync resolvers in a sync context
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            self.compiled.schema.process_errors(result.errors)
            payload["errors"] = [e.formatted for e in result.errors]
        return json.dumps(payload, separators=(",", ":")).encode(), not result.errors

    def headers(
        self,
        request: HttpRequest,
        response: HttpResponse,
        reads: list[tuple[str, tuple[tuple[str, Any], ...]]],
        *,
        hit: bool,
    ) -> HttpResponseBase:
        operation = self.operation
        keys = surrogate_keys(reads) if operation.public else []
        set_key_headers(response, keys)
        if mizan_settings.DEBUG_HEADERS:
            scope = "public" if operation.public else "private"
            response["X-Mizan-Cache"] = (
                f'{"hit" if hit else "miss"}; scope={scope}; keys="{" ".join(keys)}"'
            )
        ttl = (operation.ttl or mizan_settings.CONTEXT_TTL) if operation.public else None
        return cacheable(request, response, public_ttl=ttl)
