"""Contexts: named, cached, shared state.

A context is a name shared by functions (``@client(context="user")``). Its
*key params* are the params every one of its functions declares; only they
scope a cache entry and an invalidation. Its policy (``public``, ``ttl``,
``live``) is declared once, on any of its functions. What keeps a context fresh is in
:mod:`mizan.invalidation`.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.util
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mizan.canonical import Scalar, key_value
from mizan.conf import mizan_settings
from mizan.definitions import FunctionDef
from mizan.exceptions import InvalidationError, RegistrationError  # noqa: F401  (its old path)

if TYPE_CHECKING:
    from mizan.registry import Registry

GLOBAL = "global"


@dataclasses.dataclass(frozen=True)
class ContextDef:
    name: str
    functions: tuple[FunctionDef, ...]
    key_params: tuple[str, ...]
    public: bool
    ttl: int
    key_types: Mapping[str, Any] = dataclasses.field(compare=False, repr=False)
    live: bool = False

    @property
    def readable(self) -> tuple[FunctionDef, ...]:
        """The functions its bundle reads: every one but view-path functions."""
        return tuple(fn for fn in self.functions if not fn.is_view)

    @property
    def has_live_field(self) -> bool:
        """Whether the schema gives it a subscription: declared live, with functions to
        read, and Django Channels installed to serve WebSockets (mizan.W020 otherwise)."""
        return self.live and bool(self.readable) and channels_installed()

    def scope(self, params: Mapping[str, Any]) -> tuple[tuple[str, Scalar], ...]:
        """The key params among ``params`` in their canonical forms (:mod:`mizan.canonical`);
        ``()`` (the whole context) unless all are there and each has a canonical form."""
        if not self.key_params or not all(k in params for k in self.key_params):
            return ()
        try:
            return tuple((k, key_value(self.key_types[k], params[k])) for k in self.key_params)
        except (ValueError, TypeError):
            # A value no persisted URL can name (past a bound, or not of the key's type): its
            # reads were cached whole, and so it invalidates the whole context.
            return ()


def build_contexts(definitions: Sequence[FunctionDef]) -> dict[str, ContextDef]:
    members: dict[str, list[FunctionDef]] = defaultdict(list)
    for definition in definitions:
        if definition.context_name is not None:
            members[definition.context_name].append(definition)
    return {
        name: _context(name, sorted(fns, key=lambda d: d.name))
        for name, fns in sorted(members.items())
    }


def _context(name: str, functions: list[FunctionDef]) -> ContextDef:
    shared = set.intersection(*({p.name for p in fn.params} for fn in functions))
    key_params = tuple(sorted(shared))
    public = _declared(name, functions, "public", default=False)
    ttl = _declared(name, functions, "ttl", default=mizan_settings.CONTEXT_TTL)
    live = _declared(name, functions, "live", default=False)
    if public:
        guarded = [fn for fn in functions if fn.auth is not None]
        if guarded:
            raise RegistrationError(
                f"Context {name!r} is public but {guarded[0].source} has auth="
                f"{guarded[0].auth!r}: an edge cache serves public data to everyone without "
                "checking auth. Drop public=True, or move the function to a private context."
            )
    for key in key_params:
        if not key.islower():
            raise RegistrationError(
                f"Context {name!r}: key param {key!r} must be lowercase snake_case; it is "
                "sent in the X-Mizan-Invalidate header, whose keys are lowercase."
            )
    first = functions[0]
    key_types = {p.name: p.annotation for p in first.params if p.name in shared}
    return ContextDef(
        name, tuple(functions), key_params, bool(public), int(ttl), key_types, bool(live)
    )


def channels_installed() -> bool:
    """Whether Django Channels, which serves live contexts' WebSockets, is installed (the
    ``channels`` extra); found without importing it."""
    return importlib.util.find_spec("channels") is not None


def _declared(name: str, functions: list[FunctionDef], option: str, default: Any) -> Any:
    declared = {fn: getattr(fn, option) for fn in functions if getattr(fn, option) is not None}
    if len(set(declared.values())) > 1:
        lines = "; ".join(f"{fn.source} says {option}={value!r}" for fn, value in declared.items())
        raise RegistrationError(
            f"Context {name!r} has conflicting {option}= declarations: {lines}. The policy "
            "belongs to the context: declare it once, on any one of its functions."
        )
    return next(iter(declared.values()), default)


def resolve_affects(
    definition: FunctionDef,
    contexts: Mapping[str, ContextDef],
    by_fn: Mapping[Callable[..., Any], FunctionDef],
) -> tuple[ContextDef, ...]:
    found = []
    for target in definition.affects:
        if callable(target):
            other = by_fn.get(target)
            if other is None or other.context_name is None:
                raise RegistrationError(
                    f"{definition.source}: affects={target!r} is not a function in a context. "
                    "Name a context, or a function declared with @client(context=...)."
                )
            target = other.context_name
        if target not in contexts:
            raise RegistrationError(
                f"{definition.source}: affects={target!r} names no context"
                f"{suggest(target, contexts)}"
            )
        found.append(contexts[target])
    return tuple(found)


def suggest(name: str, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f". Did you mean {close[0]!r}?"
    return f". Known contexts: {', '.join(sorted(known)) or 'none'}."


def contexts_of(registry: Registry) -> dict[str, ContextDef]:
    """``registry``'s contexts (derive them with ``registry.derive(contexts_of)``): what the
    compiler and :func:`mizan.invalidation.invalidate` both read."""
    return build_contexts(list(registry))
