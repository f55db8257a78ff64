"""The resolver behind each root field: auth, argument validation, the call, errors.

mizan installs these straight on the graphql-core schema that Strawberry
built. Strawberry's own field path rebuilds an ``Info`` and converts every
argument into Strawberry input objects on each call; mizan only needs the
coerced GraphQL values, renamed to Python names and validated by pydantic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pydantic
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from graphql import GraphQLError, GraphQLResolveInfo
from strawberry.utils.str_converters import to_camel_case

from mizan import auth
from mizan.definitions import FunctionDef
from mizan.exceptions import ClientError, RegistrationError
from mizan.schema.types import Decoder, TypeBuilder, is_model

logger = logging.getLogger("mizan")

Resolver = Callable[..., Any]


class Call:
    """Everything one function needs per call, worked out once at build time."""

    def __init__(self, definition: FunctionDef, types: TypeBuilder) -> None:
        self.definition = definition
        self.fn = definition.fn
        self.arguments: list[tuple[str, str, Decoder | None]] = [
            (to_camel_case(p.name), p.name, types.decoder(p.annotation)) for p in definition.params
        ]
        # Built on first call (or by prepare()): ~0.4 ms a model, which for a large
        # registry would double the time compile_schema takes.
        self._model: type[pydantic.BaseModel] | None = None
        returns = definition.returns
        self.coerce: Callable[[Any], Any] | None = None
        if is_model(returns):
            self.coerce = lambda value: (
                value
                if isinstance(value, returns) or value is None
                else returns.model_validate(value)
            )

    @property
    def model(self) -> type[pydantic.BaseModel] | None:
        """The pydantic model that validates the arguments; None for a function without any."""
        if self._model is None:
            self.prepare()
        return self._model

    def prepare(self) -> None:
        """Build the arguments model now rather than on the first call (``manage.py check``)."""
        definition = self.definition
        if self._model is not None or not definition.params:
            return
        try:
            self._model = pydantic.create_model(  # type: ignore[call-overload]
                f"{definition.operation_name}Arguments",
                **{
                    p.name: (p.annotation, ... if p.required else p.default)
                    for p in definition.params
                },
            )
        except (pydantic.PydanticUserError, TypeError, ValueError) as exc:
            raise RegistrationError(
                f"{definition.source}: pydantic cannot validate its parameters: {exc}"
            ) from exc

    def kwargs(self, raw: dict[str, Any]) -> dict[str, Any]:
        model = self.model
        if model is None:
            return {}
        data = {
            py: (decode(raw[gql]) if decode and raw[gql] is not None else raw[gql])
            for gql, py, decode in self.arguments
            if gql in raw
        }
        try:
            validated = model.model_validate(data)
        except pydantic.ValidationError as exc:
            raise bad_input(exc) from None
        return {py: getattr(validated, py) for _, py, _ in self.arguments}

    def resolver(self) -> Resolver:
        definition, fn, coerce, rule = self.definition, self.fn, self.coerce, self.definition.auth

        def resolve(_root: Any, info: GraphQLResolveInfo[Any], **raw: Any) -> Any:
            context = info.context
            if getattr(context, "is_async", False):
                return aresolve(context.request, raw)
            request = context.request
            try:
                if rule is not None:
                    auth.check(rule, request)
                kwargs = self.kwargs(raw)
                result = (async_to_sync(fn) if definition.is_async else fn)(request, **kwargs)
            except Exception as exc:
                raise to_graphql_error(exc, definition) from exc
            return coerce(result) if coerce else result

        async def aresolve(request: Any, raw: dict[str, Any]) -> Any:
            try:
                if rule is not None:
                    await auth.acheck(rule, request)
                kwargs = self.kwargs(raw)
                if definition.is_async:
                    result = await fn(request, **kwargs)
                else:
                    result = await sync_to_async(fn)(request, **kwargs)
            except Exception as exc:
                raise to_graphql_error(exc, definition) from exc
            return coerce(result) if coerce else result

        return resolve


def bad_input(exc: pydantic.ValidationError) -> GraphQLError:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        path = [to_camel_case(p) if isinstance(p, str) else p for p in error["loc"]]
        problems.append({"path": path, "message": error["msg"]})
    first = problems[0]
    where = ".".join(str(p) for p in first["path"])
    return GraphQLError(
        f"Invalid value for argument '{first['path'][0]}' at '{where}': {first['message']}",
        extensions={"code": "BAD_USER_INPUT", "argument": first["path"][0], "problems": problems},
    )


def to_graphql_error(exc: Exception, definition: FunctionDef) -> GraphQLError:
    if isinstance(exc, GraphQLError):
        return exc
    if isinstance(exc, ClientError):
        return GraphQLError(
            exc.message, extensions={**exc.extensions, "code": exc.code}, original_error=exc
        )
    if isinstance(exc, PermissionDenied):
        return GraphQLError(
            str(exc) or "You may not make this call.",
            extensions={"code": "FORBIDDEN"},
            original_error=exc,
        )
    if isinstance(exc, Http404):
        return GraphQLError(
            str(exc) or "Not found.", extensions={"code": "NOT_FOUND"}, original_error=exc
        )
    if isinstance(exc, ValidationError):
        return GraphQLError(
            "; ".join(exc.messages),
            extensions={
                "code": "BAD_USER_INPUT",
                **({"fields": exc.message_dict} if hasattr(exc, "error_dict") else {}),
            },
            original_error=exc,
        )
    logger.error("mizan function %s raised", definition.source, exc_info=exc)
    message = f"{type(exc).__name__}: {exc}" if settings.DEBUG else "Internal server error."
    return GraphQLError(message, extensions={"code": "INTERNAL_SERVER_ERROR"}, original_error=exc)
