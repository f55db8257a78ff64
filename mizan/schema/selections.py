"""Operation documents derived from the compiled schema.

Variables carry the functions' Python parameter names (``$user_id``), so a
persisted URL reads ``?user_id=5`` whether it serves one function or a whole
context. Selection sets are complete: every field of every object type, except
that a type already on the path (a recursive model) is followed at most
``RECURSION_DEPTH`` more times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
    ast_from_value,
    get_named_type,
    print_ast,
)

from mizan.definitions import FunctionDef
from mizan.naming import argument_name

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


def document(operation: str, name: str, fields: Sequence[tuple[FunctionDef, GraphQLField]]) -> str:
    """``query UserContext($user_id: Int!) { userPosts(userId: $user_id) {…} userProfile(…) }``:
    one operation selecting the given root fields; a parameter name shared by several
    functions (a context's key params) is one variable."""
    variables: dict[str, GraphQLArgument] = {}
    calls = []
    for definition, field in sorted(fields, key=lambda pair: pair[0].field_name):
        arguments = []
        for param in definition.params:
            argument = argument_name(param.name)
            variables.setdefault(param.name, field.args[argument])
            arguments.append(f"{argument}: ${param.name}")
        call = definition.field_name + (f"({', '.join(arguments)})" if arguments else "")
        calls.append(call + selection_set(field))
    declared = ", ".join(f"${n}: {a.type}{_default(a)}" for n, a in sorted(variables.items()))
    head = f"{operation} {name}" + (f"({declared})" if declared else "")
    return f"{head} {{ {' '.join(calls)} }}"


def live_document(
    name: str,
    field_name: str,
    subscription: GraphQLField,
    keys: Sequence[str],
    fields: Sequence[tuple[FunctionDef, GraphQLField]],
) -> str:
    """``subscription UserContextLive($user_id: Int!) { userContext(userId: $user_id) {
    userNotes(limit: $limit) {…} userProfile {…} } }``: a live context's subscription with
    every field of its bundle; variables named as in the context's bundle query."""
    variables = {key: subscription.args[argument_name(key)] for key in keys}
    head = ", ".join(f"{argument_name(key)}: ${key}" for key in keys)
    calls = []
    for definition, field in sorted(fields, key=lambda pair: pair[0].field_name):
        arguments = []
        for param in definition.params:
            if param.name in keys:
                continue
            argument = argument_name(param.name)
            variables.setdefault(param.name, field.args[argument])
            arguments.append(f"{argument}: ${param.name}")
        call = definition.field_name + (f"({', '.join(arguments)})" if arguments else "")
        calls.append(call + selection_set(field))
    declared = ", ".join(f"${n}: {a.type}{_default(a)}" for n, a in sorted(variables.items()))
    root = field_name + (f"({head})" if head else "")
    operation = f"subscription {name}" + (f"({declared})" if declared else "")
    return f"{operation} {{ {root} {{ {' '.join(calls)} }} }}"


def _default(argument: GraphQLArgument) -> str:
    if argument.default_value is Undefined:
        return ""
    value = ast_from_value(argument.default_value, argument.type)
    return f" = {print_ast(value)}" if value is not None else ""


def root_fields(
    selection: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> list[FieldNode]:
    """The root fields a selection selects, through fragments (each spread followed once)."""
    found: list[FieldNode] = []
    for item in selection.selections:
        if isinstance(item, FieldNode):
            found.append(item)
        elif isinstance(item, InlineFragmentNode):
            found += root_fields(item.selection_set, fragments, seen)
        elif isinstance(item, FragmentSpreadNode):
            name = item.name.value
            if name in fragments and name not in seen:
                found += root_fields(fragments[name].selection_set, fragments, seen | {name})
    return found
