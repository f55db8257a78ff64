"""Canonical persisted URLs: exactly one spelling per (operation, variables).

Parameters are sorted by name and percent-encoded one way; each value has one
text form (integers without sign or zeros, ``true``/``false``, enum names,
lowercase UUIDs, normalised decimals, ISO dates, lists and input objects as
compact JSON with sorted keys); a value equal to the variable's default is
omitted. Any other spelling is answered with a redirect to the canonical one,
so an edge never keeps two entries that one purge could not both name.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import json
import math
import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, unquote_plus

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    OperationDefinitionNode,
    Undefined,
    VariableDefinitionNode,
    ast_from_value,
    type_from_ast,
    value_from_ast_untyped,
)
from graphql import GraphQLSchema as Schema

from mizan.exceptions import BadParameter

_INTEGER = re.compile(r"[+-]?[0-9]+")

Canon = Callable[[Any], Any]  # JSON-level value → canonical JSON-level value


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and _INTEGER.fullmatch(value))
    ):
        raise ValueError("not an integer")
    return int(value)


def _float(value: Any) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError("not true or false")


def _decimal(value: Any) -> str:
    number = decimal.Decimal(str(value))
    if not number.is_finite():
        raise ValueError("not a finite decimal")
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _datetime(value: Any) -> str:
    return datetime.datetime.fromisoformat(str(value)).isoformat()


SCALARS: dict[str, Canon] = {
    "Int": _integer,
    "Float": _float,
    "Boolean": _boolean,
    "String": str,
    "ID": str,
    "UUID": lambda v: str(uuid.UUID(str(v))),
    "Decimal": _decimal,
    "Date": lambda v: datetime.date.fromisoformat(str(v)).isoformat(),
    "DateTime": _datetime,
    "Time": lambda v: datetime.time.fromisoformat(str(v)).isoformat(),
    "JSON": lambda v: v,
}


def canonical_value(value: Any, type_: GraphQLInputType) -> Any:
    """A JSON-level value in its canonical form for ``type_``; ValueError if invalid."""
    if isinstance(type_, GraphQLNonNull):
        if value is None:
            raise ValueError("null for a non-null type")
        return canonical_value(value, type_.of_type)
    if value is None:
        return None
    if isinstance(type_, GraphQLList):
        items = value if isinstance(value, list) else [value]
        return [canonical_value(item, type_.of_type) for item in items]
    if isinstance(type_, GraphQLInputObjectType):
        if not isinstance(value, dict):
            raise ValueError("not an object")
        unknown = sorted(set(value) - set(type_.fields))
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r}")
        result = {}
        for name, field in sorted(type_.fields.items()):
            if name in value:
                item = canonical_value(value[name], field.type)
                if field.default_value is Undefined or item != _default(
                    field.default_value, field.type
                ):
                    result[name] = item
            elif isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined:
                raise ValueError(f"missing field {name!r}")
        return result
    if isinstance(type_, GraphQLEnumType):
        names = {name.lower(): name for name in type_.values}
        name = names.get(str(value).lower())
        if name is None:
            raise ValueError(f"not one of {', '.join(type_.values)}")
        return name
    assert isinstance(type_, GraphQLScalarType)
    canon = SCALARS.get(type_.name)
    if canon is None:  # a scalar mizan does not know: its own serialisation is the form
        return type_.serialize(type_.parse_value(value))
    return canon(value)


def _default(value: Any, type_: GraphQLInputType) -> Any:
    """A Python default (as graphql-core keeps it) in canonical JSON form."""
    node = ast_from_value(value, type_)
    return None if node is None else canonical_value(_json_of(node), type_)


def _json_of(node: Any) -> Any:
    return value_from_ast_untyped(node)


def to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def from_text(text: str, type_: GraphQLInputType) -> Any:
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(named, GraphQLList | GraphQLInputObjectType) or (
        isinstance(named, GraphQLScalarType) and named.name == "JSON"
    ):
        return json.loads(text)
    return text


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
            default = canonical_value(_json_of(definition.default_value), type_)  # type: ignore[arg-type]
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
        for name, text in pairs:
            if name not in self.specs:
                known = ", ".join(sorted(self.specs)) or "none"
                raise BadParameter(f"Unknown parameter {name!r} (parameters: {known}).", name)
            if name in seen:
                raise BadParameter(f"Parameter {name!r} is given twice.", name)
            seen[name] = text
        variables: dict[str, Any] = {}
        canonical: list[tuple[str, str]] = []
        for name, (type_, default) in sorted(self.specs.items()):
            if name not in seen:
                if isinstance(type_, GraphQLNonNull) and default is Undefined:
                    raise BadParameter(f"Parameter {name!r} is required.", name)
                continue
            try:
                value = canonical_value(from_text(seen[name], type_), type_)
            except (ValueError, TypeError, decimal.InvalidOperation) as exc:
                raise BadParameter(
                    f"Parameter {name!r}: {seen[name]!r} is not a valid {type_}: {exc}.", name
                ) from None
            variables[name] = value
            if value != default:
                canonical.append((name, to_text(value)))
        return variables, encode(canonical)


def encode(pairs: Sequence[tuple[str, str]]) -> str:
    return "&".join(f"{quote(name, safe='')}={quote(text, safe='')}" for name, text in pairs)


def decode(query_string: str) -> list[tuple[str, str]]:
    """Query pairs, keeping repeats (a repeat is an error, not a last-one-wins)."""
    pairs = []
    for part in query_string.split("&"):
        if not part:
            continue
        name, _, text = part.partition("=")
        pairs.append((unquote_plus(name), unquote_plus(text)))
    return pairs
