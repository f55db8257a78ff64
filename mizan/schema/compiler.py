"""registry → Strawberry schema: one root field per function and channel, sorted, deterministic."""

from __future__ import annotations

import gc
import hashlib
import inspect
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property
from typing import Any

import strawberry
from graphql import GraphQLField
from strawberry import Schema
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.field import StrawberryField

from mizan import auth
from mizan.conf import mizan_settings
from mizan.contexts import ContextDef, build_contexts, resolve_affects
from mizan.definitions import ChannelDef, FunctionDef, Kind
from mizan.naming import (
    check_names,
    context_bundle_type_name,
    context_subscription_name,
    message_type_name,
)
from mizan.persisted.operations import PersistedOperation, build_operations
from mizan.schema import model_types
from mizan.schema.directives import Auth, AuthLevel
from mizan.schema.model_types import django_type_of
from mizan.schema.types import TypeBuilder, _literal


@dataclass
class CompiledSchema:
    """The GraphQL schema and the facts derived with it; the runtime gives it behaviour."""

    schema: Schema
    functions: dict[str, FunctionDef]  # by root field name, channels' included; no views
    contexts: dict[str, ContextDef]
    types: TypeBuilder
    #: The contexts each mutation invalidates, by root field name.
    affects: dict[str, tuple[ContextDef, ...]] = dataclass_field(default_factory=dict)
    channels: dict[str, ChannelDef] = dataclass_field(default_factory=dict)  # by field name
    #: The live contexts, by the name of their subscription field (``userContext``).
    live: dict[str, ContextDef] = dataclass_field(default_factory=dict)
    #: Persisted operations by name: mizan's own and the trusted client documents.
    operations: dict[str, PersistedOperation] = dataclass_field(default_factory=dict)

    @cached_property
    def operations_by_hash(self) -> dict[str, PersistedOperation]:
        """Persisted operations by the sha256 of their text, and by their file's ids."""
        found = {op.id: op for op in self.operations.values()}
        found.update({op.client_id: op for op in self.operations.values() if op.client_id})
        return found

    def sdl(self) -> str:
        return self.schema.as_str() + "\n"

    @cached_property
    def hash(self) -> str:
        """The schema's identity: a client generated from another one is stale (drift), and
        the context cache's keys are versioned by it."""
        return hashlib.sha256(self.sdl().encode()).hexdigest()[:16]

    def field(self, definition: FunctionDef) -> GraphQLField:
        """The compiled root field of a function."""
        schema = self.schema._schema
        root = {
            Kind.QUERY: schema.query_type,
            Kind.MUTATION: schema.mutation_type,
            Kind.SUBSCRIPTION: schema.subscription_type,
        }[definition.kind]
        assert root is not None
        field: GraphQLField = root.fields[definition.field_name]
        return field

    def live_field(self, context: ContextDef) -> GraphQLField:
        """The compiled subscription field of a live context."""
        subscription = self.schema._schema.subscription_type
        assert subscription is not None
        field: GraphQLField = subscription.fields[context_subscription_name(context.name)]
        return field

    def bundle_field(self, context: ContextDef, definition: FunctionDef) -> GraphQLField:
        """A function's field in its live context's bundle type."""
        bundle = self.schema._schema.type_map[context_bundle_type_name(context.name)]
        field: GraphQLField = bundle.fields[definition.field_name]  # type: ignore[attr-defined]
        return field


def compile_schema(
    definitions: Sequence[FunctionDef],
    channels: Sequence[ChannelDef] = (),
    contexts: dict[str, ContextDef] | None = None,
) -> CompiledSchema:
    # Building a schema allocates tens of thousands of objects that all live on, so
    # the cyclic GC keeps walking a growing heap for nothing: half the build time of
    # a 1,000-function schema. Paused for the build only, and restored as it was.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _compile(definitions, channels, contexts)
    finally:
        if paused:
            gc.enable()


def _compile(
    definitions: Sequence[FunctionDef],
    channels: Sequence[ChannelDef],
    contexts: dict[str, ContextDef] | None,
) -> CompiledSchema:
    if contexts is None:
        contexts = build_contexts(definitions)
    by_fn = {d.fn: d for d in definitions}
    derived = [d for c in channels for d in (c.subscription, c.send) if d is not None]
    check_names([*definitions, *derived], channels)
    functions = _by_field_name([d for d in [*definitions, *derived] if not d.is_view])
    types = TypeBuilder()
    for channel in channels:
        if (name := message_type_name(channel.message)) is not None:
            types.name(channel.message, name)
    roots: dict[Kind, list[StrawberryField]] = defaultdict(list)
    for _, definition in sorted(functions.items()):
        roots[definition.kind].append(_root_field(definition, types))
    live = {context_subscription_name(c.name): c for c in contexts.values() if c.has_live_field}
    for name, context in live.items():
        roots[Kind.SUBSCRIPTION].append(_live_field(name, context, types))
    roots[Kind.SUBSCRIPTION].sort(key=lambda field: field.python_name)

    query_fields = roots[Kind.QUERY] or [_placeholder_query()]
    schema = Schema(
        query=types.create_type("Query", query_fields),
        mutation=_root_type(types, "Mutation", roots[Kind.MUTATION]),
        subscription=_root_type(types, "Subscription", roots[Kind.SUBSCRIPTION]),
        types=[AuthLevel],
    )
    types.schema = schema
    compiled = CompiledSchema(
        schema,
        functions,
        contexts,
        types,
        affects={
            name: resolve_affects(definition, contexts, by_fn)
            for name, definition in sorted(functions.items())
        },
        channels={c.field_name: c for c in channels},
        live=dict(sorted(live.items())),
    )
    compiled.operations.update(
        build_operations(compiled, os.fspath(mizan_settings.PERSISTED_DOCUMENTS) or None)
    )
    return compiled


def _root_type(types: TypeBuilder, name: str, fields: list[StrawberryField]) -> type | None:
    return types.create_type(name, fields) if fields else None


def _by_field_name(definitions: Sequence[FunctionDef]) -> dict[str, FunctionDef]:
    # Unique: naming.check_names refused any two functions with one field name.
    return {definition.field_name: definition for definition in definitions}


def _live_field(name: str, context: ContextDef, types: TypeBuilder) -> StrawberryField:
    """``userContext(userId: Int!): UserContextBundle!``: a live context's subscription. Its
    arguments are the key params; each function is a field of the bundle, taking its other
    params."""
    keys = frozenset(context.key_params)
    bundle_name = context_bundle_type_name(context.name)
    functions = sorted(context.readable, key=lambda d: d.field_name)
    bundle = types.create_type(
        bundle_name,
        [_root_field(definition, types, skip=keys) for definition in functions],
        description=f"Every function of the live context {context.name!r}: what {name} sends.",
    )
    types.reserve(bundle_name, f"the live context {context.name!r}'s bundle")
    first = functions[0]
    field = StrawberryField(
        python_name=name,
        graphql_name=name,
        type_annotation=types.annotation(bundle),
        description=f"Context {context.name!r}, live: sent at once, then again after every "
        "committed invalidation of its scope.",
    )
    field.arguments = [
        _argument(param, types, str(first.source)) for param in first.params if param.name in keys
    ]
    return field


def _argument(param: Any, types: TypeBuilder, where: str) -> StrawberryArgument:
    return StrawberryArgument(
        python_name=param.name,
        graphql_name=None,
        type_annotation=types.annotation(
            types.input(param.annotation, f"{where}, parameter {param.name!r}")
        ),
        default=_graphql_default(param.default),
    )


def _root_field(
    definition: FunctionDef, types: TypeBuilder, skip: frozenset[str] = frozenset()
) -> StrawberryField:
    where = str(definition.source)
    returns = types.output(definition.returns, f"{where} returns")
    directives = (
        [Auth(requires=AuthLevel[auth.level(definition.auth)])]
        if definition.auth is not None
        else []
    )
    arguments = [
        _argument(param, types, where) for param in definition.params if param.name not in skip
    ]
    if django_type_of(definition.returns) is not None:
        return model_types.root_field(
            definition.field_name,
            types.annotation(returns),
            arguments,
            description=definition.description,
            directives=directives,
            where=where,
        )
    field = StrawberryField(
        python_name=definition.field_name,
        graphql_name=definition.field_name,
        type_annotation=types.annotation(returns),
        description=definition.description,
        directives=directives,
    )
    field.arguments = arguments
    return field


def _graphql_default(default: Any) -> Any:
    from strawberry.types.unset import UNSET

    if default is inspect.Parameter.empty or not _literal(default):
        return UNSET  # pydantic fills it in; the argument is still optional in GraphQL
    return default


def _ok() -> bool:
    """Always true: a GraphQL schema needs a query, and this one has no query functions."""
    return True


def _placeholder_query() -> StrawberryField:
    return strawberry.field(resolver=_ok, name="_ok")  # type: ignore[return-value]
