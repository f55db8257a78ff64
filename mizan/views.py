"""``graphql/``: Strawberry's Django view with mizan's schema, CSRF rule and GraphiQL rule.

File uploads follow the GraphQL multipart request spec (Strawberry parses
them); every multipart POST needs the CSRF token, and its size is capped by
``MIZAN["MAX_UPLOAD_SIZE"]``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cross_web import HTTPException
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import classonlymethod
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from mizan import graphiql
from mizan.conf import mizan_settings
from mizan.contexts import collecting, current_invalidations
from mizan.http import cacheable, no_store, report, stamp_schema
from mizan.persisted.apq import Refused, document_for
from mizan.ratelimit import refused, too_many
from mizan.schema import CurrentSchema, get_schema


@dataclass(slots=True)
class MizanContext:
    """``info.context`` for every operation mizan runs."""

    request: HttpRequest
    response: HttpResponse | None = None
    is_async: bool = False
    mutation: bool = False  # set when a mutation field runs: the response is never cached
    fields: int = 0  # root fields begun (a 429 is when every one was rate-limited)


def _not_a_view(request: HttpRequest) -> HttpResponse:  # the callback Django's CSRF check inspects
    raise NotImplementedError


_csrf = CsrfViewMiddleware(_not_a_view)


def csrf_failure(request: HttpRequest) -> HttpResponseBase | None:
    """Django's CSRF check, for the requests that need it: a browser session or a form post.

    Cookieless requests (token auth, server to server) cannot be forged by a
    third-party page, so they pass; GET never changes anything.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    is_form = request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded")
    has_session = "HTTP_COOKIE" in request.META and settings.SESSION_COOKIE_NAME in request.COOKIES
    if not (has_session or is_form):
        return None
    return _csrf.process_view(request, _not_a_view, (), {})


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
    return JsonResponse(
        {
            "errors": [
                {
                    "message": f"The upload is {size} bytes; the limit is {limit} bytes.",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE", "limit": limit},
                }
            ]
        },
        status=413,
    )


class MizanGraphQLView(GraphQLView[MizanContext, None]):
    """POST JSON or multipart (uploads), GET for queries, GraphiQL for browsers."""

    @classonlymethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., HttpResponseBase]:
        # dispatch() makes mizan's own CSRF check. Exempting the view function once,
        # here, rather than with method_decorator, which re-decorates a bound
        # dispatch on every request (~8 µs). Each mutation runs in its own transaction
        # instead of the request's (see resolvers.py).
        view = csrf_exempt(super().as_view(**initkwargs))
        return transaction.non_atomic_requests(view)

    schema = CurrentSchema()

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("multipart_uploads_enabled", True)
        super().__init__(schema=None, **kwargs)  # type: ignore[arg-type]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if (failure := csrf_failure(request)) is not None:
            return failure
        self.context: MizanContext | None = None
        self.has_errors = False
        self.errors: list[Any] | None = None
        with collecting() as applied:
            try:
                response = upload_too_large(request) or self.serve(request)
            except HTTPException as exc:  # a JSON body, so fetch() callers can read the reason
                response = JsonResponse(
                    {"errors": [{"message": exc.reason, "extensions": {"code": "BAD_REQUEST"}}]},
                    status=exc.status_code,
                )
        report(response, applied)
        stamp_schema(response, get_schema().hash)
        if response.status_code == 200 and self.context is not None:
            too_many(response, refused(self.context.fields, self.errors))
        if response.status_code == 405:
            response["Allow"] = "POST" if request.method == "GET" else "GET, POST"
        if (
            self.context is None
            or self.has_errors
            or self.context.mutation
            or (response.status_code != 200)
        ):
            no_store(response)
            return response
        # graphql/ is at most private: its URLs have unbounded spellings, so a shared
        # cache could never be purged of them. Public caching is the persisted endpoints'.
        return cacheable(request, response)

    def process_result(self, request: HttpRequest, result: ExecutionResult) -> GraphQLHTTPResponse:
        data = super().process_result(request, result)
        self.has_errors = bool(result.errors)
        self.errors = result.errors
        if applied := current_invalidations():
            data["extensions"] = {
                **(data.get("extensions") or {}),
                "invalidate": [item.as_json() for item in applied],
            }
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
        self.context = MizanContext(request=request, response=response)
        return self.context

    def serve(self, request: HttpRequest) -> HttpResponseBase:
        """A JSON POST or a GET with a query, straight to mizan's executor; the rest, Strawberry.

        Strawberry's ``run`` wraps the request in an adapter, builds a throwaway
        sub-response and goes through ``Schema.execute_sync`` (see
        :mod:`mizan.execution`): for an echo the view took 165 µs that way, 67 µs this
        way (``make bench``). The checks are Strawberry's, in its order and with its
        messages; GraphiQL, other methods and content types, and batches still go
        through ``run``.
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
        _check(query, str, "query", "a string")
        _check(variables, dict, "variables", "an object")
        _check(data.get("extensions"), dict, "extensions", "an object")

        response = HttpResponse(content_type="application/json")  # the context's response too
        context = self.get_context(request, response)
        try:
            query = document_for(query, data.get("extensions"))
        except Refused as refused:
            return self.respond(
                request, response, ExecutionResult(data=None, errors=[refused.error])
            )
        try:
            result = get_schema().executor.execute_sync(
                query,
                variables=variables,
                operation_name=data.get("operationName"),
                context=context,
                allowed=_ALLOWED[method],
                root_value=self.get_root_value(request),
            )
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:
            raise MethodNotAllowed(exc.as_http_error_reason(method)) from exc
        return self.respond(request, response, result)

    def respond(self, request: HttpRequest, response: HttpResponse, result: Any) -> HttpResponse:
        # graphql-core's ExecutionResult has the fields Strawberry's process_result reads.
        payload = self.process_result(request=request, result=result)
        if result.errors:
            self._handle_errors(result.errors, payload)  # Strawberry's hook (Sentry uses it)
        response.content = self.encode_json(payload)
        return response

    def encode_json(self, data: object) -> str:
        return _encoder.encode(data)

    def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        data = kwargs["request_data"]
        try:
            data.query = document_for(data.query, data.extensions)
        except Refused as refused:
            return ExecutionResult(data=None, errors=[refused.error])
        try:
            return super().execute_single(*args, **kwargs)
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError):
                raise MethodNotAllowed(exc.reason) from exc
            raise


_ALLOWED = {"GET": OperationType.from_http("GET"), "POST": OperationType.from_http("POST")}

# Strawberry's view encodes with DjangoJSONEncoder too, but makes one per response.
_encoder = DjangoJSONEncoder(separators=(",", ":"))


def _json(body: str | bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:  # not JSON, or not UTF-8
        raise HTTPException(400, "Unable to parse request body as JSON") from exc


def _check(value: object, kind: type, key: str, expected: str) -> None:
    if value is not None and not isinstance(value, kind):
        raise HTTPException(
            400, f"The GraphQL operation's `{key}` must be {expected} or null, if provided."
        )


class MethodNotAllowed(HTTPException):
    def __init__(self, reason: str) -> None:
        super().__init__(405, f"{reason} Send mutations as POST.")
