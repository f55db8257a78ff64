"""The operations a generated client runs, each as a typed descriptor (``operations.ts``),
and the persisted-documents file of the ones that are not GET URLs.

Queries are the server's own persisted operations (same text, same hash, same
canonical URL); mutations, form validations and subscriptions are documents built by
the same rules, which a project in trusted-documents-only mode loads from
``persisted-documents.json``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    Undefined,
    get_named_type,
)

from mizan import naming
from mizan.canonical import default_value
from mizan.contexts import ContextDef
from mizan.definitions import FunctionDef, Kind
from mizan.naming import argument_name, context_operation_name
from mizan.schema.compiler import CompiledSchema
from mizan.schema.selections import document
from mizan.typescript.text import comment, literal, quote
from mizan.typescript.types import is_optional, reference


@dataclass(frozen=True)
class Variable:
    name: str  # camelCase, as the hooks take it
    python: str  # as the document (and a persisted URL) names it
    type: GraphQLInputType
    default: Any = Undefined  # canonical JSON form

    @property
    def optional(self) -> bool:
        return is_optional(self.type, self.default)


@dataclass(frozen=True)
class Op:
    name: str
    kind: str
    field: str  # "" for a context's bundle
    document: str
    variables: tuple[Variable, ...]
    result: str  # its TypeScript type, types referenced as T.Name
    path: str | None = None
    context: ContextDef | None = None
    description: str | None = None

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.document.encode()).hexdigest()

    @property
    def variables_type(self) -> str:
        return type_literal(self.variables)


def type_literal(variables: tuple[Variable, ...] | list[Variable]) -> str:
    if not variables:
        return "Record<string, never>"
    fields = "; ".join(
        f"{v.name}{'?' if v.optional else ''}: {reference(v.type, 'T.')}" for v in variables
    )
    return "{ " + fields + " }"


def root_field(compiled: CompiledSchema, definition: FunctionDef) -> GraphQLField:
    schema = compiled.schema._schema
    root = {
        Kind.QUERY: schema.query_type,
        Kind.MUTATION: schema.mutation_type,
        Kind.SUBSCRIPTION: schema.subscription_type,
    }[definition.kind]
    assert root is not None
    field: GraphQLField = root.fields[definition.field_name]
    return field


def _variables(
    compiled: CompiledSchema, functions: list[FunctionDef], persisted: str | None
) -> tuple[Variable, ...]:
    """Each distinct parameter once (a context's key params are shared), sorted by name."""
    specs = {}
    if persisted is not None:
        variables = compiled.operations[persisted].variables
        assert variables is not None
        specs = variables.specs
    found: dict[str, Variable] = {}
    for definition in functions:
        field = root_field(compiled, definition)
        for param in definition.params:
            argument = field.args[argument_name(param.name)]
            default = specs[param.name][1] if param.name in specs else _default(argument)
            found.setdefault(
                param.name, Variable(argument_name(param.name), param.name, argument.type, default)
            )
    return tuple(sorted(found.values(), key=lambda v: v.python))


def _default(argument: Any) -> Any:
    if argument.default_value is Undefined:
        return Undefined
    try:
        return default_value(argument.default_value, argument.type)
    except (ValueError, TypeError):
        return None


def function_operation(compiled: CompiledSchema, definition: FunctionDef) -> Op:
    field = root_field(compiled, definition)
    result = reference(field.type, "T.")
    persisted = definition.operation_name
    if definition.kind is Kind.QUERY and persisted in compiled.operations:
        text = compiled.operations[persisted].text
        path: str | None = f"q/{persisted}/"
    else:
        text = document(definition.kind.value, persisted, [(definition, field)])
        path, persisted = None, None  # type: ignore[assignment]
    context = compiled.contexts.get(definition.context_name or "")
    return Op(
        definition.operation_name,
        definition.kind.value,
        definition.field_name,
        text,
        _variables(compiled, [definition], persisted),
        result,
        path,
        context,
        definition.description,
    )


def context_operation(compiled: CompiledSchema, context: ContextDef) -> Op:
    name = context_operation_name(context.name)
    functions = sorted((f for f in context.functions if not f.is_view), key=lambda f: f.field_name)
    fields = "; ".join(
        f"{f.field_name}: {reference(root_field(compiled, f).type, 'T.')}" for f in functions
    )
    return Op(
        name,
        "query",
        "",
        compiled.operations[name].text,
        _variables(compiled, functions, name),
        "{ " + fields + " }",
        f"ctx/{context.name}/",
        context,
    )


def live_operation(compiled: CompiledSchema, context: ContextDef) -> Op:
    """A live context's subscription: the bundle's variables and shape, pushed (its field is
    the subscription's, whose value is the bundle)."""
    bundle = context_operation(compiled, context)
    name = naming.context_live_operation_name(context.name)
    return Op(
        name,
        "subscription",
        naming.context_subscription_name(context.name),
        compiled.operations[name].text,
        bundle.variables,
        bundle.result,
        None,
        context,
        f"Context {context.name!r}, live: its bundle at once, then after every invalidation.",
    )


def render_operation(op: Op) -> str:
    entries = [
        f"name: {quote(op.name)}",
        f"kind: {quote(op.kind)}",
        f"field: {quote(op.field)}",
        f"document: {quote(op.document)}",
        "variables: ["
        + ", ".join(
            "["
            + ", ".join(
                [quote(v.name), quote(v.python), quote(str(v.type))]
                + ([] if v.default is Undefined else [literal(v.default)])
            )
            + "]"
            for v in op.variables
        )
        + "]",
    ]
    if op.path:
        entries.append(f"path: {quote(op.path)}")
    if op.context is not None:
        entries.append(f"context: {quote(op.context.name)}")
        entries.append(f"keys: {literal(list(op.context.key_params))}")
        if op.context.name != "global":
            entries.append(f"provider: {quote(naming.provider_name(op.context.name))}")
    body = "".join(f"  {entry},\n" for entry in entries)
    return (
        f"{comment(op.description)}export const {op.name}: Operation<{op.variables_type}, "
        f"{op.result}> = {{\n{body}}};\n"
    )


def input_table(compiled: CompiledSchema, ops: list[Op]) -> dict[str, dict[str, list[Any]]]:
    """The input object types a GET URL may carry, with their fields' types and defaults."""
    table: dict[str, dict[str, list[Any]]] = {}
    pending: list[GraphQLInputType] = [v.type for op in ops if op.path for v in op.variables]
    while pending:
        named = get_named_type(pending.pop())
        if not isinstance(named, GraphQLInputObjectType) or named.name in table:
            continue
        table[named.name] = {}
        for name, field in named.fields.items():
            entry: list[Any] = [str(field.type)]
            if field.default_value is not Undefined:
                try:
                    entry.append(default_value(field.default_value, field.type))
                except (ValueError, TypeError):
                    entry.append(None)
            table[named.name][name] = entry
            pending.append(field.type)
    return dict(sorted(table.items()))


def unwrap(type_: GraphQLInputType) -> GraphQLInputType:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_
