from __future__ import annotations

import pytest

from mizan.edge.header import MalformedHeader, format_invalidations, parse_invalidations


def test_format_sorts_items_and_params_and_types_values() -> None:
    header = format_invalidations(
        [
            ("user", (("user_id", 5),)),
            ("notifications", ()),
            ("tag", (("name", 'a "b" \\c'), ("on", True))),
        ]
    )
    assert header == 'notifications, tag;name="a \\"b\\" \\\\c";on=?1, user;user_id=5'


def test_round_trip_including_non_ascii() -> None:
    items = [("city", (("name", "Zürich ☃"),)), ("user", (("user_id", -12),))]
    header = format_invalidations(items)
    assert header == 'city;name=%"Z%c3%bcrich %e2%98%83", user;user_id=-12'
    assert parse_invalidations(header) == items


def test_large_integers_and_other_values_are_strings() -> None:
    assert format_invalidations([("c", (("n", 10**16),))]) == 'c;n="10000000000000000"'


def test_overflow_collapses_to_whole_contexts() -> None:
    items = [("user", (("user_id", i),)) for i in range(1000)] + [("feed", ())]
    assert format_invalidations(items, max_length=200) == "feed, user"


def test_parse_whitespace_and_bare_params() -> None:
    assert parse_invalidations("  a;x=1 ,\tb;flag ") == [
        ("a", (("x", 1),)),
        ("b", (("flag", True),)),
    ]
    assert parse_invalidations("") == []


@pytest.mark.parametrize(
    "header",
    [
        "user;",
        "user,",
        "user;User_id=5",
        'user;x="unterminated',
        "user;x=1.5.5",
        "1user",
        'user;x="bad \\escape"',
        'u;x=%"%zz"',
        "user user",
    ],
)
def test_malformed_headers_are_rejected_whole(header: str) -> None:
    with pytest.raises(MalformedHeader, match="X-Mizan-Invalidate"):
        parse_invalidations(header)
