"""Reading a GraphQL request off HTTP, where every failure is a JSON answer.

A client that sends a body Django refuses (too large, too many files, a broken
multipart), JSON nested past the parser's recursion, a multipart request whose
``operations`` or ``map`` is of the wrong shape, or no CSRF token, gets a JSON
body with a stable ``extensions.code`` and a 4xx, never Django's HTML pages or a
500. :func:`media_type` picks ``application/graphql-response+json`` when the
client asks for it (the GraphQL over HTTP draft).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import UnreadablePostError
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.log import log_response

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

#: What Django raises while reading a request it will not read.
UNREADABLE = (SuspiciousOperation, MultiPartParserError, UnreadablePostError)


class Unreadable(Exception):
    """The request cannot be read as a GraphQL request; ``response`` says why."""

    def __init__(self, status: int, message: str, code: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.status = status
        self.code = code

    @property
    def response(self) -> JsonResponse:
        return json_error(self.status, str(self), self.code)


def json_error(status: int, message: str, code: str, **extensions: Any) -> JsonResponse:
    """A request error as GraphQL over HTTP shapes one: ``{"errors": [...]}``, no ``data``."""
    return JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]},
        status=status,
    )


def loads(data: str | bytes) -> Any:
    """``json.loads``, with JSON nested past the parser's recursion (a ``RecursionError``)
    refused as any other malformed JSON is (a ``JSONDecodeError``)."""
    try:
        return json.loads(data)
    except RecursionError:
        raise json.JSONDecodeError("JSON nested too deeply", "", 0) from None


def unreadable(exc: Exception) -> Unreadable:
    """The JSON answer to what Django raised reading the request."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Unreadable(
            413,
            "The request body is larger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE "
            f"({limit} bytes).",
            "PAYLOAD_TOO_LARGE",
        )
    if isinstance(exc, TooManyFilesSent):
        return Unreadable(
            400,
            "The request sends more files than Django's DATA_UPLOAD_MAX_NUMBER_FILES "
            f"({settings.DATA_UPLOAD_MAX_NUMBER_FILES}).",
        )
    if isinstance(exc, TooManyFieldsSent):
        return Unreadable(
            400,
            "The request sends more fields than Django's DATA_UPLOAD_MAX_NUMBER_FIELDS "
            f"({settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}).",
        )
    if isinstance(exc, MultiPartParserError):
        return Unreadable(400, f"The multipart body cannot be read: {exc}")
    return Unreadable(400, "The request body cannot be read.")


# --- CSRF ---------------------------------------------------------------------------


def _not_a_view(request: HttpRequest) -> HttpResponse:  # the callback Django's CSRF check inspects
    raise NotImplementedError


class _JsonCsrf(CsrfViewMiddleware):
    """Django's CSRF check, answering a failure with JSON instead of its HTML page.

    ``_reject`` is where Django turns a reason into the failure view's response;
    replacing it (rather than ``CSRF_FAILURE_VIEW``, a project-wide setting) keeps
    Django's checks and its log line, and changes only mizan's endpoints."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        response = json_error(
            403,
            f"CSRF verification failed: {reason} Send the csrftoken cookie's value in the "
            "X-CSRFToken header.",
            "CSRF_FAILED",
        )
        log_response("Forbidden (%s): %s", reason, request.path, response=response, request=request)
        return response


_csrf = _JsonCsrf(_not_a_view)


def csrf_failure(request: HttpRequest) -> HttpResponse | None:
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


# --- multipart ----------------------------------------------------------------------


def multipart_operation(
    operations: object, files_map: object, files: Mapping[str, Any]
) -> dict[str, Any]:
    """The operation of a GraphQL multipart request, each file put where ``map`` says.

    The spec's ``operations`` is one operation object (mizan runs no batches) and
    ``map`` an object from file field names to lists of paths in it
    (``"variables.file"``); anything else is :class:`Unreadable`.
    """
    if not isinstance(operations, dict):
        raise Unreadable(400, "The multipart field `operations` must be a JSON object.")
    if not isinstance(files_map, dict) or not all(
        isinstance(paths, list) and all(isinstance(p, str) for p in paths)
        for paths in files_map.values()
    ):
        raise Unreadable(
            400,
            "The multipart field `map` must be a JSON object of lists of paths, like "
            '{"0": ["variables.file"]}.',
        )
    for name, paths in files_map.items():
        if name not in files:
            raise Unreadable(400, f"The multipart request has no file field {name!r}.")
        for path in paths:
            _put(operations, path, files[name])
    return operations


def _put(operations: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target: Any = operations
    try:
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        elif isinstance(target, dict):
            target[last] = value
        else:
            raise TypeError
    except (KeyError, IndexError, ValueError, TypeError):
        raise Unreadable(
            400, f"The multipart map names {path!r}, which is not a place in `operations`."
        ) from None


# --- content negotiation ------------------------------------------------------------


def media_type(request: HttpRequest) -> str:
    """``application/graphql-response+json`` when the client's ``Accept`` prefers it (or
    ranks it with ``application/json``), else ``application/json``."""
    accept = request.headers.get("Accept", "")
    if GRAPHQL_RESPONSE not in accept:
        return JSON
    ranks: dict[str, float] = {}
    for item in accept.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranks[kind.lower()] = max(quality, ranks.get(kind.lower(), 0.0))
    wanted = ranks.get(GRAPHQL_RESPONSE, 0.0)
    other = max(ranks.get(JSON, 0.0), ranks.get("application/*", 0.0), ranks.get("*/*", 0.0))
    return GRAPHQL_RESPONSE if wanted > 0 and wanted >= other else JSON
