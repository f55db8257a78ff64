"""Live contexts: a committed invalidation pushes fresh values to every subscriber of its scope.

``subscription { userContext(userId: 5) { userProfile { … } } }`` sends the
bundle at once, as the subscriber's own read (auth, arguments, the context
cache), then again after every invalidation of ``user;user_id=5`` (or of the
whole context). The transport brings the invalidations: over WebSocket, the
channels plug-in publishes each committed one to the channel-layer group of
its context and hands this module a ``live_listen(group)`` on the context
that joins it (once per process, see :mod:`mizan.channels.hub`).

Per event loop, a :class:`LiveHub` groups the subscribers that would compute
the same thing: one document and variables, one context scope and one cache
owner (everyone, for a public context; the user, or the session, for a private
one) in one language. Invalidations are coalesced until ``LIVE_COALESCE_MS`` pass
without another (at most four windows from the first); then each affected group is
recomputed once (``LIVE_CONCURRENCY`` at a time),
through the same resolvers and the context cache (so another process that
recomputes the same scope reads this one's entries), and the one result goes to
every subscriber of the group. A subscriber holds the latest push only: one
that reads slowly skips values, it never queues them.

Before each push of a private context (or one with ``auth=``), the subscribers'
state is read again: their session (once per session per push), their user,
each function's ``auth=``. A flushed session, a user made inactive or logged
out, or an ``auth=`` check now false ends the subscription with ``FORBIDDEN``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import time
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from importlib import import_module
from inspect import isawaitable
from typing import TYPE_CHECKING, Any

import pydantic
from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLField,
    GraphQLResolveInfo,
    located_error,
)
from graphql.execution import execute_subscription_event
from graphql.execution.executor import Executor

from mizan import auth
from mizan.cache import owner_of
from mizan.conf import mizan_settings
from mizan.contexts import ContextDef
from mizan.exceptions import Forbidden, Unauthenticated
from mizan.naming import LIVE_MESSAGE_TYPE, argument_name, live_group_name
from mizan.runtime.context import Bundle, MizanContext, Shared
from mizan.runtime.errors import bad_input
from mizan.schema.types import validated

if TYPE_CHECKING:
    from mizan.runtime.engine import Result, Runtime

logger = logging.getLogger("mizan.live")

FORBIDDEN = "FORBIDDEN"
#: How long a burst may hold a push back, in coalescing windows from its first commit.
MAX_WINDOWS = 4

Listen = Callable[[str], contextlib.AbstractAsyncContextManager[AsyncIterator[Shared]]]


class LiveRoot:
    """The root value a live subscription's executor is built with: the subscribe resolver
    finds the executor on it, to run each push of its group."""

    __slots__ = ("executor",)

    def __init__(self) -> None:
        self.executor: Executor[Any] | None = None


class _First:
    """The first event: the subscriber's own read."""


FIRST = _First()


@dataclass(frozen=True, slots=True)
class Pushed:
    """One push: its result, already through the error step, shared by a group."""

    result: Result
    final: bool = False  # the subscription ends after it (FORBIDDEN)


def execution_key(executor: Executor[Any]) -> tuple[int, str, str | None]:
    """What makes two subscribers' executions of one event the same: one operation (the
    document cache gives equal texts one node), the same variables, one language."""
    variables = json.dumps(
        executor.variable_values.coerced, sort_keys=True, default=repr, separators=(",", ":")
    )
    return id(executor.operation), variables, translation.get_language()


# --- the subscription field ------------------------------------------------------------


class LiveField:
    """What a live context's subscription field needs: its keys model and auth specs."""

    def __init__(self, runtime: Runtime, context: ContextDef) -> None:
        self.runtime = runtime
        self.context = context
        first = context.readable[0]
        self.keys = [p for p in first.params if p.name in context.key_params]
        self.model = (
            pydantic.create_model(  # type: ignore[call-overload]
                f"{first.operation_name}LiveKeys",
                __config__=pydantic.ConfigDict(arbitrary_types_allowed=True),
                **{
                    p.name: (validated(p.annotation), ... if p.required else p.default)
                    for p in self.keys
                },
            )
            if self.keys
            else None
        )
        self.auth = tuple(dict.fromkeys(fn.auth for fn in context.readable if fn.auth))
        # Whose state is read again before each push: a private context's owner.
        self.recheck = bool(self.auth) or not context.public

    def install(self, field: GraphQLField) -> None:
        field.subscribe = self.subscribe
        field.resolve = _bundle

    def parse(self, raw: dict[str, Any]) -> dict[str, Any]:
        if self.model is None:
            return {}
        decoded = {
            p.name: raw[argument_name(p.name)] for p in self.keys if argument_name(p.name) in raw
        }
        try:
            values = self.model.model_validate(decoded)
        except pydantic.ValidationError as exc:
            raise bad_input(exc) from None
        return {p.name: getattr(values, p.name) for p in self.keys}

    async def subscribe(self, root: Any, info: GraphQLResolveInfo[Any], **raw: Any) -> Any:
        context = info.context
        listen: Listen | None = getattr(context, "live_listen", None)
        if listen is None or not isinstance(root, LiveRoot) or root.executor is None:
            raise _websocket_only(info.field_name)
        keys = self.parse(raw)
        request = context.request
        for spec in self.auth:
            await auth.acheck(spec, request)
        scope = self.context.scope(keys)
        owner = "public" if self.context.public else await sync_to_async(owner_of)(request)
        return hub(self.runtime).stream(self, root.executor, scope, owner, context, listen)


def _bundle(root: Any, info: GraphQLResolveInfo[Any], **raw: Any) -> Bundle:
    if root is not FIRST:  # run as a plain operation (an HTTP POST), not over a stream
        raise _websocket_only(info.field_name)
    return Bundle(raw)


def _websocket_only(field_name: str) -> GraphQLError:
    return GraphQLError(
        f"{field_name} is a live context's subscription: open a WebSocket to this same URL "
        "(protocol graphql-transport-ws, served by mizan.wrap_asgi, with "
        "settings.CHANNEL_LAYERS).",
        extensions={"code": "BAD_REQUEST"},
    )


# --- the hub ---------------------------------------------------------------------------


class Subscriber:
    __slots__ = ("context", "executor", "latest", "ready")

    def __init__(self, context: MizanContext, executor: Executor[Any]) -> None:
        self.context = context
        self.executor = executor
        self.latest: Pushed | None = None
        self.ready = asyncio.Event()

    def offer(self, pushed: Pushed) -> None:
        self.latest = pushed  # the latest only: a slow reader skips, never queues
        self.ready.set()


class Group:
    """Subscribers that compute the same thing: one execution per push serves them all."""

    def __init__(self, key: tuple[Any, ...], field: LiveField, scope: Any, owner: str) -> None:
        self.key = key
        self.field = field
        self.scope = scope
        self.owner = owner
        self.subscribers: dict[Subscriber, None] = {}
        self.lock = asyncio.Lock()


class Feed:
    """This process's membership of one live context's invalidations."""

    def __init__(self, hub: LiveHub, context: str, listen: Listen) -> None:
        self.users = 0
        self.joined = asyncio.Event()
        self.failure: Pushed | None = None
        self.task = asyncio.ensure_future(self._run(hub, context, listen))

    async def _run(self, hub: LiveHub, context: str, listen: Listen) -> None:
        try:
            async with listen(live_group_name(context)) as events:
                self.joined.set()
                async for delivery in events:
                    event = delivery.value
                    if isinstance(event, dict) and event.get("type") == LIVE_MESSAGE_TYPE:
                        hub.notify(event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Judged once (logged once), however many subscriptions end with it.
            result = ExecutionResult(None, [located_error(exc)])
            self.failure = Pushed(hub.runtime.finish_event(result), final=True)
            self.joined.set()
            hub.failed(context, self)


class LiveHub:
    """The live subscriptions of one runtime on one event loop."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.groups: dict[tuple[Any, ...], Group] = {}
        self.scopes: dict[str, dict[Any, dict[Group, None]]] = {}
        self.feeds: dict[str, Feed] = {}
        self.dirty: dict[Group, None] = {}
        self.timer: asyncio.TimerHandle | None = None
        self.first = 0.0  # loop time of the first invalidation the timer waits on
        self.tasks: set[asyncio.Task[None]] = set()
        self.limit = asyncio.Semaphore(max(1, int(mizan_settings.LIVE_CONCURRENCY)))
        #: Executions run for pushes (one per group and push): what a benchmark counts.
        self.recomputed = 0

    # --- subscribing ----------------------------------------------------------------

    async def stream(
        self,
        field: LiveField,
        executor: Executor[Any],
        scope: Any,
        owner: str | None,
        context: MizanContext,
        listen: Listen,
    ) -> AsyncIterator[Any]:
        subscriber = Subscriber(context, executor)
        name = field.context.name
        # No owner (an anonymous visitor without a session): nothing to share with.
        shared = owner if owner is not None else f"alone:{id(subscriber)}"
        key = (*execution_key(executor), name, scope, shared)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(key, field, scope, shared)
            self.scopes.setdefault(name, {}).setdefault(scope, {})[group] = None
        group.subscribers[subscriber] = None
        feed = self.feeds.get(name)
        if feed is None:
            feed = self.feeds[name] = Feed(self, name, listen)
        feed.users += 1
        try:
            # Listening before the first read: an invalidation committed after it is pushed.
            await asyncio.shield(feed.joined.wait())
            if feed.failure is not None:
                yield feed.failure
                return
            subscriber.latest = None
            subscriber.ready.clear()
            yield FIRST
            while True:
                await subscriber.ready.wait()
                subscriber.ready.clear()
                pushed = subscriber.latest
                assert pushed is not None
                yield pushed
                if pushed.final:
                    return
        finally:
            self._leave(group, subscriber, name, feed)

    def _leave(self, group: Group, subscriber: Subscriber, name: str, feed: Feed) -> None:
        group.subscribers.pop(subscriber, None)
        if not group.subscribers and self.groups.get(group.key) is group:
            del self.groups[group.key]
            scopes = self.scopes.get(name, {})
            scopes.get(group.scope, {}).pop(group, None)
            if not scopes.get(group.scope, True):
                del scopes[group.scope]
            self.dirty.pop(group, None)
        feed.users -= 1
        if feed.users == 0 and self.feeds.get(name) is feed:
            del self.feeds[name]
            self.scopes.pop(name, None)
            feed.task.cancel()

    def failed(self, context: str, feed: Feed) -> None:
        """The feed of ``context`` broke (the channel layer's Redis gone): each of its
        subscriptions ends with the error; the next one to subscribe listens afresh."""
        assert feed.failure is not None
        if self.feeds.get(context) is feed:
            del self.feeds[context]
        for groups in self.scopes.pop(context, {}).values():
            for group in groups:
                if self.groups.get(group.key) is group:
                    del self.groups[group.key]
                for subscriber in group.subscribers:
                    subscriber.offer(feed.failure)

    # --- invalidations --------------------------------------------------------------

    def notify(self, event: dict[str, Any]) -> None:
        """An invalidation from any process: mark the groups it covers, recompute them once
        the coalescing window closes."""
        scopes = self.scopes.get(event.get("context", ""))
        if not scopes:
            return
        params = tuple(tuple(pair) for pair in event.get("params") or ())
        owner = event.get("owner")
        if owner is not None:  # one owner's entries (invalidate_for): that owner's groups
            found = [g for groups in scopes.values() for g in groups if g.owner == owner]
        elif not params:  # the whole context: each active scope
            found = [g for groups in scopes.values() for g in groups]
        else:  # the scope, and the subscriptions whose scope is the whole context
            found = [*scopes.get(params, ()), *scopes.get((), ())]
        if not found:
            return
        self.dirty.update(dict.fromkeys(found))
        # A quiet window after the last invalidation, at most MAX_WINDOWS after the first:
        # a burst of commits is one recomputation, a steady stream still gets pushes.
        loop = asyncio.get_running_loop()
        now, window = loop.time(), max(0, int(mizan_settings.LIVE_COALESCE_MS)) / 1000
        if self.timer is None:
            self.first = now
        else:
            self.timer.cancel()
        self.timer = loop.call_at(min(now + window, self.first + MAX_WINDOWS * window), self._flush)

    def _flush(self) -> None:
        self.timer = None
        batch, self.dirty = list(self.dirty), {}
        task = asyncio.ensure_future(self.push(batch))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def push(self, groups: list[Group]) -> None:
        """Recompute each group once and push the result to its subscribers."""
        started = time.perf_counter()
        checked = [s for g in groups if g.field.recheck for s in g.subscribers]
        current: dict[int, HttpRequest | None] = {}
        if checked:
            # One thread hop, one read per session and user, for the whole batch.
            current = await sync_to_async(_refreshed_all)([s.context.request for s in checked])
        await asyncio.gather(*(self._recompute(group, current) for group in groups))
        logger.debug(
            "mizan live: pushed %d group(s) in %.1f ms",
            len(groups),
            (time.perf_counter() - started) * 1000,
        )

    async def _recompute(self, group: Group, current: dict[int, HttpRequest | None]) -> None:
        async with self.limit, group.lock:
            alive: list[tuple[Subscriber, HttpRequest]] = []
            for subscriber in list(group.subscribers):
                request = subscriber.context.request
                if group.field.recheck:
                    request = current.get(id(request))  # type: ignore[assignment]
                if request is None:
                    subscriber.offer(_ended(self.runtime, group.field.context))
                else:
                    alive.append((subscriber, request))
            if not alive:
                return
            leader, request = alive[0]
            try:
                for spec in group.field.auth:
                    await auth.acheck(spec, request)
            except (Forbidden, Unauthenticated):
                for subscriber, _ in alive:
                    subscriber.offer(_ended(self.runtime, group.field.context))
                return
            self.recomputed += 1
            executor = leader.executor.build_per_event_executor(FIRST)
            executor.context_value = MizanContext(request=request, is_async=True)
            try:
                result: Any = execute_subscription_event(executor)
                if isawaitable(result):
                    result = await result
            except Exception as exc:
                result = ExecutionResult(None, [located_error(exc)])
            pushed = Pushed(self.runtime.finish_event(result))
            for subscriber, _ in alive:
                if subscriber in group.subscribers:
                    subscriber.offer(pushed)
            logger.debug(
                "mizan live: recomputed %s %s for %d subscriber(s)",
                group.field.context.name,
                dict(group.scope),
                len(alive),
            )


def _ended(runtime: Runtime, context: ContextDef) -> Pushed:
    error = GraphQLError(
        f"This live subscription to context {context.name!r} has ended: your session or "
        "your access changed (logged out, deactivated, or no longer allowed). Subscribe "
        "again.",
        extensions={"code": FORBIDDEN},
    )
    return Pushed(runtime.finish_event(ExecutionResult(None, [error])), final=True)


# --- who the subscriber is now ---------------------------------------------------------


def _refreshed_all(requests: list[HttpRequest]) -> dict[int, HttpRequest | None]:
    """Each request as it would be made now (:func:`refreshed`), one read per session."""
    by_session: dict[Any, HttpRequest | None] = {}
    found: dict[int, HttpRequest | None] = {}
    for request in requests:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        key = (
            getattr(session, "session_key", None),
            getattr(user, "pk", None) if user is not None and user.is_authenticated else None,
        )
        if key not in by_session:
            by_session[key] = refreshed(request)
        fresh = by_session[key]
        found[id(request)] = None if fresh is None else _with_state(request, fresh)
    return found


def refreshed(request: HttpRequest) -> HttpRequest | None:
    """``request`` with its session and user read again from their stores; None when whose
    it is has changed since it was made: its session flushed (logged out), its user gone,
    made inactive, logged out or replaced (Django's ``get_user`` also refuses a session
    from before a password change)."""
    from django.contrib.auth import get_user

    was = getattr(request, "user", None)
    user_pk = was.pk if was is not None and was.is_authenticated else None
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    fresh = copy.copy(request)
    if key is not None:
        engine = import_module(settings.SESSION_ENGINE)
        store = engine.SessionStore(key)
        fresh.session = store
        user = get_user(fresh)
        if store.session_key is None:  # the session is gone: flushed, expired, cycled
            return None
        if (user.pk if user.is_authenticated else None) != user_pk:
            return None
        fresh.user = user
        return fresh
    if user_pk is None:
        return fresh  # anonymous without a session: nothing to read again
    from django.contrib.auth import get_user_model

    found = get_user_model()._default_manager.filter(pk=user_pk).first()
    if found is None or not getattr(found, "is_active", True):
        return None
    fresh.user = found
    return fresh


def _with_state(request: HttpRequest, fresh: HttpRequest) -> HttpRequest:
    """``request`` (one subscriber's) with the session and user read for another request of
    the same session: one read serves every subscriber of it."""
    if fresh is request:
        return fresh
    mine = copy.copy(request)
    mine.user = fresh.user
    if hasattr(fresh, "session"):
        mine.session = fresh.session
    return mine


# --- one hub per runtime and event loop ----------------------------------------------

_hubs: weakref.WeakKeyDictionary[Runtime, weakref.WeakKeyDictionary[Any, LiveHub]] = (
    weakref.WeakKeyDictionary()
)


def hub(runtime: Runtime) -> LiveHub:
    """``runtime``'s live hub on the running event loop."""
    loop = asyncio.get_running_loop()
    per_loop = _hubs.setdefault(runtime, weakref.WeakKeyDictionary())
    found = per_loop.get(loop)
    if found is None:
        found = per_loop[loop] = LiveHub(runtime)
    return found
