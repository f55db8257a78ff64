"""Calling a function: auth, argument validation, the context cache, the transaction and
the invalidations of a mutation, behind the resolver of its root field.

The runtime installs these straight on the graphql-core schema that Strawberry
built. Strawberry's own field path rebuilds an ``Info`` and converts every
argument into Strawberry input objects on each call; mizan only needs the
coerced GraphQL values, renamed to Python names and validated by pydantic.
Failures are not converted here: they propagate to the error step
(:mod:`mizan.runtime.errors`), which judges them at any depth.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import translation
from graphql import GraphQLResolveInfo

from mizan import auth
from mizan.cache import ContextCache, Slot, owner_scope, scope_of
from mizan.contexts import ContextDef
from mizan.definitions import FunctionDef, Kind
from mizan.exceptions import RegistrationError
from mizan.invalidation import Invalidation, schedule
from mizan.naming import argument_name
from mizan.ratelimit import Limit
from mizan.runtime.errors import bad_input
from mizan.schema.types import Coercer, Decoder, TypeBuilder, result_coercer, validated

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
            (argument_name(p.name), p.name, types.decoder(p.annotation)) for p in definition.params
        ]
        # Built on first call (or by prepare()): ~0.4 ms a model, which for a large
        # registry would double the time compile_schema takes.
        self._model: type[pydantic.BaseModel] | None = None
        self.coerce: Coercer | None = result_coercer(definition.returns)

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
            context.fields += 1  # a 429 is when every root field that began was refused
            if context.is_async:
                return self.run_async(context.request, raw)
            if definition.auth is not None:
                auth.check(definition.auth, context.request)
            kwargs, arguments = self.parse(raw)
            if self.limit.counts_hits:
                self.limit.check(context.request)
            return self.run(context.request, kwargs, arguments)

        return resolve

    async def run_async(self, request: HttpRequest, raw: dict[str, Any]) -> Any:
        definition = self.definition
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
            if not self.limit.counts_hits:  # a context read under the default rate: misses
                await self.limit.acheck(request)
            result = await self.fn(request, **kwargs)
            if self.coerce is None or self.coerce.done(result):
                return result
            # Reading a model instance's attributes may query (a relation): in a thread.
            return await sync_to_async(self.coerced)(result)

        if self.context is not None and self.cache is not None:
            slot = await sync_to_async(self.cache_slot)(request, kwargs, arguments)
            return await self.cache.aget_or_call(slot, call, self.context.ttl)
        result = await call()
        await sync_to_async(self.invalidate)(kwargs, result)
        return result

    def run(self, request: HttpRequest, kwargs: dict[str, Any], arguments: str) -> Any:
        """The call after auth and argument validation, from sync code."""
        fn = async_to_sync(self.fn) if self.definition.is_async else self.fn

        def call() -> Any:
            if not self.limit.counts_hits:  # a context read under the default rate: misses
                self.limit.check(request)
            return self.coerced(fn(request, **kwargs))

        if self.context is not None and self.cache is not None:
            slot = self.cache_slot(request, kwargs, arguments)
            return self.cache.get_or_call(slot, call, self.context.ttl)
        if self.is_mutation and connection.settings_dict.get("ATOMIC_REQUESTS"):
            # The GraphQL view opts out of ATOMIC_REQUESTS (see mizan/views.py) and keeps its
            # promise per mutation, so the writes commit, and the invalidations apply,
            # before the response reports them.
            with transaction.atomic():
                result = call()
                self.invalidate(kwargs, result)
            return result
        result = call()
        self.invalidate(kwargs, result)
        return result

    def coerced(self, result: Any) -> Any:
        """What the function returned, as its declared pydantic result."""
        if self.coerce is None:
            return result
        try:
            return self.coerce(result)
        except pydantic.ValidationError as exc:
            # The function broke its own annotation: a server bug, never the client's
            # input, so the error step must mask it rather than read BAD_USER_INPUT.
            raise TypeError(
                f"{self.definition.source} returned a value its annotation "
                f"{self.definition.returns!r} refuses: {exc}"
            ) from exc

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
        hook = self.definition.affected_params  # a plug-in's (a form's submit)
        params = kwargs if hook is None else hook(kwargs, result)
        if params is None:
            return
        for context in self.affects:
            schedule(Invalidation(context.name, context.scope(params)))
