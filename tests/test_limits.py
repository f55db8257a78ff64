"""mizan.runtime.limits: each limit checked in time linear in the document, before validation."""

from __future__ import annotations

import pytest
from graphql import GraphQLSyntaxError, get_introspection_query, parse

from mizan.runtime.limits import (
    LimitExceeded,
    Limits,
    check_body_size,
    check_document,
    check_document_length,
    check_tokens,
    check_variables,
)

LIMITS = Limits(
    max_depth=12,
    max_aliases=30,
    max_selections=1000,
    max_repeated_fields=20,
    max_variables_depth=20,
    max_body_bytes=1024 * 1024,
)


def refusal(document: str, limits: Limits = LIMITS) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as caught:
        check_document(parse(document, max_tokens=None), limits)
    return caught.value


def fragment_dag(levels: int) -> str:
    """``F0`` spreads ``F1`` twice, which spreads ``F2`` twice, ...: 2**levels fields."""
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


def nested(field: str, depth: int) -> str:
    return "{ " + f"{field} {{ " * depth + "a" + " }" * depth + " }"


def test_an_ordinary_document_passes() -> None:
    check_document(
        parse(
            "query Q($id: ID!) { user(id: $id) { ...U friends { ...U } } } "
            "fragment U on User { id name avatar: picture(size: 2) }"
        ),
        LIMITS,
    )


def test_the_introspection_query_passes() -> None:
    # GraphiQL's: deep through ofType, which depth ignores as Strawberry's limiter did.
    check_document(parse(get_introspection_query(descriptions=True)), LIMITS)


@pytest.mark.parametrize("levels", [30, 40, 200])
def test_a_fragment_dag_is_counted_without_expanding_it(levels: int) -> None:
    refused = refusal(fragment_dag(levels))
    assert refused.code == "TOO_MANY_SELECTIONS"
    assert f"selects {2 ** (levels + 1) - 1 + 2**levels} fields" in str(refused)


def test_a_fragment_spread_twice_counts_twice() -> None:
    document = "{ ...A ...A } fragment A on Query { a b c }"
    small = Limits(12, 30, 8, 20, 20, 1024)
    check_document(parse(document), small)  # 2 spreads + 2 x 3 fields
    assert refusal(document, Limits(12, 30, 7, 20, 20, 1024)).code == "TOO_MANY_SELECTIONS"


def test_an_unused_fragment_counts_too() -> None:
    # Validation walks it (before reporting it unused): so do the limits.
    refused = refusal("{ a } " + fragment_dag(20).replace("query { ...F0 }", ""))
    assert refused.code == "TOO_MANY_SELECTIONS"


def test_depth_through_fragments_is_memoised() -> None:
    fragments = " ".join(
        f"fragment D{i} on Query {{ q {{ ...D{i + 1} ...D{i + 1} }} }}" for i in range(13)
    )
    document = f"{{ ...D0 }} {fragments} fragment D13 on Query {{ a }}"
    refused = refusal(document, Limits(12, 30, 10**9, 10**9, 20, 1024))
    assert refused.code == "QUERY_TOO_DEEP"
    assert "13 levels deep" in str(refused)


def test_depth_of_a_deep_document() -> None:
    refused = refusal(nested("q", 150))
    assert (refused.code, refused.setting, refused.limit) == ("QUERY_TOO_DEEP", "MAX_DEPTH", 12)
    check_document(parse(nested("q", 12)), LIMITS)


def test_aliases_through_fragments() -> None:
    aliases = " ".join(f"x{i}: a" for i in range(16))
    document = f"{{ ...A ...A }} fragment A on Query {{ {aliases} }}"
    refused = refusal(document)
    assert refused.code == "TOO_MANY_ALIASES"
    assert "32 aliases" in str(refused)


def test_ten_thousand_aliases() -> None:
    document = "{ " + " ".join(f"x{i}: a" for i in range(10_000)) + " }"
    assert refusal(document).code == "TOO_MANY_SELECTIONS"


def test_repeated_object_fields() -> None:
    refused = refusal("{ " + " ".join(["q { a }"] * 21) + " }")
    assert refused.code == "FIELD_REPEATED_TOO_OFTEN"
    assert "'q' 21 times" in str(refused)
    check_document(parse("{ " + " ".join(["q { a }"] * 20) + " }"), LIMITS)
    # Leaves compare cheaply: only MAX_SELECTIONS bounds them.
    check_document(parse("{ " + " ".join(["a"] * 900) + " }"), LIMITS)


def test_repeats_are_counted_per_response_path_through_fragments() -> None:
    spreads = " ".join(f"...F{i}" for i in range(11))
    fragments = " ".join(f"fragment F{i} on Query {{ q {{ q {{ a }} }} }}" for i in range(11))
    document = f"{{ q {{ {spreads} }} }} {fragments}"
    refused = refusal(document, Limits(12, 30, 1000, 10, 20, 1024))
    assert "'q.q' 11 times" in str(refused)


def test_five_thousand_repeated_fields() -> None:
    assert refusal("{ " + " ".join(["a"] * 5000) + " }").code == "TOO_MANY_SELECTIONS"


def test_a_fragment_cycle_is_refused_not_walked() -> None:
    refused = refusal("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A ...B }")
    assert refused.code == "GRAPHQL_VALIDATION_FAILED"
    assert "within itself" in str(refused)


def test_a_long_fragment_chain_needs_no_recursion() -> None:
    chain = " ".join(f"fragment C{i} on Query {{ ...C{i + 1} }}" for i in range(3000))
    check_document(
        parse(f"{{ ...C0 }} {chain} fragment C3000 on Query {{ a }}", max_tokens=None),
        Limits(12, 30, 10_000, 20, 20, 1024),
    )


def test_variables_depth() -> None:
    deep: object = 1
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(LimitExceeded) as caught:
        check_variables({"v": deep}, LIMITS)
    assert caught.value.code == "VARIABLES_TOO_DEEP"
    check_variables({"v": {"a": [[{"b": 1}]]}}, LIMITS)
    at_limit: object = 1
    for _ in range(20):
        at_limit = [at_limit]
    check_variables({"v": at_limit}, LIMITS)
    with pytest.raises(LimitExceeded):
        check_variables({"v": [at_limit]}, LIMITS)
    check_variables(None, LIMITS)


def test_body_size() -> None:
    check_body_size(1024 * 1024, LIMITS)
    with pytest.raises(LimitExceeded) as caught:
        check_body_size(1024 * 1024 + 1, LIMITS)
    assert caught.value.error.extensions == {
        "code": "PAYLOAD_TOO_LARGE",
        "setting": "MAX_BODY_BYTES",
        "limit": 1024 * 1024,
    }


def test_document_length() -> None:
    check_document_length("{ a }" + " " * (100_000 - 5), LIMITS)
    with pytest.raises(LimitExceeded) as caught:
        check_document_length("{ a } #" + "x" * 100_000, LIMITS)
    assert caught.value.error.extensions == {
        "code": "DOCUMENT_TOO_LARGE",
        "setting": "MAX_DOCUMENT_LENGTH",
        "limit": 100_000,
    }


# Every kind of token: strings with escapes and a `#`, block strings with an escaped
# triple quote and lone quotes, numbers, comments (which graphql-core counts), commas.
TOKENS = [
    get_introspection_query(descriptions=True),
    'query Q($a: [Int!]! = [1, -2, 3.5e-3], $b: String = "x\\"y\\u00e9 #no") '
    '{ f(a: $a, s: """block "" \\""" # not\n text""") @skip(if: false) '
    "{ ... on T { x } ...F } } # c1\n# c2\nfragment F on T { y }",
    '{ a(x: """""", y: "", z: """ "x" """) }',
    "\ufeff{ a,b,,c }\n#x\n#y\n#z",
]


def parser_count(text: str) -> int:
    """How many tokens graphql-core's parser counts in ``text`` (bisecting max_tokens)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high) // 2
        try:
            parse(text, max_tokens=middle)
            high = middle
        except GraphQLSyntaxError:
            low = middle + 1
    return low


@pytest.mark.parametrize("text", TOKENS, ids=["introspection", "every token", "strings", "bom"])
def test_tokens_are_counted_as_the_parser_counts_them(text: str) -> None:
    count = parser_count(text)
    check_tokens(text, count)
    with pytest.raises(GraphQLSyntaxError) as caught:
        check_tokens(text, count - 1)
    with pytest.raises(GraphQLSyntaxError) as parsed:
        parse(text, max_tokens=count - 1)
    assert caught.value.message == parsed.value.message
    assert caught.value.locations == parsed.value.locations


def test_tokens_of_a_long_document_are_counted_without_parsing() -> None:
    text = "{ " + " ".join(["a"] * 5000) + " }"
    with pytest.raises(GraphQLSyntaxError, match=r"more than 5000 tokens\. Parsing aborted\."):
        check_tokens(text, 5000)
    check_tokens("{ " + " ".join(["a"] * 4998) + " }", 5000)
