"""Operation documents derived from the compiled schema: one per root field.

Selection sets are complete: every field of every object type, except that a
type already on the path (a recursive model) is followed at most
``RECURSION_DEPTH`` more times.
"""

from __future__ import annotations

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    Undefined,
    ast_from_value,
    get_named_type,
    print_ast,
)

RECURSION_DEPTH = 2


def selection_set(field: GraphQLField, path: tuple[str, ...] = ()) -> str:
    named: GraphQLNamedType = get_named_type(field.type)
    if not isinstance(named, GraphQLObjectType):
        return ""
    path = (*path, named.name)
    parts = []
    for name, child in named.fields.items():
        child_type = get_named_type(child.type)
        if child.args:
            continue  # a field taking arguments cannot be selected blindly
        if (
            isinstance(child_type, GraphQLObjectType)
            and path.count(child_type.name) > RECURSION_DEPTH
        ):
            continue
        parts.append(name + selection_set(child, path))
    return " { " + " ".join(parts) + " }"


def operation_document(operation: str, field_name: str, field: GraphQLField, name: str) -> str:
    """``query Echo($text: String!) { echo(text: $text) { message } }``."""
    return bundle_document(operation, name, {field_name: field})


def bundle_document(operation: str, name: str, fields: dict[str, GraphQLField]) -> str:
    """One operation selecting several root fields; an argument name shared by fields is
    one variable (a context's key params)."""
    variables: dict[str, GraphQLArgument] = {}
    calls = []
    for field_name, field in sorted(fields.items()):
        for arg_name, arg in field.args.items():
            variables.setdefault(arg_name, arg)
        arguments = ", ".join(f"{arg}: ${arg}" for arg in field.args)
        calls.append(field_name + (f"({arguments})" if arguments else "") + selection_set(field))
    declared = ", ".join(f"${n}: {a.type}{_default(a)}" for n, a in sorted(variables.items()))
    head = f"{operation} {name}" + (f"({declared})" if declared else "")
    return f"{head} {{ {' '.join(calls)} }}"


def _default(argument: GraphQLArgument) -> str:
    if argument.default_value is Undefined:
        return ""
    value = ast_from_value(argument.default_value, argument.type)
    return f" = {print_ast(value)}" if value is not None else ""
