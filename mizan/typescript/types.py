"""The TypeScript types of a compiled schema: one declaration per input, output and enum
type, in a module of their own (``types.ts``), so a model named like a component cannot
clash with one."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
)

from mizan.typescript.text import comment, quote

#: How each scalar travels in JSON; an unknown custom scalar is ``unknown``.
SCALARS = {
    "Int": "number",
    "Float": "number",
    "String": "string",
    "ID": "string",
    "Boolean": "boolean",
    "Date": "string",
    "DateTime": "string",
    "Time": "string",
    "Decimal": "string",
    "UUID": "string",
    "JSON": "JsonValue",
    "Upload": "Blob",
}

PRELUDE = """\
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };
"""


def reference(type_: GraphQLInputType | GraphQLOutputType, namespace: str = "") -> str:
    """The TypeScript type of a GraphQL type reference (``[NoteOut!]!`` → ``NoteOut[]``)."""
    if isinstance(type_, GraphQLNonNull):
        return _non_null(type_.of_type, namespace)
    return _non_null(type_, namespace) + " | null"


def _non_null(type_: GraphQLInputType | GraphQLOutputType, namespace: str) -> str:
    if isinstance(type_, GraphQLList):
        item = reference(type_.of_type, namespace)
        return f"({item})[]" if " " in item else f"{item}[]"
    return namespace + type_.name  # type: ignore[union-attr]


def is_optional(type_: GraphQLInputType, default: object) -> bool:
    return not isinstance(type_, GraphQLNonNull) or default is not Undefined


def render_types(schema: GraphQLSchema) -> str:
    roots = {schema.query_type, schema.mutation_type, schema.subscription_type}
    blocks = [PRELUDE]
    for name, named in sorted(schema.type_map.items()):
        if name.startswith("__") or named in roots:
            continue
        blocks.append(_declaration(named))
    return "\n".join(blocks)


def _declaration(named: GraphQLNamedType) -> str:
    head = comment(named.description)
    if isinstance(named, GraphQLScalarType):
        return f"{head}export type {named.name} = {SCALARS.get(named.name, 'unknown')};\n"
    if isinstance(named, GraphQLEnumType):
        values = " | ".join(quote(value) for value in named.values) or "never"
        return f"{head}export type {named.name} = {values};\n"
    if isinstance(named, GraphQLUnionType):
        members = " | ".join(member.name for member in named.types) or "never"
        return f"{head}export type {named.name} = {members};\n"
    lines = [f"{head}export interface {named.name} {{"]
    if isinstance(named, GraphQLInputObjectType):
        for field_name, input_field in named.fields.items():
            optional = "?" if is_optional(input_field.type, input_field.default_value) else ""
            lines.append(comment(input_field.description, "  ").rstrip("\n"))
            lines.append(f"  {field_name}{optional}: {reference(input_field.type)};")
    else:
        assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
        for field_name, field in named.fields.items():
            lines.append(comment(field.description, "  ").rstrip("\n"))
            lines.append(f"  {field_name}: {reference(field.type)};")
    lines.append("}")
    return "\n".join(line for line in lines if line) + "\n"
