"""The edge manifest: what an edge must purge for each ``X-Mizan-Invalidate`` item.

A deterministic JSON artifact (sorted keys, no timestamps) derived from the
registry and the persisted operations; see docs/guides/persisted.md, "The edge manifest".
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from graphql import GraphQLNonNull

from mizan.conf import mizan_settings
from mizan.contexts import ContextDef
from mizan.definitions import FunctionDef
from mizan.exceptions import ManifestError
from mizan.naming import context_operation_name
from mizan.persisted.operations import PersistedOperation
from mizan.ratelimit import default_rate
from mizan.schema import get_schema
from mizan.schema.compiler import CompiledSchema

VERSION = 1

ViewUrls = Mapping[str, str | Sequence[str]]

#: How view-path pages are cached (mizan.edge.pages): only at the URL a ``views`` pattern
#: fills (the pattern reversed, no query string); any other spelling of a page's URL
#: (``/profile/05/``, ``?utm_source=``) is answered ``private, no-cache``.
VIEW_PAGES = {"shared": "canonical-path-only", "other_spellings": "private, no-cache"}


def generate_edge_manifest(
    view_urls: ViewUrls | None = None, base_url: str | None = None
) -> dict[str, Any]:
    """The manifest as a dict; ``to_json`` gives its canonical bytes."""
    compiled = get_schema()
    base = (base_url or "").rstrip("/")
    contexts = {}
    for name, context in compiled.contexts.items():
        operations = [
            op
            for op in compiled.operations.values()
            if any(read.context == name for read in op.reads)
        ]
        contexts[name] = _context(context, operations, view_urls or {}, base)
    return {
        "version": VERSION,
        "contexts": contexts,
        "rates": _rates(compiled, base),
        "view_pages": VIEW_PAGES,
    }


def to_json(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _context(
    context: ContextDef, operations: list[PersistedOperation], view_urls: ViewUrls, base: str
) -> dict[str, Any]:
    functions = [
        {"name": fn.name, "path": "view" if fn.is_view else "rpc"} for fn in context.functions
    ]
    entry: dict[str, Any] = {
        "functions": sorted(functions, key=lambda f: f["name"]),
        "params": list(context.key_params),
        "public": context.public,
        "endpoints": [],
        "operations": {},
        "purge_by_key": [],
        "views": [],
    }
    if not context.public:  # an edge must never cache it: nothing to purge
        return entry
    entry["endpoints"] = [base + reverse("mizan:context", args=[context.name])]
    for operation in sorted(operations, key=lambda op: op.name):
        template = _template(operation, context)
        if template is None:
            entry["purge_by_key"].append(operation.name)
        else:
            path = (
                reverse("mizan:context", args=[context.name])
                if operation.name == context_operation_name(context.name)
                else reverse("mizan:operation", args=[operation.name])
            )
            entry["operations"][operation.name] = base + path + template
    entry["views"] = sorted(
        base + pattern
        for fn in context.functions
        if fn.is_view
        for pattern in _view_patterns(fn, view_urls)
    )
    return entry


def _rates(compiled: CompiledSchema, base: str) -> dict[str, Any]:
    """Rate limits, so an edge can enforce them too: the default, and every function whose
    rate differs from it (``rate`` null: never limited), with the persisted URLs calling it."""
    functions = {}
    bundles = {context_operation_name(name): name for name in compiled.contexts}
    for definition in sorted(compiled.functions.values(), key=lambda d: d.name):
        rate = definition.rate
        if rate is None:
            continue
        operations = {
            op.name: base + _operation_path(op, bundles)
            for op in sorted(compiled.operations.values(), key=lambda op: op.name)
            if op.is_query and definition.field_name in op.fields
        }
        functions[definition.name] = {
            "field": definition.field_name,
            "rate": None if rate is False else str(rate),
            "calls": None if rate is False else rate.calls,
            "seconds": None if rate is False else rate.seconds,
            # Per logged-in user, else per client IP; "key": rate_key(request) decides,
            # which an edge cannot compute (limit per client IP there, or not at all).
            "per": "key" if definition.rate_key is not None else "user_or_ip",
            "operations": operations,
        }
    default = default_rate(mizan_settings.DEFAULT_RATE)
    return {"default": None if default is None else str(default), "functions": functions}


def _operation_path(operation: PersistedOperation, bundles: Mapping[str, str]) -> str:
    if operation.origin == "context":
        return reverse("mizan:context", args=[bundles[operation.name]])
    return reverse("mizan:operation", args=[operation.name])


def _template(operation: PersistedOperation, context: ContextDef) -> str | None:
    """``?user_id=:user_id``: the operation's URL for one scope of the context, or None
    when a required variable is not one of the context's key params, or when it reads
    the context through several bindings (one scope fills only some of its variables):
    purge by key only."""
    reads = [r for r in operation.reads if r.context == context.name]
    read = reads[0]
    if len(reads) > 1 or not read.complete or read.literals:  # a literal: one fixed URL
        return None
    by_variable = {variable: key for key, variable in read.variables}
    pairs = []
    for definition in operation.operation.variable_definitions or ():
        variable = definition.variable.name.value
        assert operation.variables is not None  # every persisted operation has its specs
        required = definition.default_value is None and isinstance(
            operation.variables.specs[variable][0], GraphQLNonNull
        )
        if variable in by_variable:
            pairs.append(f"{variable}=:{by_variable[variable]}")
        elif required:
            return None
    # Sorted as mizan.canonical.query_string sorts the filled pairs: a name holds no "=",
    # so two pairs are ordered by their names and the "=", whatever values fill them.
    return ("?" + "&".join(sorted(pairs))) if pairs else ""


def _view_patterns(definition: FunctionDef, view_urls: ViewUrls) -> list[str]:
    given = view_urls.get(definition.name)
    if given is not None:
        return [given] if isinstance(given, str) else list(given)
    found = [
        "/" + "".join(_route(pattern, definition) for pattern in chain)
        for chain, callback in _walk(get_resolver().url_patterns, ())
        if inspect.unwrap(callback) is definition.fn
    ]
    if not found:
        raise ManifestError(
            f"The view-path function {definition.name!r} ({definition.source}) is not in the "
            f"URLconf. Route it in urls.py, or pass view_urls={{{definition.name!r}: "
            "'/its/:param/pattern/'}."
        )
    return sorted(found)


def _walk(patterns: Sequence[Any], chain: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, (*chain, entry.pattern))
        elif isinstance(entry, URLPattern):
            yield (*chain, entry.pattern), entry.callback


_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")
_LITERAL = re.compile(r"[\w\-./~%@:]*")


def _route(pattern: Any, definition: FunctionDef) -> str:
    if isinstance(pattern, RoutePattern):
        return _CONVERTER.sub(r":\1", str(pattern))
    if isinstance(pattern, RegexPattern):
        text = pattern.regex.pattern.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
        text = _GROUP.sub(r":\1", text).replace("\\/", "/").replace("\\.", ".").replace("\\-", "-")
        if _LITERAL.fullmatch(text):
            return text
    raise ManifestError(
        f"The URL pattern {str(pattern)!r} routing {definition.name!r} ({definition.source}) "
        f"cannot be written as an edge pattern. Pass view_urls={{{definition.name!r}: "
        "'/path/:param/'}."
    )
