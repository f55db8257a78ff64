"""Canonical persisted URLs: exactly one spelling per (operation, variables).

Each value has its one text form (:mod:`mizan.canonical`); the pairs are in
the one query order, the edge's; a value equal to the variable's default is
omitted. Any other spelling is answered with a redirect to the canonical one,
so an edge never keeps two entries that one purge could not both name.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote_plus

from graphql import (
    GraphQLInputType,
    GraphQLNonNull,
    OperationDefinitionNode,
    Undefined,
    VariableDefinitionNode,
    type_from_ast,
    value_from_ast_untyped,
)
from graphql import GraphQLSchema as Schema

from mizan import canonical
from mizan.exceptions import BadParameter


class Variables:
    """The variables of one persisted operation, read from and written to URLs."""

    def __init__(self, schema: Schema, operation: OperationDefinitionNode) -> None:
        self.specs: dict[str, tuple[GraphQLInputType, Any]] = {}
        for definition in operation.variable_definitions or ():
            self.specs[definition.variable.name.value] = self._spec(schema, definition)

    @staticmethod
    def _spec(schema: Schema, definition: VariableDefinitionNode) -> tuple[GraphQLInputType, Any]:
        type_ = type_from_ast(schema, definition.type)
        assert type_ is not None
        default = Undefined
        if definition.default_value is not None:
            default = canonical.canonical_value(
                value_from_ast_untyped(definition.default_value),
                type_,  # type: ignore[arg-type]
            )
        return type_, default  # type: ignore[return-value]

    def read(self, query_string: str) -> tuple[dict[str, Any], str]:
        """:meth:`parse` of a raw query string, remembered for the most recent ones: a hot
        URL is read once, not on every hit. Callers must not change the variables."""
        return self._read(query_string)

    @functools.lru_cache(maxsize=1024)  # noqa: B019  (one Variables per operation, for life)
    def _read(self, query_string: str) -> tuple[dict[str, Any], str]:
        return self.parse(decode(query_string))

    def parse(self, pairs: Sequence[tuple[str, str]]) -> tuple[dict[str, Any], str]:
        """URL query pairs → (variables for execution, the canonical query string)."""
        seen: dict[str, str] = {}
        for name, raw in pairs:
            if name not in self.specs:
                known = ", ".join(sorted(self.specs)) or "none"
                raise BadParameter(f"Unknown parameter {name!r} (parameters: {known}).", name)
            if name in seen:
                raise BadParameter(f"Parameter {name!r} is given twice.", name)
            seen[name] = raw
        variables: dict[str, Any] = {}
        written: list[tuple[str, str]] = []
        for name, (type_, default) in sorted(self.specs.items()):
            if name not in seen:
                if isinstance(type_, GraphQLNonNull) and default is Undefined:
                    raise BadParameter(f"Parameter {name!r} is required.", name)
                continue
            try:
                value = canonical.canonical_value(canonical.from_text(seen[name], type_), type_)
            except RecursionError:  # JSON nested past the parser's recursion
                raise BadParameter(
                    f"Parameter {name!r}: {_shown(seen[name])} is nested too deeply.", name
                ) from None
            except (ValueError, TypeError) as exc:
                raise BadParameter(
                    f"Parameter {name!r}: {_shown(seen[name])} is not a valid {type_}: {exc}.",
                    name,
                ) from None
            variables[name] = value
            if value != default:
                written.append((name, canonical.text(value)))
        return variables, canonical.query_string(written)


def _shown(raw: str, limit: int = 40) -> str:
    return repr(raw if len(raw) <= limit else raw[:limit] + "…")


def decode(query_string: str) -> list[tuple[str, str]]:
    """Query pairs, keeping repeats (a repeat is an error, not a last-one-wins)."""
    pairs = []
    for part in query_string.split("&"):
        if not part:
            continue
        name, _, raw = part.partition("=")
        pairs.append((unquote_plus(name), unquote_plus(raw)))
    return pairs
