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
from django.db import connection, transaction
from django.http import Http404, HttpRequest
from django.utils import translation
from graphql import GraphQLError, GraphQLResolveInfo
from strawberry.utils.str_converters import to_camel_case

from mizan import auth
from mizan.cache import ContextCache, Slot, owner_scope, scope_of
from mizan.contexts import ContextDef, Invalidation, schedule
from mizan.definitions import FunctionDef, Kind
from mizan.exceptions import ClientError, RegistrationError
from mizan.ratelimit import Limit
from mizan.schema.types import Decoder, TypeBuilder, result_coercer, validated

logger = logging.getLogger("mizan")

Resolver = Callable[..., Any]


class Call:
    """Everything one function needs per call, worked out once at build time."""

    def __init__(
        self,
        definition: FunctionDef,
        types: TypeBuilder,
        *,
        context: ContextDef | None = None,
        affects: tuple[ContextDef, ...] = (),
        cache: ContextCache | None = None,
    ) -> None:
        self.definition = definition
        self.fn = definition.fn
        self.context = context
        self.affects = affects
        self.cache = cache
        self.is_mutation = definition.kind is Kind.MUTATION
        self.limit = Limit(definition)
        self.arguments: list[tuple[str, str, Decoder | None]] = [
            (to_camel_case(p.name), p.name, types.decoder(p.annotation)) for p in definition.params
        ]
        # Built on first call (or by prepare()): ~0.4 ms a model, which for a large
        # registry would double the time compile_schema takes.
        self._model: type[pydantic.BaseModel] | None = None
        self.coerce = result_coercer(definition.returns)

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
                # Uploaded files (UploadedFile) are checked by isinstance.
                __config__=pydantic.ConfigDict(arbitrary_types_allowed=True),
                **{
                    p.name: (validated(p.annotation), ... if p.required else p.default)
                    for p in definition.params
                },
            )
        except (pydantic.PydanticUserError, TypeError, ValueError) as exc:
            raise RegistrationError(
                f"{definition.source}: pydantic cannot validate its parameters: {exc}"
            ) from exc

    def decode(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Coerced GraphQL arguments → Python-named data, not yet validated."""
        return {
            py: (decode(raw[gql]) if decode and raw[gql] is not None else raw[gql])
            for gql, py, decode in self.arguments
            if gql in raw
        }

    def parse(self, raw: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """GraphQL arguments → the function's keyword arguments, validated, and their
        canonical JSON (part of a cache key)."""
        model = self.model
        if model is None:
            return {}, ""
        try:
            validated = model.model_validate(self.decode(raw))
        except pydantic.ValidationError as exc:
            raise bad_input(exc) from None
        kwargs = {py: getattr(validated, py) for _, py, _ in self.arguments}
        return kwargs, validated.model_dump_json() if self.context else ""

    def resolver(self) -> Resolver:
        definition = self.definition

        def resolve(_root: Any, info: GraphQLResolveInfo[Any], **raw: Any) -> Any:
            context = info.context
            context.fields += 1
            if self.is_mutation:
                context.mutation = True
            if definition.post_only:
                refuse_get(definition, context)
            if getattr(context, "is_async", False):
                return self.run_async(context, raw)
            try:
                if definition.auth is not None:
                    auth.check(definition.auth, context.request)
                kwargs, arguments = self.parse(raw)
                if self.limit.counts_hits:
                    self.limit.check(context.request)
                return self.run(context.request, kwargs, arguments)
            except Exception as exc:
                raise to_graphql_error(exc, definition) from exc

        return resolve

    async def run_async(self, context: Any, raw: dict[str, Any]) -> Any:
        definition, request = self.definition, context.request
        try:
            if definition.auth is not None:
                await auth.acheck(definition.auth, request)
            kwargs, arguments = self.parse(raw)
            if self.limit.counts_hits:
                await self.limit.acheck(request)
            if not definition.is_async:
                # The sync path in a thread: the ORM, the cache and the transaction never
                # run on the event loop.
                return await sync_to_async(self.run)(request, kwargs, arguments)

            async def call() -> Any:
                if not self.limit.counts_hits:  # a context read under the default rate
                    await self.limit.acheck(request)
                result = await self.fn(request, **kwargs)
                if self.coerce is None or self.coerce.done(result):
                    return result
                # Reading a model instance's attributes may query (a relation): in a thread.
                return await sync_to_async(self.coerce)(result)

            if self.context is not None and self.cache is not None:
                slot = await sync_to_async(self.cache_slot)(request, kwargs, arguments)
                return await self.cache.aget_or_call(slot, call, self.context.ttl)
            result = await call()
            await sync_to_async(self.invalidate)(kwargs, result)
            return result
        except Exception as exc:
            raise to_graphql_error(exc, definition) from exc

    def run(self, request: HttpRequest, kwargs: dict[str, Any], arguments: str) -> Any:
        """The call after auth and argument validation, from sync code."""
        fn = async_to_sync(self.fn) if self.definition.is_async else self.fn

        coerce = self.coerce

        def call() -> Any:
            if not self.limit.counts_hits:  # a context read under the default rate: misses
                self.limit.check(request)
            result = fn(request, **kwargs)
            return result if coerce is None else coerce(result)

        if self.context is not None and self.cache is not None:
            slot = self.cache_slot(request, kwargs, arguments)
            return self.cache.get_or_call(slot, call, self.context.ttl)
        if self.is_mutation and connection.settings_dict.get("ATOMIC_REQUESTS"):
            # The GraphQL view opts out of ATOMIC_REQUESTS (see views.py) and keeps its
            # promise per mutation, so the writes commit, and the invalidations apply,
            # before the response reports them.
            with transaction.atomic():
                result = call()
                self.invalidate(kwargs, result)
            return result
        result = call()
        self.invalidate(kwargs, result)
        return result

    def cache_slot(
        self, request: HttpRequest, kwargs: dict[str, Any], arguments: str
    ) -> Slot | None:
        """Where this call's result is cached: by function, arguments, whose it is and the
        language; it depends on the context and the key params' scope."""
        context, cache = self.context, self.cache
        assert context is not None and cache is not None
        scope = scope_of(context, request)  # auth was checked before: never a cache hit first
        if scope is None:
            return None
        return cache.slot(
            "fn",
            self.definition.name,
            scope,
            translation.get_language() or "",
            arguments,
            reads=(
                (context.name, context.scope(kwargs)),
                # A private entry also depends on its owner's token (invalidate_for).
                *(() if context.public else ((context.name, owner_scope(scope)),)),
            ),
        )

    def invalidate(self, kwargs: dict[str, Any], result: Any) -> None:
        """After a successful mutation: its affected contexts, scoped by its params whose
        names match their key params (all of them), else whole."""
        params = kwargs
        if self.definition.form is not None:
            if getattr(result, "ok", True) is False:
                return  # a form submission refused as invalid changed nothing
            params = {**kwargs, **dict(kwargs["data"])}  # a form's fields are its params
        for context in self.affects:
            schedule(Invalidation(context.name, context.scope(params)))


def refuse_get(definition: FunctionDef, context: Any) -> None:
    """A post-only query over GET: a 405 like a mutation's, and the function never runs."""
    if getattr(context.request, "method", None) not in ("GET", "HEAD"):
        return
    if (response := getattr(context, "response", None)) is not None:
        response.status_code = 405
    raise GraphQLError(
        f"{definition.field_name} takes form data, which must not travel in a URL: "
        "send it as POST.",
        extensions={"code": "METHOD_NOT_ALLOWED"},
    )


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
