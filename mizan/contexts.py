"""Contexts: named, cached, shared state, and the invalidations that keep it fresh.

A context is a name shared by functions (``@client(context="user")``). Its
*key params* are the params every one of its functions declares; only they
scope a cache entry and an invalidation. Its policy (``public``, ``ttl``) is
declared once, on any of its functions.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.http import HttpRequest

from mizan.canonical import OutOfBounds, Scalar, key_value
from mizan.conf import mizan_settings
from mizan.definitions import FunctionDef
from mizan.exceptions import InvalidationError, RegistrationError

GLOBAL = "global"

#: Sent after a transaction commits, once per invalidation, with ``invalidation=`` and
#: ``batched=``: True when a request's :func:`collecting` scope holds it and will send it
#: again, with the rest of that request's invalidations, on :data:`collected`.
invalidated = Signal()

#: Sent once when a request's outermost :func:`collecting` scope closes, with
#: ``invalidations=`` (a tuple, in the order applied, no duplicates): what that request
#: invalidated. CDN purgers batch on it.
collected = Signal()


@dataclasses.dataclass(frozen=True, order=True)
class Invalidation:
    """One context, whole (``params == ()``) or scoped by all of its key params; or, with
    ``owner``, only one owner's entries of a private context (:func:`invalidate_for`)."""

    context: str
    params: tuple[tuple[str, Scalar], ...] = ()
    owner: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"context": self.context, "params": dict(self.params)}


@dataclasses.dataclass(frozen=True)
class ContextDef:
    name: str
    functions: tuple[FunctionDef, ...]
    key_params: tuple[str, ...]
    public: bool
    ttl: int
    key_types: Mapping[str, Any] = dataclasses.field(compare=False, repr=False)

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
    return ContextDef(name, tuple(functions), key_params, bool(public), int(ttl), key_types)


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
                f"{_suggest(target, contexts)}"
            )
        found.append(contexts[target])
    return tuple(found)


def _suggest(name: str, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f". Did you mean {close[0]!r}?"
    return f". Known contexts: {', '.join(sorted(known)) or 'none'}."


# --- invalidation -----------------------------------------------------------------

_reported: ContextVar[list[Invalidation] | None] = ContextVar("mizan_invalidations", default=None)


@contextmanager
def collecting() -> Iterator[list[Invalidation]]:
    """Collect the invalidations applied while handling one request (for its response)."""
    current = _reported.get()
    if current is not None:  # already collecting (middleware around the GraphQL view)
        yield current
        return
    applied: list[Invalidation] = []
    token = _reported.set(applied)
    try:
        yield applied
    finally:
        _reported.reset(token)
        # Also when the view raised: what committed before the error stays committed.
        if applied:
            collected.send(sender=Invalidation, invalidations=tuple(applied))


def current_invalidations() -> list[Invalidation]:
    """The invalidations applied so far while handling the current request."""
    return list(_reported.get() or ())


def invalidate(context: str, /, **params: Any) -> None:
    """Drop ``context``'s cached data, scoped by its key params (all of them) or whole.

    Runs when the current transaction commits (at once outside one), never on
    rollback. Reported in the response's ``extensions.invalidate`` and
    ``X-Mizan-Invalidate`` header, and sent on the :data:`invalidated` signal.
    """
    from mizan.schema import get_schema

    contexts = get_schema().contexts
    if context not in contexts:
        raise InvalidationError(
            f"invalidate({context!r}): no such context{_suggest(context, contexts)}"
        )
    definition = contexts[context]
    unknown = sorted(set(params) - set(definition.key_params))
    if unknown:
        raise InvalidationError(
            f"invalidate({context!r}, {', '.join(unknown)}=...): not key params of {context!r} "
            f"(its key params: {', '.join(definition.key_params) or 'none'})."
        )
    for key, value in params.items():
        try:
            key_value(definition.key_types[key], value)
        except OutOfBounds:
            pass  # a valid value without a canonical form: the whole context, below
        except (ValueError, TypeError) as exc:
            raise InvalidationError(
                f"invalidate({context!r}, {key}={value!r}): not a valid value of the key "
                f"param {key!r} ({_type_name(definition.key_types[key])}): {exc}."
            ) from None
    schedule(Invalidation(context, definition.scope(params)))


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or repr(annotation)


def invalidate_for(request: HttpRequest, context: str, /) -> None:
    """Drop the caller's own cached entries of the private ``context``, nobody else's.

    For a change only the caller sees, such as logging in or out: the entries of the
    user (or, before login, the session) that made ``request`` go. The owner is read
    when this is called and again when the transaction commits, so inside a transaction
    call it at any point; outside one (where "commits" is "now"), call it after the
    change that moves the owner, such as ``login()``. Reported to the caller like
    :func:`invalidate`; never sent to a CDN (the edge holds no private entry).
    """
    from mizan.cache import owner_of
    from mizan.schema import get_schema

    contexts = get_schema().contexts
    if context not in contexts:
        raise InvalidationError(
            f"invalidate_for(request, {context!r}): no such context{_suggest(context, contexts)}"
        )
    definition = contexts[context]
    if definition.public:
        raise InvalidationError(
            f"invalidate_for(request, {context!r}): {context!r} is public, one entry for "
            f"everyone, so it has no owner's entries. Call invalidate({context!r}) instead."
        )
    before = owner_of(request)

    def apply(report: list[Invalidation] | None) -> None:
        for owner in dict.fromkeys(filter(None, (before, owner_of(request)))):
            _apply(Invalidation(context, owner=owner), report)

    transaction.on_commit(partial(apply, _reported.get()))


def schedule(item: Invalidation) -> None:
    transaction.on_commit(partial(_apply, item, _reported.get()))


def _apply(item: Invalidation, report: list[Invalidation] | None) -> None:
    from mizan.cache import invalidate

    invalidate(item)
    # A scope that closed before this commit (a transaction outliving the request's
    # collection) will never send it on `collected`: receivers must act on it now.
    batched = report is not None and report is _reported.get()
    reported = dataclasses.replace(item, owner=None)  # the client learns what, not whose
    if report is not None and reported not in report:
        report.append(reported)
    invalidated.send(sender=Invalidation, invalidation=item, batched=batched)


def invalidate_on(
    model: type[Model], context: str, /, **params: str | Callable[[Any], Any]
) -> Callable[[], None]:
    """Invalidate ``context`` whenever an instance of ``model`` is saved or deleted.

    ``invalidate_on(Profile, "user", user_id="user_id")``: each key param is read
    from the instance, by attribute path (``"owner.id"``) or a callable. Returns a
    function that disconnects the handlers.
    """

    def read(instance: Any, path: str | Callable[[Any], Any]) -> Any:
        if callable(path):
            return path(instance)
        for part in path.split("."):
            instance = getattr(instance, part)
        return instance

    def handler(sender: Any, instance: Any, **kwargs: Any) -> None:
        invalidate(context, **{key: read(instance, path) for key, path in params.items()})

    uid = f"mizan:{model._meta.label}:{context}:{sorted(params)}"
    post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(handler, sender=model, weak=False, dispatch_uid=uid + ":delete")

    def disconnect() -> None:
        post_save.disconnect(sender=model, dispatch_uid=uid + ":save")
        post_delete.disconnect(sender=model, dispatch_uid=uid + ":delete")

    return disconnect
