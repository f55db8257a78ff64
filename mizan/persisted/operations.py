"""The persisted operations: one per query function and channel subscription, one bundle
per context, and the trusted client documents; each parsed, validated and analysed
once, at start-up.

The analysis says which contexts an operation reads and which of its variables
(or literals) bind each context's key params: the response's surrogate keys,
its cache policy and the edge manifest all come from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    parse,
    validate,
    value_from_ast,
)

from mizan.canonical import Scalar, key_value
from mizan.exceptions import RegistrationError
from mizan.naming import argument_name, context_operation_name
from mizan.persisted.canonical import Variables
from mizan.schema.selections import document, root_fields

if TYPE_CHECKING:
    from mizan.schema.compiler import CompiledSchema


@dataclass(frozen=True)
class Read:
    """One context an operation reads, and how its key params are bound. An operation that
    reads a context through several bindings has one :class:`Read` for each."""

    context: str
    variables: tuple[tuple[str, str], ...]  # (key param, variable name)
    literals: tuple[tuple[str, Scalar], ...]  # (key param, value written in the document)
    complete: bool  # every key param bound: the operation can be purged by scope

    def scope(
        self, variables: Mapping[str, Any], key_types: Mapping[str, Any]
    ) -> tuple[tuple[str, Scalar], ...]:
        if not self.complete:
            return ()
        values = dict(self.literals)
        for key, variable in self.variables:
            if variables.get(variable) is None:
                return ()
            try:
                values[key] = key_value(key_types[key], variables[variable])
            except (ValueError, TypeError):
                return ()  # no canonical form: read (and invalidated) as the whole context
        return tuple(sorted(values.items()))


@dataclass(frozen=True)
class PersistedOperation:
    name: str
    text: str
    id: str  # sha256 of the text; trusted documents may also have the id their file gave
    node: DocumentNode
    origin: str  # "function", "context" or "client"
    reads: tuple[Read, ...]
    public: bool  # every root field is in a public context: shared caches may keep it
    ttl: int | None
    variables: Variables | None = None  # how its variables read from and write to URLs
    client_id: str | None = None  # the id a trusted-documents file gave it

    @property
    def operation(self) -> OperationDefinitionNode:
        return next(d for d in self.node.definitions if isinstance(d, OperationDefinitionNode))

    @property
    def is_query(self) -> bool:
        return self.operation.operation is OperationType.QUERY

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """The root fields it selects (fragments followed), in document order."""
        fragments = {
            d.name.value: d for d in self.node.definitions if isinstance(d, FragmentDefinitionNode)
        }
        return tuple(f.name.value for f in root_fields(self.operation.selection_set, fragments))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def build_operations(
    compiled: CompiledSchema, trusted: str | None
) -> dict[str, PersistedOperation]:
    sources: list[tuple[str, str, str]] = []  # (name, text, origin)
    for definition in sorted(compiled.functions.values(), key=lambda d: d.operation_name):
        # Subscriptions are persisted too: with trusted documents only, a WebSocket
        # subscribe names one by its hash, like any other operation.
        if definition.kind.value in ("query", "subscription") and not definition.post_only:
            text = document(
                definition.kind.value,
                definition.operation_name,
                [(definition, compiled.field(definition))],
            )
            sources.append((definition.operation_name, text, "function"))
    for name, context in compiled.contexts.items():
        fields = [(fn, compiled.field(fn)) for fn in context.functions if not fn.is_view]
        if fields:
            sources.append(
                (
                    context_operation_name(name),
                    document("query", context_operation_name(name), fields),
                    "context",
                )
            )
    extra_ids: dict[str, str] = {}
    if trusted:
        for doc_id, text in load_trusted(trusted).items():
            name = _operation_name(
                parse_or_fail(text, f"{trusted}: document {doc_id!r}"),
                f"{trusted}: document {doc_id!r}",
            )
            sources.append((name, text, "client"))
            extra_ids[name] = doc_id
    operations: dict[str, PersistedOperation] = {}
    for name, text, origin in sources:
        where = f"persisted operation {name!r}" + (
            f" (document {extra_ids[name]!r} in {trusted})" if origin == "client" else ""
        )
        if name in operations:
            raise RegistrationError(
                f"Two persisted operations are named {name!r}: a {operations[name].origin} "
                f"operation and a {origin} one ({where}). Rename the operation."
            )
        operations[name] = _build(compiled, name, text, origin, where, extra_ids.get(name))
    return operations


def load_trusted(path: str) -> dict[str, str]:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise RegistrationError(
            f"MIZAN['PERSISTED_DOCUMENTS'] = {path!r} cannot be read as JSON: {exc}"
        ) from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise RegistrationError(
            f"{path}: expected a JSON object {{id: document}} as GraphQL codegen emits it."
        )
    return data


def parse_or_fail(text: str, where: str) -> DocumentNode:
    try:
        return parse(text)
    except GraphQLError as exc:
        raise RegistrationError(f"{where} does not parse: {exc.message}") from exc


def _operation_name(node: DocumentNode, where: str) -> str:
    operations = [d for d in node.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].name is None:
        raise RegistrationError(
            f"{where} must hold exactly one named operation; its name is its URL."
        )
    return operations[0].name.value


def _build(
    compiled: CompiledSchema,
    name: str,
    text: str,
    origin: str,
    where: str,
    client_id: str | None,
) -> PersistedOperation:
    node = parse_or_fail(text, where)
    # Persisted documents are the developer's own, so the limits meant for arbitrary
    # documents do not apply; the specification's rules do.
    errors = validate(compiled.schema._schema, node)
    if errors:
        raise RegistrationError(f"{where} is invalid: {errors[0].message}")
    operation = next(d for d in node.definitions if isinstance(d, OperationDefinitionNode))
    reads, public, ttl = _analyse(compiled, node, operation)
    variables = Variables(compiled.schema._schema, operation)
    return PersistedOperation(
        name, text, sha256(text), node, origin, reads, public, ttl, variables, client_id
    )


def _analyse(
    compiled: CompiledSchema, node: DocumentNode, operation: OperationDefinitionNode
) -> tuple[tuple[Read, ...], bool, int | None]:
    if operation.operation is not OperationType.QUERY:
        return (), False, None
    by_field = compiled.functions
    reads: dict[Read, None] = {}  # in order, without duplicates
    in_context = True
    fragments = {d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)}
    for field in root_fields(operation.selection_set, fragments):
        if field.name.value.startswith("__"):
            continue
        definition = by_field.get(field.name.value)
        context = compiled.contexts.get(definition.context_name or "") if definition else None
        if definition is None or context is None:
            in_context = False
            continue
        arguments = {a.name.value: a.value for a in field.arguments or ()}
        variables, literals = [], []
        graphql_field = compiled.field(definition)
        for key in context.key_params:
            value = arguments.get(argument_name(key))
            if isinstance(value, VariableNode):
                variables.append((key, value.name.value))
            elif value is not None:
                literal = value_from_ast(value, graphql_field.args[argument_name(key)].type)
                # No canonical form: the read stays incomplete, purged whole.
                with suppress(ValueError, TypeError):
                    literals.append((key, key_value(context.key_types[key], literal)))
        read = Read(
            context.name,
            tuple(variables),
            tuple(literals),
            complete=len(variables) + len(literals) == len(context.key_params),
        )
        # Each distinct binding is a scope of its own (`a: userProfile(userId: $a)` and
        # `b: userProfile(userId: $b)` read two): the response depends on every one.
        reads.setdefault(read, None)
    contexts = [compiled.contexts[name] for name in dict.fromkeys(r.context for r in reads)]
    public = in_context and bool(contexts) and all(c.public for c in contexts)
    ttl = min((c.ttl for c in contexts), default=None)
    ordered = sorted(reads, key=lambda r: (r.context, r.variables, repr(r.literals)))
    return tuple(ordered), public, ttl
