"""registry → Strawberry schema: one root field per function and channel, sorted, deterministic."""

from __future__ import annotations

import gc
import hashlib
import inspect
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property, partial
from typing import Any

import strawberry
from graphql import (
    ASTValidationRule,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    specified_rules,
)
from strawberry import Schema
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionContext
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.field import StrawberryField

from mizan import auth
from mizan.cache import ContextCache
from mizan.conf import mizan_settings
from mizan.contexts import ContextDef, build_contexts, resolve_affects
from mizan.definitions import ChannelDef, FunctionDef, Kind
from mizan.execution import PARSE_FAILED, VALIDATION_FAILED, Executor, add_code, execution_code
from mizan.naming import argument_name, check_names, message_type_name
from mizan.persisted.operations import PersistedOperation, build_operations
from mizan.schema import model_cache, model_types
from mizan.schema.directives import Auth, AuthLevel
from mizan.schema.model_types import django_type_of
from mizan.schema.resolvers import Call, to_graphql_error
from mizan.schema.types import TypeBuilder, _literal


class MizanSchema(Schema):
    """Strawberry's schema, with stable ``extensions.code`` on every error."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Function errors were logged with their traceback when they were raised;
        # the others are the client's mistakes, not the server's.
        for error in errors:
            add_code(error, _code(error, execution_context))


def _code(error: GraphQLError, context: ExecutionContext | None) -> str:
    if context is not None and context.graphql_document is None:
        return PARSE_FAILED
    if context is not None and context.result is None:
        return VALIDATION_FAILED
    return execution_code(error)  # variable coercion (no path) or a field


# Strawberry adds these to every validation (strawberry.schema.schema.validate_document).
STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)


@dataclass
class CompiledSchema:
    schema: MizanSchema
    functions: dict[str, FunctionDef]  # by root field name, channels' included; no views
    contexts: dict[str, ContextDef]
    types: TypeBuilder
    cache: ContextCache
    executor: Executor
    calls: tuple[Call, ...] = ()
    channels: dict[str, ChannelDef] = dataclass_field(default_factory=dict)  # by field name
    #: Persisted operations by name: mizan's own and the trusted client documents.
    operations: dict[str, PersistedOperation] = dataclass_field(default_factory=dict)

    @cached_property
    def operations_by_hash(self) -> dict[str, PersistedOperation]:
        """Persisted operations by the sha256 of their text, and by their file's ids."""
        found = {op.id: op for op in self.operations.values()}
        found.update({op.client_id: op for op in self.operations.values() if op.client_id})
        return found

    def prepare(self) -> None:
        """Build what compilation leaves for each function's first call (``manage.py check``)."""
        for call in self.calls:
            call.prepare()

    def sdl(self) -> str:
        return self.schema.as_str() + "\n"

    @cached_property
    def hash(self) -> str:
        """The schema's identity: a client generated from another one is stale (drift)."""
        return hashlib.sha256(self.sdl().encode()).hexdigest()[:16]

    def field(self, definition: FunctionDef) -> GraphQLField:
        """The compiled root field of a function."""
        schema = self.schema._schema
        root = schema.query_type if definition.kind is Kind.QUERY else schema.mutation_type
        assert root is not None
        field: GraphQLField = root.fields[definition.field_name]
        return field


def compile_schema(
    definitions: Sequence[FunctionDef], channels: Sequence[ChannelDef] = ()
) -> CompiledSchema:
    # Building a schema allocates tens of thousands of objects that all live on, so
    # the cyclic GC keeps walking a growing heap for nothing: half the build time of
    # a 1,000-function schema. Paused for the build only, and restored as it was.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _compile(definitions, channels)
    finally:
        if paused:
            gc.enable()


def _compile(definitions: Sequence[FunctionDef], channels: Sequence[ChannelDef]) -> CompiledSchema:
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

    query_fields = roots[Kind.QUERY] or [_placeholder_query()]
    rules = _limit_rules()
    schema = MizanSchema(
        query=types.create_type("Query", query_fields),
        mutation=_root_type(types, "Mutation", roots[Kind.MUTATION]),
        subscription=_root_type(types, "Subscription", roots[Kind.SUBSCRIPTION]),
        types=[AuthLevel],
        extensions=_extensions(rules),
    )
    types.schema = schema
    # The SDL versions cache keys: a deploy that changes a type never reads an old shape.
    cache = ContextCache(version=hashlib.sha256(schema.as_str().encode()).hexdigest()[:12])
    graphql_schema = schema._schema
    calls = {
        name: Call(
            definition,
            types,
            context=contexts.get(definition.context_name or ""),
            affects=resolve_affects(definition, contexts, by_fn),
            # A strawberry-django result is a QuerySet, not a value to store: its
            # serialised form is cached per selection instead (see model_types).
            cache=cache if django_type_of(definition.returns) is None else None,
        )
        for name, definition in sorted(functions.items())
    }
    for name, call in calls.items():
        kind = functions[name].kind
        if kind is not Kind.SUBSCRIPTION:
            root = graphql_schema.query_type if kind is Kind.QUERY else graphql_schema.mutation_type
            assert root is not None
            root.fields[name].resolve = _resolver(call, root.fields[name])
    _read_attributes_directly(graphql_schema, types)
    model_types.read_columns_directly(graphql_schema)
    if channels:
        # Only a project that defines a channel has Django Channels installed.
        from mizan.channels.subscription import install

        assert graphql_schema.subscription_type is not None
        for channel in channels:
            install(
                graphql_schema.subscription_type.fields[channel.field_name],
                channel,
                calls[channel.field_name],
            )
    executor = Executor(
        graphql_schema,
        (*specified_rules, *rules, *STRAWBERRY_RULES),
        max_tokens=mizan_settings.MAX_TOKENS,
        cache_size=mizan_settings.DOCUMENT_CACHE_SIZE,
        executor_class=model_cache.executor_class(list(calls.values()), cache),
    )
    compiled = CompiledSchema(
        schema,
        functions,
        contexts,
        types,
        cache,
        executor,
        calls=tuple(calls.values()),
        channels={c.field_name: c for c in channels},
    )
    compiled.operations.update(
        build_operations(compiled, os.fspath(mizan_settings.PERSISTED_DOCUMENTS) or None)
    )
    return compiled


def _resolver(call: Call, field: GraphQLField) -> Callable[..., Any]:
    """The root field's resolver: mizan's, followed by strawberry-django's for a field whose
    result is a strawberry-django type."""
    definition = (field.extensions or {}).get("strawberry-definition")
    if not model_types.is_django_field(definition):
        return call.resolver()
    own = frozenset(argument_name(p.name) for p in call.definition.params)
    assert field.resolve is not None
    return model_types.resolver(
        call.resolver(), field.resolve, own, partial(to_graphql_error, definition=call.definition)
    )


def _read_attributes_directly(schema: GraphQLSchema, types: TypeBuilder) -> None:
    """Give every plain field of mizan's object types a resolver that reads the attribute.

    Strawberry resolves a field without a resolver through ``StrawberryField.get_result``
    behind a wrapper: for a cached context read, most of the request's execution time
    (``make bench``). A getattr by the Python name returns the same value.
    """
    roots = {schema.query_type, schema.mutation_type, schema.subscription_type}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named in roots:
            continue
        if named.name not in types.namespace:
            continue  # Strawberry's and strawberry-django's own types resolve their way
        for field in named.fields.values():
            definition = (field.extensions or {}).get("strawberry-definition")
            if getattr(field.resolve, "_is_default", False) and definition is not None:
                field.resolve = _attribute(definition.python_name)


def _attribute(name: str) -> Callable[..., Any]:
    def resolve(source: Any, _info: Any) -> Any:
        return getattr(source, name)

    return resolve


def _root_type(types: TypeBuilder, name: str, fields: list[StrawberryField]) -> type | None:
    return types.create_type(name, fields) if fields else None


def _by_field_name(definitions: Sequence[FunctionDef]) -> dict[str, FunctionDef]:
    # Unique: naming.check_names refused any two functions with one field name.
    return {definition.field_name: definition for definition in definitions}


def _root_field(definition: FunctionDef, types: TypeBuilder) -> StrawberryField:
    where = str(definition.source)
    returns = types.output(definition.returns, f"{where} returns")
    directives = (
        [Auth(requires=AuthLevel[auth.level(definition.auth)])]
        if definition.auth is not None
        else []
    )
    arguments = [
        StrawberryArgument(
            python_name=param.name,
            graphql_name=None,
            type_annotation=types.annotation(
                types.input(param.annotation, f"{where}, parameter {param.name!r}")
            ),
            default=_graphql_default(param.default),
        )
        for param in definition.params
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


def introspection_allowed() -> bool:
    return bool(mizan_settings.INTROSPECTION) and not mizan_settings.TRUSTED_DOCUMENTS_ONLY


def _limit_rules() -> list[type[ASTValidationRule]]:
    # Rule classes are made once, here: a new class per request would never hit the
    # validation cache, which is keyed by the rules.
    rules = [
        *QueryDepthLimiter(max_depth=mizan_settings.MAX_DEPTH).validation_rules,
        *MaxAliasesLimiter(max_alias_count=mizan_settings.MAX_ALIASES).validation_rules,
    ]
    if not introspection_allowed():
        rules += DisableIntrospection().validation_rules
    return rules


def _extensions(rules: list[type[ASTValidationRule]]) -> list[Any]:
    """The same limits for operations run through Strawberry's own path."""
    size = mizan_settings.DOCUMENT_CACHE_SIZE
    max_tokens = mizan_settings.MAX_TOKENS
    return [
        partial(MaxTokensLimiter, max_token_count=max_tokens),
        partial(ParserCache, maxsize=size),
        partial(AddValidationRules, rules),
        partial(ValidationCache, maxsize=size),
    ]
