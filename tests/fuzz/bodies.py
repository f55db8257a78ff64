"""What a hostile or sloppy client sends: hypothesis strategies for documents and bodies."""

from __future__ import annotations

import json
from typing import Any

import graphql
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

SCALARS = {
    "DateTime": st.sampled_from(["2024-01-02T03:04:05+00:00", "yesterday", ""]).map(nodes.String),
    "JSON": st.one_of(st.text(max_size=20).map(nodes.String), st.just(graphql.NullValueNode())),
    "Upload": st.just(graphql.NullValueNode()),
}


def documents(sdl: str) -> st.SearchStrategy[str]:
    """Queries and mutations of the schema: valid ones, and ones invalid on purpose."""
    return st.one_of(
        *(
            from_schema(sdl, custom_scalars=SCALARS, mode=mode).map(str)  # type: ignore[arg-type]
            for mode in (Mode.POSITIVE, Mode.NEGATIVE)
        )
    )


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def deep_json(draw: st.DrawFn) -> str:
    """Arrays or objects nested up to 5,000 levels (the JSON parsers' recursion)."""
    depth = draw(st.sampled_from([25, 200, 999, 1000, 1001, 3000, 5000]))
    if draw(st.booleans()):
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def _operation(draw: st.DrawFn) -> dict[str, Any]:
    """A GraphQL request object whose keys hold values of any JSON shape."""
    fields: dict[str, Any] = {}
    for key in ("query", "variables", "operationName", "extensions"):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            continue
        if choice == 1:
            fields[key] = draw(json_values)
        elif key == "query":
            fields[key] = draw(
                st.sampled_from(
                    ["{ __typename }", "query Q { __typename }", "{", "", "mutation { nope }"]
                )
            )
        elif key == "extensions":
            digest = draw(st.sampled_from(["0" * 64, "g" * 64, "../../etc", "a" * 10_000, ""]))
            fields[key] = {
                "persistedQuery": {
                    "version": draw(st.sampled_from([1, 2, "1"])),
                    "sha256Hash": digest,
                }
            }
        else:
            fields[key] = draw(json_values)
    return fields


@st.composite
def json_bodies(draw: st.DrawFn) -> bytes:
    """A POST body: broken JSON, JSON of the wrong shape, deep JSON, bytes that are not UTF-8."""
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:
        return draw(st.text(max_size=200)).encode()
    if kind == 2:
        return json.dumps(draw(json_values)).encode()
    if kind == 3:
        return draw(deep_json()).encode()
    if kind == 4:
        text = json.dumps({"query": "{ __typename }", "variables": {"v": 1}})
        return text[: draw(st.integers(0, len(text) - 1))].encode()  # truncated
    if kind == 5:
        inner = draw(deep_json())
        return (
            '{"query":"query($v: JSON){ __typename }","variables":{"v":' + inner + "}}"
        ).encode()
    if kind == 6:
        return b'{"query": "{ __typename }", "x": "\xff\xfe"}'
    return json.dumps(_operation(draw)).encode()


@st.composite
def query_strings(draw: st.DrawFn) -> str:
    """A GET query string: repeated, empty, undecodable, deep or ill-typed parameters."""
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(st.text(max_size=100))
    if kind == 1:
        pairs = draw(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=30)), max_size=5))
        return "&".join(f"{k}={v}" for k, v in pairs)
    if kind == 2:
        return "query=%7B__typename%7D&variables=" + draw(deep_json())
    if kind == 3:
        return draw(st.sampled_from(["%", "%zz", "query=%ff%fe", "query=" + "%00" * 10, "a=1&a=2"]))
    operation = _operation(draw)
    return "&".join(
        f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in operation.items()
    )


@st.composite
def multipart_bodies(
    draw: st.DrawFn,
) -> tuple[list[tuple[str, bytes, str | None]], str, str | None]:
    """(parts, boundary, content type): the multipart request spec broken every which way."""
    operations = draw(
        st.one_of(
            json_values.map(json.dumps),
            st.just('{"query": "mutation($f: Upload!){ __typename }", "variables": 5}'),
            st.just('{"query": "{ __typename }", "variables": {"file": null}}'),
            deep_json(),
            st.text(max_size=50),
        )
    )
    file_map = draw(
        st.one_of(
            st.just("[1]"),
            st.just('{"0": ["variables.file"]}'),
            st.just('{"0": "variables.file"}'),
            st.just('{"0": ["variables.a.b.c.d"]}'),
            st.just('{"9": ["variables.file"]}'),
            json_values.map(json.dumps),
            deep_json(),
        )
    )
    parts: list[tuple[str, bytes, str | None]] = [
        ("operations", operations.encode(), None),
        ("map", file_map.encode(), None),
    ]
    files = draw(st.sampled_from([0, 1, 2, 101]))
    parts += [(str(i), b"data", f"f{i}.txt") for i in range(files)]
    if draw(st.booleans()):
        parts = draw(st.permutations(parts))
    boundary = "fuzzboundary"
    content_type = draw(
        st.sampled_from(
            [
                None,
                None,
                None,
                "multipart/form-data",
                "multipart/form-data; boundary=",
                "multipart/form-data; boundary=other",
            ]
        )
    )
    return parts, boundary, content_type


@st.composite
def frames(draw: st.DrawFn) -> str:
    """A graphql-transport-ws frame: not JSON, deep JSON, or messages of the wrong shape."""
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(st.text(max_size=100))
    if kind == 1:
        return draw(deep_json())
    if kind == 2:
        return json.dumps(draw(json_values))
    if kind == 3:
        message: dict[str, Any] = {
            "type": draw(
                st.sampled_from(
                    ["subscribe", "complete", "ping", "pong", "next", "connection_init", 5, None]
                )
            )
        }
        if draw(st.booleans()):
            message["id"] = draw(json_values)
        if draw(st.booleans()):
            message["payload"] = draw(json_values)
        return json.dumps(message)
    payload = _operation(draw)
    return json.dumps({"id": "fuzz", "type": "subscribe", "payload": payload})
