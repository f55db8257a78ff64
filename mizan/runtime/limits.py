"""What one request may ask for, each limit checked in time linear in the request's size.

Strawberry's depth and alias limiters walk a fragment again at every spread of it:
a 1.3 KB document whose fragments each spread the next one twice (``F0 → F1 F1 →
F2 F2 …``) makes them walk 2³⁰ selections. Here every fragment is summarised once
(its selections, aliases and depth, with what it spreads) and the summaries are
combined, so a fragment DAG costs what its text costs. The same summaries bound
the selections graphql-core's validation would expand (``MAX_SELECTIONS``), and
the fields one response path repeats (``MAX_REPEATED_FIELDS``): the
overlapping-fields rule compares every pair of them, so a thousand copies of one
object field cost it about a second.

Over ``MAX_TOKENS`` a document is refused before graphql-core's parser sees it:
that parser spends ~6 µs a token in Python, so a document of 5,000 tokens held a
worker for 30 ms just to be refused; a regular expression counts them in C in a
tenth of that (:func:`check_tokens`).

Nothing here recurses: a document nested as deep as the parser allows, a chain of
hundreds of fragments, or variables nested a thousand levels deep are walked with
explicit stacks, never Python's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
)

from mizan.conf import mizan_settings


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits in force, read once from ``settings.MIZAN`` (when the schema is built)."""

    max_depth: int
    max_aliases: int
    max_selections: int
    max_repeated_fields: int
    max_variables_depth: int
    max_body_bytes: int
    max_document_length: int = 100_000

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_depth=mizan_settings.MAX_DEPTH,
            max_aliases=mizan_settings.MAX_ALIASES,
            max_selections=mizan_settings.MAX_SELECTIONS,
            max_repeated_fields=mizan_settings.MAX_REPEATED_FIELDS,
            max_variables_depth=mizan_settings.MAX_VARIABLES_DEPTH,
            max_body_bytes=mizan_settings.MAX_BODY_BYTES,
            max_document_length=mizan_settings.MAX_DOCUMENT_LENGTH,
        )


class LimitExceeded(Exception):
    """A request over one of the limits; ``error`` is what the client is told."""

    def __init__(
        self, message: str, *, code: str, setting: str | None = None, limit: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.setting = setting
        self.limit = limit

    @property
    def error(self) -> GraphQLError:
        extensions: dict[str, Any] = {"code": self.code}
        if self.setting is not None:
            extensions.update(setting=self.setting, limit=self.limit)
        return GraphQLError(str(self), extensions=extensions)


def check_body_size(size: int, limits: Limits) -> None:
    """Refuse a request body (or a WebSocket message) larger than ``MAX_BODY_BYTES``."""
    if size > limits.max_body_bytes:
        raise LimitExceeded(
            f"The request is {size} bytes; the limit is {limits.max_body_bytes} bytes "
            "(MIZAN['MAX_BODY_BYTES']).",
            code="PAYLOAD_TOO_LARGE",
            setting="MAX_BODY_BYTES",
            limit=limits.max_body_bytes,
        )


def check_document_length(text: str, limits: Limits) -> None:
    """Refuse a document longer than ``MAX_DOCUMENT_LENGTH`` characters, before it is read:
    the body's limit leaves a megabyte, which graphql-core takes ~0.1 s to lex."""
    limit = limits.max_document_length
    if len(text) > limit:
        raise LimitExceeded(
            f"The document is {len(text)} characters long; the limit is {limit} "
            "(MIZAN['MAX_DOCUMENT_LENGTH']).",
            code="DOCUMENT_TOO_LARGE",
            setting="MAX_DOCUMENT_LENGTH",
            limit=limit,
        )


# GraphQL's lexical tokens, comments included (graphql-core's max_tokens counts them):
# the alternatives never overlap, so the expression never backtracks.
_TOKEN = re.compile(
    r'"""(?:\\"""|[^"\\]|\\(?!""")|"(?!""))*"""'  # a block string
    r'|"(?:[^"\\\n\r]|\\.)*"'  # a string
    r"|#[^\n\r]*"  # a comment
    r"|\.\.\."
    r"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
    r"|[_A-Za-z][_0-9A-Za-z]*"
    r"|[!$&():=@\[\]{|}]"
)


def check_tokens(text: str, max_tokens: int) -> None:
    """Raise graphql-core's own syntax error for a document of more than ``max_tokens``
    tokens, without parsing it; otherwise return.

    A token takes a character at least, so a text no longer than ``max_tokens`` is
    not scanned at all. A document that lexes counts exactly as the parser counts;
    one that does not is a syntax error either way.
    """
    if len(text) <= max_tokens:
        return
    for count, token in enumerate(_TOKEN.finditer(text), 1):
        if count > max_tokens:
            raise GraphQLSyntaxError(
                Source(text),
                token.start(),
                f"Document contains more than {max_tokens} tokens. Parsing aborted.",
            )


def check_variables(variables: object, limits: Limits) -> None:
    """Refuse variables nested deeper than ``MAX_VARIABLES_DEPTH`` (lists and objects)."""
    limit = limits.max_variables_depth
    depth = nesting(variables, stop_after=limit + 2) - 1  # the variables object itself is 0
    if depth > limit:
        raise LimitExceeded(
            f"The variables are nested more than {limit} levels deep "
            "(MIZAN['MAX_VARIABLES_DEPTH']).",
            code="VARIABLES_TOO_DEEP",
            setting="MAX_VARIABLES_DEPTH",
            limit=limit,
        )


def nesting(value: object, *, stop_after: int) -> int:
    """How deeply lists and dicts nest in ``value`` (a scalar is 0), counted no further
    than ``stop_after``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list | tuple):
            children = current
        else:
            continue
        deepest = max(deepest, depth)
        if deepest >= stop_after:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


# --- documents --------------------------------------------------------------------


@dataclass(slots=True)
class _Summary:
    """One definition's own selections, and the fragments it spreads (with the depth
    of the field each spread sits in)."""

    selections: int = 0
    aliases: int = 0
    depth: int = 0
    spreads: list[tuple[str, int]] | None = None


def check_document(document: DocumentNode, limits: Limits) -> None:
    """Raise :class:`LimitExceeded` for a document over the depth, alias, selection or
    repeated-field limits; otherwise return. Linear in the document's text."""
    definitions = [d for d in document.definitions if isinstance(d, ExecutableDefinitionNode)]
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    own = {id(d): _summarise(d.selection_set) for d in definitions}
    totals = _combine(fragments, own)
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    # Fragments no operation reaches are validated too (and reported unused): count them.
    roots: list[ExecutableDefinitionNode] = [*operations]
    reached = _reachable(operations, fragments, own)
    roots += [f for name, f in fragments.items() if name not in reached]

    selections = sum(_total(own, totals, root).selections for root in roots)
    if selections > limits.max_selections:
        raise LimitExceeded(
            f"The document selects {selections} fields, its fragments expanded; the "
            f"limit is {limits.max_selections} (MIZAN['MAX_SELECTIONS']).",
            code="TOO_MANY_SELECTIONS",
            setting="MAX_SELECTIONS",
            limit=limits.max_selections,
        )
    aliases = sum(_total(own, totals, op).aliases for op in operations)
    if aliases > limits.max_aliases:
        raise LimitExceeded(
            f"The document uses {aliases} aliases, its fragments expanded; the limit is "
            f"{limits.max_aliases} (MIZAN['MAX_ALIASES']).",
            code="TOO_MANY_ALIASES",
            setting="MAX_ALIASES",
            limit=limits.max_aliases,
        )
    for operation in operations:
        depth = _total(own, totals, operation).depth
        if depth > limits.max_depth:
            name = operation.name.value if operation.name else "anonymous"
            raise LimitExceeded(
                f"Operation {name!r} is {depth} levels deep; the maximum depth is "
                f"{limits.max_depth} (MIZAN['MAX_DEPTH']).",
                code="QUERY_TOO_DEEP",
                setting="MAX_DEPTH",
                limit=limits.max_depth,
            )
    # Expanding is safe now: the selections are bounded.
    for root in roots:
        path, count = _most_repeated(root.selection_set, fragments)
        if count > limits.max_repeated_fields:
            raise LimitExceeded(
                f"The document selects {'.'.join(path)!r} {count} times, its fragments "
                f"expanded; one object field may be selected at most "
                f"{limits.max_repeated_fields} times in one place "
                "(MIZAN['MAX_REPEATED_FIELDS']). Select it once.",
                code="FIELD_REPEATED_TOO_OFTEN",
                setting="MAX_REPEATED_FIELDS",
                limit=limits.max_repeated_fields,
            )


def _summarise(selection_set: SelectionSetNode) -> _Summary:
    summary = _Summary(spreads=[])
    assert summary.spreads is not None
    # (selection set, depth of its field); depth counts fields that have selections,
    # and, as Strawberry's limiter does, ignores introspection (``__schema``...).
    # Below an introspection field the depth is _UNCOUNTED, so it never wins a max().
    stack: list[tuple[SelectionSetNode, int]] = [(selection_set, 0)]
    while stack:
        current, depth = stack.pop()
        for selection in current.selections:
            summary.selections += 1
            if isinstance(selection, FragmentSpreadNode):
                summary.spreads.append((selection.name.value, depth))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, depth))
            elif isinstance(selection, FieldNode):
                if selection.alias is not None:
                    summary.aliases += 1
                if selection.selection_set is not None:
                    below = _UNCOUNTED if selection.name.value.startswith("__") else depth + 1
                    summary.depth = max(summary.depth, below)
                    stack.append((selection.selection_set, below))
    return summary


_UNCOUNTED = -(2**62)


def _combine(
    fragments: Mapping[str, FragmentDefinitionNode], own: Mapping[int, _Summary]
) -> dict[str, _Summary]:
    """Each fragment's totals, its spreads expanded, each fragment combined once.

    A cycle is refused here, as validation would refuse it: expanding one is endless.
    """
    totals: dict[str, _Summary] = {}
    for root in fragments:
        if root in totals:
            continue
        path: list[tuple[str, Iterator[tuple[str, int]]]] = [(root, _spreads(own, fragments, root))]
        on_path = {root}
        while path:
            name, pending = path[-1]
            for spread, _ in pending:
                if spread in on_path:
                    raise LimitExceeded(
                        f'Cannot spread fragment "{spread}" within itself'
                        + ("." if spread == name else f' via "{name}".'),
                        code="GRAPHQL_VALIDATION_FAILED",
                    )
                if spread in fragments and spread not in totals:
                    path.append((spread, _spreads(own, fragments, spread)))
                    on_path.add(spread)
                    break
            else:
                path.pop()
                on_path.discard(name)
                totals[name] = _add_spreads(own[id(fragments[name])], totals)
    return totals


def _spreads(
    own: Mapping[int, _Summary], fragments: Mapping[str, FragmentDefinitionNode], name: str
) -> Iterator[tuple[str, int]]:
    return iter(own[id(fragments[name])].spreads or ())


def _add_spreads(summary: _Summary, totals: Mapping[str, _Summary]) -> _Summary:
    result = _Summary(summary.selections, summary.aliases, summary.depth)
    for name, depth in summary.spreads or ():
        spread = totals.get(name)
        if spread is None:  # an unknown fragment: validation reports it
            continue
        result.selections += spread.selections
        result.aliases += spread.aliases
        result.depth = max(result.depth, depth + spread.depth)
    return result


def _total(
    own: Mapping[int, _Summary], totals: Mapping[str, _Summary], node: ExecutableDefinitionNode
) -> _Summary:
    if isinstance(node, FragmentDefinitionNode) and node.name.value in totals:
        return totals[node.name.value]
    return _add_spreads(own[id(node)], totals)


def _reachable(
    operations: list[OperationDefinitionNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    own: Mapping[int, _Summary],
) -> set[str]:
    reached: set[str] = set()
    stack = [name for op in operations for name, _ in own[id(op)].spreads or ()]
    while stack:
        name = stack.pop()
        if name in reached or name not in fragments:
            continue
        reached.add(name)
        stack.extend(spread for spread, _ in own[id(fragments[name])].spreads or ())
    return reached


def _most_repeated(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> tuple[tuple[str, ...], int]:
    """The response path selected most often with a selection of its own, and how often.

    Fields are merged by response path, as execution merges them; only fields with
    selections count (comparing two of those is what costs validation its time).
    """
    counts: Counter[tuple[str, ...]] = Counter()
    stack: list[tuple[SelectionSetNode, tuple[str, ...]]] = [(selection_set, ())]
    while stack:
        current, path = stack.pop()
        for selection in current.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is not None:
                    key = selection.alias or selection.name
                    child = (*path, key.value)
                    counts[child] += 1
                    stack.append((selection.selection_set, child))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, path))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments:  # acyclic: check_document refused cycles
                    stack.append((fragments[name].selection_set, path))
    if not counts:
        return (), 0
    path, count = counts.most_common(1)[0]
    return path, count
