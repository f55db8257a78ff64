"""A per-process fan-out hub: one channel-layer membership per group, not one per subscription.

A broadcast reaches a group's members through the channel layer, one layer
message per member. If every WebSocket subscription were a member, a room
with 1,000 subscribers in one process would cost 1,000 layer messages (and
Channels' in-memory layer scans every channel on each receive). Instead the
first local subscription to a group makes this process join it once, with a
channel of its own and one task receiving from it; that task puts each
message into the queue of every local subscription to the group. When the
last one leaves, the process leaves the group and the task ends.

Layers and tasks belong to an event loop, so there is one hub per running
loop; within it, one entry per (layer, group).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from mizan.exceptions import ChannelLayerError
from mizan.runtime.context import Shared

logger = logging.getLogger("mizan")

# A member joining this long after the group was last (re)joined re-adds the hub channel:
# layers may expire memberships (group_expiry), and each subscription's join refreshes it.
REFRESH_SECONDS = 60.0


class _Failed:
    """Put into every queue when the hub's receive loop stops on an error."""

    __slots__ = ("error", "group")

    def __init__(self, error: BaseException, group: str) -> None:
        self.error, self.group = error, group


class _Mailbox:
    """One subscription's messages, in order, and the task waiting for the next: what it
    needs of an ``asyncio.Queue``, which costs four deques and an Event per subscriber."""

    __slots__ = ("items", "waiter")

    def __init__(self) -> None:
        self.items: deque[Any] = deque()
        self.waiter: asyncio.Future[None] | None = None

    def put(self, item: Any) -> None:
        self.items.append(item)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def get(self) -> Any:
        while not self.items:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        return self.items.popleft()


class _Group:
    """This process's membership of one layer group, and the local queues it feeds."""

    def __init__(self, hub: Hub, layer: Any, name: str) -> None:
        self.hub = hub
        self.layer = layer
        self.name = name
        self.queues: set[_Mailbox] = set()
        self.channel: str | None = None
        self.receiving: asyncio.Task[None] | None = None
        self.added = 0.0  # loop time of the last group_add
        self.joining: asyncio.Task[None] = asyncio.ensure_future(self._join())

    async def _join(self) -> None:
        try:
            self.channel = await self.layer.new_channel()
            await self.layer.group_add(self.name, self.channel)
        except BaseException:
            self.hub._forget(self)  # the next subscription tries afresh
            raise
        self.added = asyncio.get_running_loop().time()
        self.receiving = asyncio.ensure_future(self._receive(self.channel))

    async def refresh(self) -> None:
        loop = asyncio.get_running_loop()
        if self.channel is not None and loop.time() - self.added > REFRESH_SECONDS:
            self.added = loop.time()
            await self.layer.group_add(self.name, self.channel)

    async def _receive(self, channel: str) -> None:
        try:
            while True:
                # One Shared per message, the same object in every queue: what the
                # subscriptions compute from it alike, they compute once.
                delivery = Shared(await self.layer.receive(channel))
                for queue in self.queues:
                    queue.put(delivery)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # The layer broke (Redis gone): every subscription ends with the error, and
            # the next one to subscribe joins the group again with a new hub channel.
            self.hub._forget(self)
            failed = _Failed(exc, self.name)
            for queue in self.queues:
                queue.put(failed)
            with contextlib.suppress(Exception):
                await self.layer.group_discard(self.name, channel)

    async def close(self) -> None:
        """Leave the layer group and stop receiving; the group is already forgotten."""
        with contextlib.suppress(BaseException):
            await self.joining
        if self.receiving is not None:
            self.receiving.cancel()
            with contextlib.suppress(BaseException):
                await self.receiving
        if self.channel is not None:
            try:
                await self.layer.group_discard(self.name, self.channel)
            except Exception:
                logger.exception("mizan: leaving the channel-layer group %s failed", self.name)


class Hub:
    """The groups this process has joined on one event loop."""

    def __init__(self) -> None:
        self.groups: dict[tuple[Any, str], _Group] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def members(self, layer: Any, group: str) -> int:
        """How many local subscriptions listen to ``group`` of ``layer`` (0 when not joined)."""
        entry = self.groups.get((layer, group))
        return 0 if entry is None else len(entry.queues)

    @contextlib.asynccontextmanager
    async def listen(self, layer: Any, group: str) -> AsyncIterator[AsyncIterator[Shared]]:
        """Join ``group`` (once per process) and yield the stream of its messages, in order,
        each a :class:`~mizan.runtime.context.Shared` that every local listener gets."""
        key = (layer, group)
        entry = self.groups.get(key)
        if entry is None:
            entry = self.groups[key] = _Group(self, layer, group)
        queue = _Mailbox()
        entry.queues.add(queue)
        try:
            # Shielded: one subscription cancelled while joining leaves the join to the others.
            await asyncio.shield(entry.joining)
            await entry.refresh()
            yield _stream(queue)
        finally:
            await self._leave(entry, queue)

    async def _leave(self, entry: _Group, queue: _Mailbox) -> None:
        entry.queues.discard(queue)
        if entry.queues or self.groups.get((entry.layer, entry.name)) is not entry:
            return  # others still listen, or the group failed and was forgotten
        self._forget(entry)
        closing = asyncio.ensure_future(entry.close())
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)
        # Shielded: a second cancellation of the subscription still leaves the group.
        await asyncio.shield(closing)

    def _forget(self, entry: _Group) -> None:
        key = (entry.layer, entry.name)
        if self.groups.get(key) is entry:
            del self.groups[key]


async def _stream(queue: _Mailbox) -> AsyncIterator[Shared]:
    while True:
        message = await queue.get()
        if isinstance(message, _Failed):
            # Each subscription raises its own error: one exception object raised in
            # several tasks would collect all their tracebacks.
            raise ChannelLayerError(
                f"receiving from the channel-layer group {message.group} failed: "
                f"{type(message.error).__name__}: {message.error}"
            ) from message.error
        yield message


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The running event loop's hub."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub()
    return found
