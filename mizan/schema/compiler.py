"""registry → Strawberry schema: one root field per function, sorted, deterministic."""

from __future__ import annotations

import gc
import inspect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError, specified_rules
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
from mizan.conf import mizan_settings
from mizan.definitions import FunctionDef, Kind
from mizan.exceptions import RegistrationError
from mizan.execution import PARSE_FAILED, VALIDATION_FAILED, Executor, add_code, execution_code
from mizan.schema.directives import Auth, AuthLevel
from mizan.schema.resolvers import Call
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


@dataclass(frozen=True)
class CompiledSchema:
    schema: MizanSchema
    functions: dict[str, FunctionDef]  # by root field name
    types: TypeBuilder
    executor: Executor
    calls: tuple[Call, ...] = ()

    def prepare(self) -> None:
        """Build what compilation leaves for each function's first call (``manage.py check``)."""
        for call in self.calls:
            call.prepare()

    def sdl(self) -> str:
        return self.schema.as_str() + "\n"


def compile_schema(definitions: Sequence[FunctionDef]) -> CompiledSchema:
    # Building a schema allocates tens of thousands of objects that all live on, so
    # the cyclic GC keeps walking a growing heap for nothing: half the build time of
    # a 1,000-function schema. Paused for the build only, and restored as it was.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _compile(definitions)
    finally:
        if paused:
            gc.enable()


def _compile(definitions: Sequence[FunctionDef]) -> CompiledSchema:
    functions = _by_field_name(definitions)
    types = TypeBuilder()
    roots: dict[Kind, list[StrawberryField]] = defaultdict(list)
    calls: dict[tuple[Kind, str], Call] = {}
    for name, definition in sorted(functions.items()):
        roots[definition.kind].append(_root_field(definition, types))
        calls[definition.kind, name] = Call(definition, types)

    query_fields = roots[Kind.QUERY] or [_placeholder_query()]
    rules = _rules()
    schema = MizanSchema(
        query=types.create_type("Query", query_fields),
        mutation=types.create_type("Mutation", roots[Kind.MUTATION])
        if roots[Kind.MUTATION]
        else None,
        types=[AuthLevel],
        extensions=_extensions(rules),
    )
    graphql_schema = schema._schema
    for (kind, name), call in calls.items():
        root = graphql_schema.query_type if kind is Kind.QUERY else graphql_schema.mutation_type
        assert root is not None
        root.fields[name].resolve = call.resolver()
    executor = Executor(
        graphql_schema,
        (*specified_rules, *rules, *STRAWBERRY_RULES),
        max_tokens=mizan_settings.MAX_TOKENS,
        cache_size=mizan_settings.DOCUMENT_CACHE_SIZE,
    )
    return CompiledSchema(
        schema=schema,
        functions=functions,
        types=types,
        executor=executor,
        calls=tuple(calls.values()),
    )


def _by_field_name(definitions: Sequence[FunctionDef]) -> dict[str, FunctionDef]:
    functions: dict[str, FunctionDef] = {}
    for definition in definitions:
        other = functions.setdefault(definition.field_name, definition)
        if other is not definition:
            same = "the name" if other.name == definition.name else "the GraphQL field"
            raise RegistrationError(
                f"Two mizan functions share {same} {definition.field_name!r}: {other.source} "
                f"as {other.name!r} and {definition.source} as {definition.name!r}. "
                "Give one of them another name with register(fn, 'name')."
            )
    return functions


def _root_field(definition: FunctionDef, types: TypeBuilder) -> StrawberryField:
    where = str(definition.source)
    field = StrawberryField(
        python_name=definition.field_name,
        graphql_name=definition.field_name,
        type_annotation=types.annotation(types.output(definition.returns, f"{where} returns")),
        description=definition.description,
        directives=[Auth(requires=AuthLevel[auth.level(definition.auth)])]
        if definition.auth is not None
        else (),
    )
    field.arguments = [
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


def _rules() -> list[type[ASTValidationRule]]:
    # Rule classes are made once, here: a new class per request would never hit the
    # validation cache, which is keyed by the rules.
    rules = [
        *QueryDepthLimiter(max_depth=mizan_settings.MAX_DEPTH).validation_rules,
        *MaxAliasesLimiter(max_alias_count=mizan_settings.MAX_ALIASES).validation_rules,
    ]
    if not mizan_settings.INTROSPECTION:
        rules += DisableIntrospection().validation_rules
    return rules


def _extensions(rules: list[type[ASTValidationRule]]) -> list[Any]:
    """The same limits for operations run through Strawberry's own path."""
    size = mizan_settings.DOCUMENT_CACHE_SIZE
    return [
        partial(MaxTokensLimiter, max_token_count=mizan_settings.MAX_TOKENS),
        partial(ParserCache, maxsize=size),
        partial(AddValidationRules, rules),
        partial(ValidationCache, maxsize=size),
    ]
