"""mizan.canonical: one text form per value, one query order, checked against the shared
test vectors (spec/canonical-vectors.json, which the TypeScript client checks too)."""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import random
import string
import uuid
from pathlib import Path
from typing import Any

import pytest

from mizan import canonical
from mizan.contexts import ContextDef

VECTORS = json.loads((Path(__file__).parent.parent / "spec" / "canonical-vectors.json").read_text())


def spelled(kind: str, value: Any) -> str:
    try:
        return canonical.text(canonical.SCALARS[kind](value))
    except canonical.OutOfBounds:
        return "error: bounds"
    except (ValueError, TypeError):
        return "error: invalid"


@pytest.mark.parametrize("vector", VECTORS["values"], ids=lambda v: f"{v['type']}:{v['input']}")
def test_value_vectors(vector: dict[str, Any]) -> None:
    expected = vector["text"] if "text" in vector else f"error: {vector['error']}"
    assert spelled(vector["type"], vector["input"]) == expected


@pytest.mark.parametrize("vector", VECTORS["queries"], ids=lambda v: v["query"] or "empty")
def test_query_vectors(vector: dict[str, Any]) -> None:
    assert canonical.query_string(tuple(pair) for pair in vector["pairs"]) == vector["query"]


def test_a_canonical_text_is_its_own_canonical_text() -> None:
    for vector in VECTORS["values"]:
        if "text" in vector and vector["type"] != "JSON":
            assert spelled(vector["type"], vector["text"]) == vector["text"], vector


def test_decimal_never_touches_a_decimal_context() -> None:
    with decimal.localcontext() as context:
        context.traps[decimal.Overflow] = True
        context.Emax = 10
        assert canonical.decimal_text("1e40") == "1" + "0" * 40
    with pytest.raises(canonical.OutOfBounds):
        canonical.decimal_text("1e10000000")
    with pytest.raises(canonical.OutOfBounds):
        canonical.decimal_text("9" * 100_000)


def test_floats_read_back_as_the_same_number() -> None:
    generator = random.Random(15)
    for _ in range(2000):
        number = generator.choice(
            [generator.uniform(-1e6, 1e6), generator.random() * 10 ** generator.randint(-30, 30)]
        )
        assert float(canonical.float_text(number)) == number


def querysort(query: str) -> str:
    """Varnish's std.querysort (vmod_std_querysort.c): the non-empty '&'-separated parts
    sorted by their bytes, a part that is a prefix of another comparing equal."""
    parts = [part for part in query.split("&") if part]

    def compare(a: str, b: str) -> int:
        for x, y in zip(a.encode(), b.encode(), strict=False):
            if x != y:
                return x - y
        return 0

    import functools

    return "&".join(sorted(parts, key=functools.cmp_to_key(compare)))


def generated_names(generator: random.Random) -> list[str]:
    """Names that share prefixes (x, x2, x_y, xY, X...): where sorting by name and sorting
    by name=value disagree."""
    base = "".join(generator.choices(string.ascii_lowercase, k=generator.randint(1, 3)))
    suffixes = ["", "2", "_", "_a", "A", "0", "z", "9"]
    names = {base + suffix for suffix in generator.sample(suffixes, k=4)}
    names.add(base.upper())
    return sorted(names)


def test_the_query_order_is_a_fixed_point_of_querysort() -> None:
    generator = random.Random(2026)
    for _ in range(500):
        names = generated_names(generator)
        pairs = [(name, generator.choice(["5", "a b", "é", "-1", ""])) for name in names]
        generator.shuffle(pairs)
        query = canonical.query_string(pairs)
        assert querysort(query) == query, pairs
        assert canonical.query_string(reversed(pairs)) == query


def test_sorting_by_name_would_loop() -> None:
    # Why the order is not "by name": the edge re-sorts u=5&u2=6 into u2=6&u=5.
    assert querysort("u=5&u2=6") == "u2=6&u=5"
    assert canonical.query_string([("u", "5"), ("u2", "6")]) == "u2=6&u=5"


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@pytest.mark.parametrize(
    ("annotation", "values", "key"),
    [
        (int, [5, "5", "05"], 5),
        (bool, [True, "true", "1"], True),
        (decimal.Decimal, [decimal.Decimal("1.50"), "1.5", "1.500", 1.5], "1.5"),
        (decimal.Decimal, [decimal.Decimal("1E+2"), 100, "100.0"], "100"),
        (float, [0.5, "0.50"], "0.5"),
        (float, [2.0, 2], "2"),
        (str, ["a b"], "a b"),
        (uuid.UUID, [uuid.UUID(int=10), str(uuid.UUID(int=10)).upper()], str(uuid.UUID(int=10))),
        (datetime.date, [datetime.date(2024, 1, 2), "2024-01-02"], "2024-01-02"),
        (Color, [Color.BLUE, "BLUE", "blue"], "BLUE"),
        (int | None, [7, "7"], 7),
    ],
)
def test_a_key_value_has_one_form_whatever_its_spelling(
    annotation: Any, values: list[Any], key: Any
) -> None:
    for value in values:
        assert canonical.key_value(annotation, value) == key, value


def test_a_scope_past_a_bound_is_the_whole_context() -> None:
    context = ContextDef("price", (), ("amount",), True, 60, {"amount": decimal.Decimal})
    assert context.scope({"amount": "1.50"}) == (("amount", "1.5"),)
    assert context.scope({"amount": "1e100000"}) == ()
    numbers = ContextDef("user", (), ("user_id",), True, 60, {"user_id": int})
    assert numbers.scope({"user_id": 99999999999}) == ()
