"""The error step: what a client sees of a failure, and what the log keeps.

Every operation mizan runs, on every transport, ends here. A failure keeps its
message and gets a stable ``extensions.code`` when it was meant for the client:

- a ``GraphQLError`` (the document's mistakes, refused arguments, mizan's own refusals);
- :class:`~mizan.exceptions.ClientError` and its subclasses, with their code;
- Django's ``PermissionDenied`` (``FORBIDDEN``), ``Http404`` (``NOT_FOUND``) and
  ``ValidationError`` (``BAD_USER_INPUT``), and pydantic's ``ValidationError``.

Anything else, at any depth (a root function, a nested field, a subscription's
stream), is a bug the client must not read: it becomes ``Internal server
error.`` with ``INTERNAL_SERVER_ERROR`` (``Type: message`` under ``DEBUG``) and
is logged once, with its traceback, to the ``mizan`` logger.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import pydantic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from graphql import GraphQLError

from mizan.exceptions import ClientError
from mizan.naming import argument_name

logger = logging.getLogger("mizan")

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INTERNAL = "INTERNAL_SERVER_ERROR"
MASKED = "Internal server error."


class Refusal(Exception):
    """The request cannot run at all: an HTTP status, a code and a message ending in a
    full stop. HTTP answers with ``status`` (and ``Allow``); WebSocket with an ``error``."""

    def __init__(self, status: int, message: str, code: str, *, allow: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.allow = allow

    @property
    def error(self) -> GraphQLError:
        return GraphQLError(self.message, extensions={"code": self.code})


def method_not_allowed(message: str) -> Refusal:
    """A mutation, or a query taking form data, that arrived in a URL: one rule everywhere."""
    return Refusal(405, message, "METHOD_NOT_ALLOWED", allow="POST")


def add_code(error: GraphQLError, code: str) -> GraphQLError:
    """Give ``error`` an ``extensions.code`` unless it has one."""
    if "code" not in (error.extensions or {}):
        error.extensions = {**(error.extensions or {}), "code": code}
    return error


def bad_input(exc: pydantic.ValidationError) -> GraphQLError:
    """Arguments pydantic refused: the argument, the path into it and every problem."""
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        path = [argument_name(p) if isinstance(p, str) else p for p in error["loc"]]
        problems.append({"path": path, "message": error["msg"]})
    if not problems:  # pragma: no cover - pydantic always names one
        return GraphQLError("Invalid input.", extensions={"code": "BAD_USER_INPUT"})
    first = problems[0]
    where = ".".join(str(p) for p in first["path"])
    argument = first["path"][0] if first["path"] else None
    return GraphQLError(
        f"Invalid value for argument '{argument}' at '{where}': {first['message']}",
        extensions={"code": "BAD_USER_INPUT", "argument": argument, "problems": problems},
    )


def finish(errors: Iterable[GraphQLError]) -> list[GraphQLError]:
    """The error step over a result's errors: each kept with a code, or masked and logged."""
    return [_finish(error) for error in errors]


def judge(exc: Exception) -> GraphQLError:
    """The error step for an exception raised outside graphql-core's own handling (a
    subscription's stream failing between events)."""
    if isinstance(exc, GraphQLError):
        return _finish(exc)
    return _finish(GraphQLError(str(exc), original_error=exc))


def _finish(error: GraphQLError) -> GraphQLError:
    cause = error.original_error
    while isinstance(cause, GraphQLError) and cause.original_error is not None:
        cause = cause.original_error  # a GraphQLError wrapping another: judge the innermost
    if cause is None or isinstance(cause, GraphQLError):
        # graphql-core's own (variables, a field error) or raised on purpose, with its message.
        return add_code(error, "BAD_USER_INPUT" if error.path is None else INTERNAL)
    known = _client_facing(cause)
    if known is None:
        return mask(cause, error)
    message, extensions = known
    return GraphQLError(
        message, error.nodes, error.source, error.positions, error.path, cause, extensions
    )


def _client_facing(exc: Exception) -> tuple[str, dict[str, Any]] | None:
    if isinstance(exc, ClientError):
        return exc.message, {**exc.extensions, "code": exc.code}
    if isinstance(exc, PermissionDenied):
        return str(exc) or "You may not make this call.", {"code": "FORBIDDEN"}
    if isinstance(exc, Http404):
        return str(exc) or "Not found.", {"code": "NOT_FOUND"}
    if isinstance(exc, ValidationError):
        fields = {"fields": exc.message_dict} if hasattr(exc, "error_dict") else {}
        return "; ".join(exc.messages), {"code": "BAD_USER_INPUT", **fields}
    if isinstance(exc, pydantic.ValidationError):
        error = bad_input(exc)
        return error.message, dict(error.extensions or {})
    return None


def mask(exc: Exception, located: GraphQLError | None = None) -> GraphQLError:
    """``exc`` as the client may see it, logged once with its traceback."""
    where = ".".join(map(str, located.path)) if located is not None and located.path else None
    logger.error(
        "mizan: %s raised %s",
        f"the field at {where}" if where else "an operation",
        type(exc).__name__,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    message = f"{type(exc).__name__}: {exc}" if settings.DEBUG else MASKED
    if located is None:
        return GraphQLError(message, original_error=exc, extensions={"code": INTERNAL})
    return GraphQLError(
        message,
        located.nodes,
        located.source,
        located.positions,
        located.path,
        exc,
        {"code": INTERNAL},
    )
