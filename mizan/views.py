"""``graphql/``: Strawberry's Django view with mizan's schema, CSRF rule and GraphiQL rule.

File uploads follow the GraphQL multipart request spec (Strawberry parses
them); every multipart POST needs the CSRF token, and its size is capped by
``MIZAN["MAX_UPLOAD_SIZE"]`` (its ``operations`` field by ``MAX_BODY_BYTES``, as a
JSON body is).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cross_web import HTTPException
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers
from django.utils.decorators import classonlymethod
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.base import BaseRequestProtocol
from strawberry.types.graphql import OperationType

from mizan import graphiql
from mizan.cache_headers import cacheable, no_store, report, stamp_schema
from mizan.conf import mizan_settings
from mizan.ratelimit import too_many
from mizan.reading import (
    GRAPHQL_RESPONSE,
    UNREADABLE,
    Unreadable,
    csrf_failure,
    json_error,
    loads,
    media_type,
    multipart_operation,
    unreadable,
)
from mizan.runtime import MizanContext, Refusal, Result, get_runtime
from mizan.runtime.engine import JSON_ENCODER
from mizan.runtime.limits import LimitExceeded, check_body_size, check_variables
from mizan.schema import CurrentSchema

__all__ = ["MizanContext", "MizanGraphQLView", "csrf_failure"]


def upload_too_large(request: HttpRequest) -> HttpResponse | None:
    """A 413 for a multipart request over ``MAX_UPLOAD_SIZE``, before anything runs."""
    if request.method != "POST" or request.content_type != "multipart/form-data":
        return None
    limit: int = mizan_settings.MAX_UPLOAD_SIZE
    # Django parses no multipart body without a Content-Length, so the header is the size.
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    if size <= limit:
        return None
    return json_error(
        413,
        f"The upload is {size} bytes; the limit is {limit} bytes (MIZAN['MAX_UPLOAD_SIZE']).",
        "PAYLOAD_TOO_LARGE",
        setting="MAX_UPLOAD_SIZE",
        limit=limit,
    )


def body_too_large(request: HttpRequest) -> HttpResponse | None:
    """A 413 for a request body over ``MAX_BODY_BYTES`` (multipart has ``MAX_UPLOAD_SIZE``),
    by its Content-Length before it is read."""
    if (
        request.method in ("GET", "HEAD", "OPTIONS")
        or request.content_type == "multipart/form-data"
    ):
        return None
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        check_body_size(size, get_runtime().limits)
    except ValueError:
        return None
    except LimitExceeded as refused:
        return too_large(refused)
    return None


def too_large(refused: LimitExceeded) -> JsonResponse:
    """The 413 for a body (or a multipart request's ``operations``) over ``MAX_BODY_BYTES``."""
    return json_error(413, str(refused), refused.code, setting=refused.setting, limit=refused.limit)


class MizanGraphQLView(GraphQLView[MizanContext, None]):
    """POST JSON or multipart (uploads), GET for queries, GraphiQL for browsers.

    A thin adapter: the runtime (:mod:`mizan.runtime`) runs every operation;
    this view reads requests, applies the CSRF rule and writes responses.
    """

    @classonlymethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., HttpResponseBase]:
        # dispatch() makes mizan's own CSRF check. Exempting the view function once,
        # here, rather than with method_decorator, which re-decorates a bound
        # dispatch on every request (~8 µs). Each mutation runs in its own transaction
        # instead of the request's (see mizan/runtime/calls.py).
        view = csrf_exempt(super().as_view(**initkwargs))
        return transaction.non_atomic_requests(view)

    schema = CurrentSchema()

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("multipart_uploads_enabled", True)
        super().__init__(schema=None, **kwargs)  # type: ignore[arg-type]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.result: Result | None = None
        self.media_type = media_type(request)
        try:
            response = (
                csrf_failure(request)
                or upload_too_large(request)
                or body_too_large(request)
                or self.serve(request)
            )
        except Unreadable as exc:
            response = exc.response
        except UNREADABLE as exc:  # Django's guards: size, files, fields, multipart
            response = unreadable(exc).response
        except LimitExceeded as refused:  # read before the runtime: a multipart's operations
            if refused.setting == "MAX_BODY_BYTES":
                response = too_large(refused)
            else:
                response = self.respond(request, Result(None, [refused.error]))
        except Refusal as refusal:
            response = _refused(refusal.status, refusal.message, refusal.code, refusal.allow)
        except HTTPException as exc:  # the request cannot be read
            status = exc.status_code
            if status == 405:  # a method other than GET and POST
                response = _refused(405, exc.reason, "METHOD_NOT_ALLOWED", "GET, POST")
            else:
                code = "NOT_FOUND" if status == 404 else "BAD_REQUEST"
                response = _refused(status, exc.reason, code, None)
        self.negotiate(request, response)
        stamp_schema(response, get_runtime().compiled.hash)
        result = self.result
        if result is not None and response.status_code == 200:
            too_many(response, result.retry_after)  # every root field was rate-limited
        if result is None or response.status_code != 200:
            return no_store(response)
        report(response, result.invalidations)
        if result.errors or result.operation is not OperationType.QUERY:
            return no_store(response)
        # graphql/ is at most private: its URLs have unbounded spellings, so a shared
        # cache could never be purged of them. Public caching is the persisted endpoints'.
        return cacheable(request, response)

    def negotiate(self, request: HttpRequest, response: HttpResponseBase) -> None:
        """GraphQL over HTTP: a client that accepts ``application/graphql-response+json``
        gets it, with a 400 for a request that never began executing."""
        if request.method == "GET":
            patch_vary_headers(response, ("Accept",))
        if self.media_type != GRAPHQL_RESPONSE:
            return
        if not response.get("Content-Type", "").startswith("application/json"):
            return  # GraphiQL's page
        response["Content-Type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        if response.status_code == 200 and _never_started(self.result):
            response.status_code = 400

    def process_result(self, request: HttpRequest, result: Any) -> GraphQLHTTPResponse:
        data = super().process_result(request, result)
        if self.media_type == GRAPHQL_RESPONSE and _never_started(result):
            # Parsing, validation, a limit or the variables refused it: nothing ran, and
            # application/graphql-response+json says so by leaving out `data`.
            data.pop("data", None)
        return data

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        return False  # serve() answers browsers first (graphiql.wants_graphiql)

    def render_graphql_ide(self, request: HttpRequest) -> HttpResponse:
        return graphiql.page(request)  # mizan's own bundle, never Strawberry's CDN page

    @property  # type: ignore[override]
    def graphql_ide(self) -> str | None:
        enabled = mizan_settings.GRAPHIQL and not mizan_settings.TRUSTED_DOCUMENTS_ONLY
        return "graphiql" if enabled else None  # None → 404

    @graphql_ide.setter
    def graphql_ide(self, value: str | None) -> None:  # Strawberry's __init__ assigns it
        pass

    def get_context(self, request: HttpRequest, response: HttpResponse) -> MizanContext:
        return MizanContext(request=request, response=response)

    def serve(self, request: HttpRequest) -> HttpResponseBase:
        """A JSON POST or a GET with a query, read here; the rest (multipart, GraphiQL,
        other methods and content types, batches), read by Strawberry's ``run``.

        Strawberry's ``run`` wraps the request in an adapter and builds a throwaway
        sub-response: for an echo the view took 165 µs that way, 67 µs this way
        (``make bench``). Either way the operation runs in :meth:`operate`. The
        checks are Strawberry's, in its order and with its messages.
        """
        method = request.method
        if graphiql.wants_graphiql(request):
            if self.graphql_ide is None:
                raise HTTPException(404, "Not Found")
            return self.render_graphql_ide(request)
        if method == "POST" and "application/json" in (request.content_type or ""):
            data = _json(request.body)
        elif method == "GET" and ("query" in request.GET or "extensions" in request.GET):
            data = request.GET.dict()
            for key in ("variables", "extensions"):
                if data.get(key):
                    data[key] = _json(data[key])
        else:
            return self.run(request=request)
        if isinstance(data, list):
            return self.run(request=request)  # a batch: Strawberry refuses it
        if not isinstance(data, dict):
            raise HTTPException(400, "The GraphQL request body must be a JSON object.")
        query, variables = data.get("query"), data.get("variables")
        extensions = data.get("extensions")
        _check(query, str, "query", "a string")
        _check(variables, dict, "variables", "an object")
        _check(extensions, dict, "extensions", "an object")
        response = HttpResponse(content_type="application/json")  # the context's response too
        context = self.get_context(request, response)
        result = self.operate(context, query, variables, data.get("operationName"), extensions)
        return self.respond(request, result, response)

    def respond(
        self, request: HttpRequest, result: Result, response: HttpResponse | None = None
    ) -> HttpResponse:
        if response is None:
            response = HttpResponse(content_type="application/json")
        self.result = self.result or result
        # graphql-core's ExecutionResult has the fields Strawberry's process_result reads.
        payload = self.process_result(request, result)
        if result.errors:
            self._handle_errors(result.errors, payload)  # Strawberry's hook (Sentry uses it)
        response.content = self.encode_json(payload)
        return response

    def operate(
        self,
        context: MizanContext,
        query: str | None,
        variables: dict[str, Any] | None,
        operation_name: object,
        extensions: dict[str, Any] | None,
    ) -> Result:
        self.result = get_runtime().execute_sync(
            context,
            query,
            variables,
            operation_name,
            extensions,
            in_url=context.request.method == "GET",
        )
        return self.result

    def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        data = kwargs["request_data"]
        return self.operate(
            kwargs["context"], data.query, data.variables, data.operation_name, data.extensions
        )

    def encode_json(self, data: object) -> str:
        return JSON_ENCODER.encode(data)

    def decode_json(self, data: str | bytes) -> object:
        return loads(data)  # Strawberry's path too: JSON nested too deep is a 400

    def parse_multipart(self, request: Any) -> dict[str, Any]:
        """The spec's multipart request, each shape checked: Strawberry's own reading
        fails with a 500 on an ``operations`` or ``map`` that is not an object, and
        copies variables nested past the recursion limit."""
        limits = get_runtime().limits
        text = request.post_data.get("operations", "{}")
        # The request in the multipart body is what a JSON POST's body is: the same limit
        # (the files have MAX_UPLOAD_SIZE).
        check_body_size(len(text.encode() if isinstance(text, str) else text), limits)
        operations = self.parse_json(text)
        files_map = self.parse_json(request.post_data.get("map", "{}"))
        if isinstance(operations, dict):
            check_variables(operations.get("variables"), limits)
        return multipart_operation(operations, files_map, request.files)


def _refused(status: int, message: str, code: str, allow: str | None) -> JsonResponse:
    # A JSON body, so fetch() callers can read the reason.
    response = JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status=status
    )
    if allow is not None:
        response["Allow"] = allow
    return response


def _never_started(result: Result | None) -> bool:
    """A request error: refused before execution (no operation ran, no data)."""
    if result is None or result.data is not None:
        return False
    # Refused before it began (no operation), or its variables did not coerce (errors
    # without a path: no field ran).
    return result.operation is None or all(e.path is None for e in result.errors or ())


def _json(body: str | bytes) -> Any:
    try:
        return loads(body)
    except ValueError as exc:  # not JSON, nested too deep, or not UTF-8
        raise HTTPException(400, "Unable to parse request body as JSON") from exc


def _check(value: object, kind: type, key: str, expected: str) -> None:
    if value is not None and not isinstance(value, kind):
        raise HTTPException(
            400, f"The GraphQL operation's `{key}` must be {expected} or null, if provided."
        )
