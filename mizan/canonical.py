"""One text form per value of each GraphQL type, and one query order.

Cache scopes, invalidation items, ``X-Mizan-Invalidate``, surrogate keys and
persisted URLs all spell values through this module, so a value read in one
place and invalidated in another can never be two different keys.

The forms (``spec/canonical-vectors.json`` holds examples that the Python and
TypeScript suites both check):

- ``Int``: decimal digits, ``-`` for negatives, no ``+`` or leading zeros;
  within GraphQL's 32 bits (-2147483648 to 2147483647).
- ``Float``: finite; written as JavaScript's ``String(number)`` writes it
  (``1``, ``0.5``, ``1e-7``, ``1e+21``): the shortest digits that read back
  as the same number.
- ``Boolean``: ``true`` / ``false``.
- ``Decimal``: plain digits without exponent or trailing zeros (``1.50`` →
  ``1.5``, ``1E+2`` → ``100``, ``-0.0`` → ``0``); at most
  :data:`DECIMAL_DIGITS` digits before the point and as many after it.
- ``UUID``: lowercase with hyphens. ``Date``, ``DateTime``, ``Time``: ISO 8601
  as Python's ``isoformat`` writes it (``Z`` becomes ``+00:00``).
- ``String``, ``ID``: the string itself. An enum: its value's name.
- Lists, input objects and ``JSON``: compact JSON with sorted keys, each
  value in its own form.

A value outside these bounds raises :class:`OutOfBounds` (a ``ValueError``):
a persisted URL answers it with a 400 naming the parameter; a cache scope or
an invalidation falls back to the whole context (more, never less).

The query order is the one edges implement: the percent-encoded
``name=value`` pairs sorted by their bytes, exactly as Varnish's
``std.querysort`` sorts them, so mizan's canonical URL is never re-sorted
into a redirect loop (``?u2=6&u=5``: ``2`` sorts before ``=``).
"""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import json
import math
import re
import types
import typing
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    ast_from_value,
    value_from_ast_untyped,
)

#: A key param's value as scopes, invalidation items and the header carry it.
Scalar = bool | int | str

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
#: A Decimal has at most this many digits before its point, and as many after it.
DECIMAL_DIGITS = 50

Canon = Callable[[Any], Any]  # a JSON-level or Python value → its canonical JSON-level value


class OutOfBounds(ValueError):
    """A valid value of its type that mizan gives no canonical form (too large, too precise)."""


# --- scalars --------------------------------------------------------------------------

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")


def integer(value: Any) -> int:
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and _INTEGER.fullmatch(value))
    ):
        raise ValueError("not an integer")
    if isinstance(value, str) and len(value.lstrip("+-").lstrip("0")) > 10:
        number = None  # far outside 32 bits; never parse an unbounded digit string
    else:
        number = int(value)
    if number is None or not INT_MIN <= number <= INT_MAX:
        shown = value if len(str(value)) <= 20 else f"{str(value)[:20]}…"
        raise OutOfBounds(f"{shown} is outside Int's 32 bits ({INT_MIN} to {INT_MAX})")
    return number


def floating(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError("not true or false")


def decimal_text(value: Any) -> str:
    """The canonical text of a decimal (a ``Decimal``, an int, or its text).

    Read digit by digit, never through a ``decimal`` context: ``1e10000000``
    is out of bounds here rather than a ``decimal.Overflow``.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float | decimal.Decimal):
        raise ValueError("not a decimal number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not a finite decimal")
    found = _DECIMAL.fullmatch(str(value))
    if found is None or not (found.group(2) or found.group(3)):
        raise ValueError("not a finite decimal")
    sign, whole, fraction, power = found.groups(default="")
    if len(power.lstrip("+-").lstrip("0")) > 9:
        raise OutOfBounds(f"exponent {power} is outside ±{DECIMAL_DIGITS} digits")
    digits = (whole + fraction).lstrip("0")
    stripped = digits.rstrip("0")
    if not stripped:
        return "0"
    # value = stripped * 10**exponent, with no leading or trailing zeros in stripped
    exponent = int(power or 0) - len(fraction) + len(digits) - len(stripped)
    before = len(stripped) + exponent  # digits before the point (≤ 0: none)
    if before > DECIMAL_DIGITS or -exponent > DECIMAL_DIGITS:
        raise OutOfBounds(
            f"a Decimal has at most {DECIMAL_DIGITS} digits before its point and "
            f"{DECIMAL_DIGITS} after it"
        )
    if exponent >= 0:
        body = stripped + "0" * exponent
    elif before > 0:
        body = f"{stripped[:before]}.{stripped[before:]}"
    else:
        body = "0." + "0" * -before + stripped
    return ("-" if sign == "-" else "") + body


def float_text(number: float) -> str:
    """``number`` as JavaScript's ``String(number)`` writes it (ECMAScript Number::toString)."""
    if number == 0:
        return "0"
    if number < 0:
        return "-" + float_text(-number)
    # repr gives the shortest digits that read back as the same float, as JavaScript does.
    _, digit_tuple, exponent = decimal.Decimal(repr(number)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    assert isinstance(exponent, int)
    point = exponent + len("".join(map(str, digit_tuple)))  # value = 0.digits * 10**point
    k = len(digits)
    if k <= point <= 21:
        return digits + "0" * (point - k)
    if 0 < point <= 21:
        return f"{digits[:point]}.{digits[point:]}"
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    power = point - 1
    mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"


def _datetime(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return datetime.datetime.fromisoformat(str(value)).isoformat()


def _date(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        raise ValueError("a datetime, not a date")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return datetime.date.fromisoformat(str(value)).isoformat()


def _time(value: Any) -> str:
    if isinstance(value, datetime.time):
        return value.isoformat()
    return datetime.time.fromisoformat(str(value)).isoformat()


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | uuid.UUID):
        raise ValueError("not a string")
    return str(value)


#: The canonical JSON-level value of each scalar mizan knows, by GraphQL name.
SCALARS: dict[str, Canon] = {
    "Int": integer,
    "Float": floating,
    "Boolean": boolean,
    "String": _string,
    "ID": _string,
    "UUID": lambda v: str(v if isinstance(v, uuid.UUID) else uuid.UUID(str(v))),
    "Decimal": decimal_text,
    "Date": _date,
    "DateTime": _datetime,
    "Time": _time,
    "JSON": lambda v: v,
}

#: The GraphQL scalar of each Python annotation mizan maps to one.
PYTHON_SCALARS: dict[Any, str] = {
    int: "Int",
    float: "Float",
    bool: "Boolean",
    str: "String",
    decimal.Decimal: "Decimal",
    uuid.UUID: "UUID",
    datetime.date: "Date",
    datetime.datetime: "DateTime",
    datetime.time: "Time",
}


# --- GraphQL input values (persisted URLs) -------------------------------------------


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
                if field.default_value is Undefined or item != default_value(
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


def default_value(value: Any, type_: GraphQLInputType) -> Any:
    """A Python default (as graphql-core keeps it) in canonical JSON form."""
    node = ast_from_value(value, type_)
    return None if node is None else canonical_value(value_from_ast_untyped(node), type_)


def text(value: Any) -> str:
    """The text of a canonical JSON-level value: what a URL or a key spells it as."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, dict | list):
        return _json(value)
    return str(value)


def _json(value: Any) -> str:
    if isinstance(value, dict):
        items = sorted(value.items())
        return "{" + ",".join(f"{_json(str(k))}:{_json(v)}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json(item) for item in value) + "]"
    if isinstance(value, float):
        return float_text(value)
    return json.dumps(value, ensure_ascii=False)


def from_text(raw: str, type_: GraphQLInputType) -> Any:
    """A URL's text → the JSON-level value :func:`canonical_value` reads."""
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(named, GraphQLList | GraphQLInputObjectType) or (
        isinstance(named, GraphQLScalarType) and named.name == "JSON"
    ):
        return json.loads(raw)
    return raw


# --- Python values (cache scopes, invalidations) --------------------------------------


def key_value(annotation: Any, value: Any) -> Scalar:
    """A key param's value (declared as ``annotation``) in its one form: ``5`` and ``"5"``
    for an ``int`` param, ``Decimal("1.50")`` and ``"1.5"`` for a ``Decimal``, are one key.
    Raises ``ValueError`` (:class:`OutOfBounds` past a bound)."""
    annotation = _bare(annotation)
    while hasattr(annotation, "__supertype__"):  # a NewType, such as strawberry.ID
        annotation = annotation.__supertype__
    scalar = PYTHON_SCALARS.get(annotation)
    if scalar == "Int":
        return integer(value)
    if scalar == "Boolean":
        return boolean(value)
    if scalar is not None:
        return text(SCALARS[scalar](value))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _enum_name(annotation, value)
    return _json(_adapter(annotation).dump_python(value, mode="json"))


def _enum_name(cls: type[enum.Enum], value: Any) -> str:
    if isinstance(value, cls):
        return value.name
    if isinstance(value, str):
        by_name = {name.lower(): name for name in cls.__members__}
        if value.lower() in by_name:
            return by_name[value.lower()]
    return cls(value).name


def _bare(annotation: Any) -> Any:
    """``Annotated[X, ...]`` and ``X | None`` → ``X``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


@functools.lru_cache(maxsize=256)
def _adapter(annotation: Any) -> Any:
    import pydantic

    return pydantic.TypeAdapter(annotation)


# --- the query order --------------------------------------------------------------------


def percent(raw: str) -> str:
    """Percent-encoding of everything but ``A-Z a-z 0-9 - . _ ~`` (UTF-8, uppercase hex).

    Stricter than JavaScript's ``encodeURIComponent``, which leaves ``!'()*`` alone."""
    return quote(raw, safe="")


def query_string(pairs: Iterable[tuple[str, str]]) -> str:
    """``name=value`` pairs, each percent-encoded, sorted by their bytes: ``std.querysort``'s
    order. (Distinct names never tie: an encoded name holds no ``=``.)"""
    return "&".join(sorted(f"{percent(name)}={percent(value)}" for name, value in pairs))
