"""Invalidation: collect what a request changes, apply it once its writes are visible,
and signal it.

``invalidate("user", user_id=5)`` (or a mutation's ``affects=``) schedules an
:class:`Invalidation` for when the transaction commits (at once outside one,
never on rollback). Applying it swaps the cache's generation token of that scope
(:func:`mizan.cache.invalidate`), adds it to the current request's report (the
response's ``extensions.invalidate`` and ``X-Mizan-Invalidate``), and sends
:data:`invalidated`; the request's whole list goes out on :data:`collected`,
which CDN purgers batch on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
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
from mizan.contexts import ContextDef, contexts_of, suggest
from mizan.exceptions import InvalidationError
from mizan.registry import get_registry

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


def _contexts() -> dict[str, ContextDef]:
    return get_registry().derive(contexts_of)


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
    contexts = _contexts()
    if context not in contexts:
        raise InvalidationError(
            f"invalidate({context!r}): no such context{suggest(context, contexts)}"
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

    contexts = _contexts()
    if context not in contexts:
        raise InvalidationError(
            f"invalidate_for(request, {context!r}): no such context{suggest(context, contexts)}"
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
