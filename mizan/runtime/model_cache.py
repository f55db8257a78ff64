"""The context cache for functions whose result is a strawberry-django type.

A pydantic result is a value: the context cache stores what the function
returned. A strawberry-django result is a QuerySet, and what a client receives
depends on the selection (a relation read or not, a filter argument): so the
cache stores the field's *completed* result, the JSON graphql-core produced,
keyed by everything a plain context entry is keyed by (function, arguments,
scope, language) plus the field's own arguments (filters, ordering, pagination)
and its normalised selection set. A hit is served without touching the ORM or
the field's resolvers. Scoping and invalidation are a context's: the entry
depends on the context's generation tokens like any other.

This is done in graphql-core's executor (``executor_class``) because a root
resolver can only hand back a value to be completed, never a completed one.
Only root fields of cached model results take this path; every other field runs
exactly as graphql-core runs it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from inspect import isawaitable
from typing import Any

from asgiref.sync import sync_to_async
from django.utils import translation
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast_untyped,
)
from graphql.execution.executor import Executor
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path

from mizan import auth
from mizan.cache import MISS, ContextCache, Slot, scope_of
from mizan.runtime.calls import Call
from mizan.runtime.context import Bundle


class CachedField:
    """One root field whose completed result is cached: a context function returning a
    strawberry-django type."""

    def __init__(self, call: Call, cache: ContextCache) -> None:
        assert call.context is not None
        self.call = call
        self.context = call.context
        self.cache = cache
        self.own = frozenset(gql for gql, _, _ in call.arguments)

    def slot(
        self,
        executor: Executor[Any],
        nodes: list[FieldNode],
        field_type: GraphQLOutputType,
        raw: dict[str, Any],
    ) -> Slot | None:
        """Where the completed result lives; None when it is not cached (an anonymous
        visitor without a session)."""
        request = executor.context_value.request
        scope = scope_of(self.context, request)
        if scope is None:
            return None
        kwargs, arguments = self.call.parse({k: v for k, v in raw.items() if k in self.own})
        field_arguments = {k: v for k, v in raw.items() if k not in self.own}
        return self.cache.slot(
            "model",
            self.call.definition.name,
            scope,
            translation.get_language() or "",
            arguments,
            _canonical(field_arguments),
            selection(
                nodes, field_type, executor.fragment_definitions, executor.variable_values.coerced
            ),
            reads=((self.context.name, self.context.scope(kwargs)),),
        )


class ModelCacheExecutor(Executor[Any]):
    """graphql-core's executor, serving cached model results' root fields from the cache.

    A subclass per schema sets :attr:`cached`: the root fields to serve this way.
    """

    cached: Mapping[str, CachedField] = {}

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        # A root field, or the same function's field in a live context's bundle (a push
        # fills and reads the entries a read of the context does).
        if path.prev is None or (path.prev.prev is None and isinstance(source, Bundle)):
            cached = self.cached.get(field_details_list[0].node.name.value)
            if cached is not None:
                return self._cached(cached, parent_type, source, field_details_list, path)
        return super().execute_field(parent_type, source, field_details_list, path, None)

    def _cached(
        self,
        cached: CachedField,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
    ) -> Any:
        if getattr(self.context_value, "is_async", False):
            return self._acached(cached, parent_type, source, field_details_list, path)
        slot = self._slot(cached, parent_type, source, field_details_list, check=True)
        if slot is None:
            return super().execute_field(parent_type, source, field_details_list, path, None)
        value, tokens = cached.cache.lookup_or_miss(slot)
        if value is not MISS:
            return value
        completed = super().execute_field(parent_type, source, field_details_list, path, None)
        if isawaitable(completed):  # a nested async resolver: stored once it is done
            return self._store_later(cached, slot, tokens, completed, path)
        self._store(cached, slot, tokens, completed, path)
        return completed

    async def _acached(
        self,
        cached: CachedField,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
    ) -> Any:
        slot = None
        if cached.call.definition.auth is None or await _allowed(cached, self.context_value):
            slot = await sync_to_async(self._slot)(
                cached, parent_type, source, field_details_list, check=False
            )
        if slot is None:
            completed = super().execute_field(parent_type, source, field_details_list, path, None)
            return (await completed) if isawaitable(completed) else completed
        value, tokens = await sync_to_async(cached.cache.lookup_or_miss)(slot)
        if value is not MISS:
            return value
        completed = super().execute_field(parent_type, source, field_details_list, path, None)
        if isawaitable(completed):
            completed = await completed
        await sync_to_async(self._store)(cached, slot, tokens, completed, path)
        return completed

    async def _store_later(
        self, cached: CachedField, slot: Slot, tokens: Any, completed: Any, path: Path
    ) -> Any:
        value = await completed
        self._store(cached, slot, tokens, value, path)
        return value

    def _slot(
        self,
        cached: CachedField,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        *,
        check: bool,
    ) -> Slot | None:
        """The entry's slot once auth has passed and the arguments are valid; None to run
        the field as usual (its resolver then reports a refusal where it belongs)."""
        nodes = [details.node for details in field_details_list]
        field = self.schema.get_field(parent_type, nodes[0].name.value)
        assert field is not None
        try:
            if check and cached.call.definition.auth is not None:
                auth.check(cached.call.definition.auth, self.context_value.request)
            raw = get_argument_values(field, nodes[0], self.variable_values)
            if isinstance(source, Bundle):  # the key params are the subscription field's
                raw = {**raw, **source.keys}
            return cached.slot(self, nodes, field.type, raw)
        except Exception:
            return None

    def _store(
        self, cached: CachedField, slot: Slot, tokens: Any, completed: Any, path: Path
    ) -> None:
        if tokens is None or completed is None:
            return  # the cache is down, or the field failed
        at = path.as_list()
        if any(
            error.path and list(error.path[: len(at)]) == at
            for error in self.collected_errors.errors
        ):
            return  # a nested field failed: its null is not the answer to keep
        ttl = cached.context.ttl
        cached.cache.store(slot, tokens, completed, ttl)


async def _allowed(cached: CachedField, context: Any) -> bool:
    required = cached.call.definition.auth
    assert required is not None
    try:
        await auth.acheck(required, context.request)
    except Exception:
        return False
    return True


def executor_class(calls: list[Call], cache: ContextCache) -> type[Executor[Any]] | None:
    """The executor for a schema, or None (graphql-core's own) when it has no context
    function with a strawberry-django result."""
    from mizan.schema.model_types import django_type_of

    cached = {
        call.definition.field_name: CachedField(call, cache)
        for call in calls
        if call.context is not None and django_type_of(call.definition.returns) is not None
    }
    if not cached:
        return None
    return type("ModelCacheExecutor", (ModelCacheExecutor,), {"cached": cached})


# --- the normalised selection set ------------------------------------------------------


def selection(
    nodes: list[FieldNode],
    field_type: GraphQLOutputType,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> str:
    """The selection under ``nodes`` in one text form: fragments on the type itself
    inlined, variables and ``@skip``/``@include`` resolved, whitespace and comments gone.
    Two spellings of one selection share an entry; different selections (other fields,
    other aliases, other nested arguments) never do."""
    parts: list[str] = []
    named = get_named_type(field_type)
    for node in nodes:
        if node.selection_set is not None:
            parts.append("{")
            _selections(node.selection_set, named, fragments, variables, parts)
            parts.append(" }")
    return "".join(parts)


def _selections(
    selection_set: SelectionSetNode,
    parent: GraphQLNamedType,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    out: list[str],
) -> None:
    for node in selection_set.selections:
        if not _included(node, variables):
            continue
        if isinstance(node, FieldNode):
            alias = f"{node.alias.value}:" if node.alias else ""
            out.append(f" {alias}{node.name.value}")
            if node.arguments:
                arguments = {
                    a.name.value: value_from_ast_untyped(a.value, variables) for a in node.arguments
                }
                out.append(_canonical(arguments))
            if node.selection_set is not None:
                fields = getattr(parent, "fields", {})
                child = fields.get(node.name.value)
                out.append("{")
                _selections(
                    node.selection_set,
                    get_named_type(child.type) if child is not None else parent,
                    fragments,
                    variables,
                    out,
                )
                out.append(" }")
            continue
        if isinstance(node, InlineFragmentNode):
            condition = node.type_condition.name.value if node.type_condition else parent.name
            inner = node.selection_set
        else:
            assert isinstance(node, FragmentSpreadNode)
            fragment = fragments[node.name.value]
            condition, inner = fragment.type_condition.name.value, fragment.selection_set
        if condition == parent.name:  # a fragment on the type itself: its fields are the type's
            _selections(inner, parent, fragments, variables, out)
        else:
            out.append(f" ...on {condition}{{")
            _selections(inner, parent, fragments, variables, out)
            out.append(" }")


def _included(node: Any, variables: dict[str, Any]) -> bool:
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        condition = next(
            (
                value_from_ast_untyped(a.value, variables)
                for a in directive.arguments
                if a.name.value == "if"
            ),
            False,
        )
        if (name == "skip") == bool(condition):
            return False
    return True


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_plain)


def _plain(value: Any) -> Any:
    # Strawberry input objects (filters, ordering) and enum values, as plain data.
    if hasattr(value, "__dict__"):
        return {k: v for k, v in vars(value).items() if not k.startswith("_")}
    return getattr(value, "value", str(value))
