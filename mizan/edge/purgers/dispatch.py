"""When purges run: after commit, batched per request, on a worker thread per purger.

A request never waits on a CDN's network round trip unless asked to: it hands its
batch (what it invalidated, deduplicated) to each purger's bounded queue and, when
``PURGE_WAIT`` is above zero, waits at most that long for the acknowledgements, so that
the client's next read through the edge is fresh. Invalidations made outside a request
(a management command, a task) are queued at once; pending purges get
:data:`EXIT_WAIT` seconds when the process exits.
"""

from __future__ import annotations

import asyncio
import atexit
import heapq
import json
import logging
import queue
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal
from django.utils.module_loading import import_string

from mizan.conf import mizan_settings
from mizan.edge.header import format_invalidations
from mizan.edge.purgers.base import Purger, Sender
from mizan.edge.resolve import Purge, resolve_invalidation
from mizan.exceptions import ManifestError, PurgeError
from mizan.invalidation import Invalidation, collected, invalidated

logger = logging.getLogger("mizan.edge.purge")

#: Seconds the purges still queued get when the process exits.
EXIT_WAIT = 5.0
#: Batches a worker merges into one purge when it finds them waiting together.
MERGE_LIMIT = 100

#: Sent on a purger's thread after it handled a batch, with ``purger``, ``purge`` (the
#: resolved :class:`~mizan.edge.resolve.Purge`), ``invalidations``, ``committed`` and
#: ``acknowledged`` (``time.monotonic()`` of the first commit and of the last response),
#: ``purged`` (objects the CDN says it dropped, when it says), ``error`` (None, or
#: why it failed after its retries) and ``repeat`` (True for the second purge of the same
#: invalidations, ``PURGE_REPEAT_DELAY`` after the first).
purged = Signal()

_first_commit: ContextVar[float | None] = ContextVar("mizan_first_commit", default=None)


@dataclass(eq=False)
class Batch:
    invalidations: tuple[Invalidation, ...]
    committed: float
    pending: int = 0
    _done: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def finished(self) -> None:
        with self._done:
            self.pending -= 1
            self._done.notify_all()

    def wait(self, timeout: float) -> bool:
        """Whether every purger acknowledged (or gave up on) it within ``timeout``."""
        with self._done:
            return self._done.wait_for(lambda: self.pending <= 0, timeout)


_STOP = Batch((), 0.0)


class Worker:
    """One purger: its bounded queue, its thread, its connections, and the purges it
    sends again once ``repeat_delay`` has passed."""

    def __init__(self, purger: Purger, dispatcher: Dispatcher) -> None:
        self.purger = purger
        self.dispatcher = dispatcher
        self.queue: queue.Queue[Batch] = queue.Queue(maxsize=dispatcher.queue_size)
        # (when due, time.monotonic(); what) for the worker's thread only; the count is
        # shared with flush(), under the queue's own condition.
        self.repeats: list[tuple[float, tuple[Invalidation, ...]]] = []
        self.sender = Sender(timeout=dispatcher.timeout, retries=dispatcher.retries)
        self.thread = threading.Thread(
            target=self.run, name=f"mizan-purge-{purger.name}", daemon=True
        )
        self.thread.start()

    def put(self, batch: Batch) -> None:
        try:
            self.queue.put_nowait(batch)
        except queue.Full:
            batch.finished()
            logger.error(
                "%s: purge queue full (%d batches); dropped the purge of %s: the edge keeps "
                "those entries until their s-maxage runs out",
                self.purger.name,
                self.queue.maxsize,
                _describe(batch.invalidations),
            )

    def run(self) -> None:
        while True:
            try:
                batches = [self.queue.get(timeout=self.until_repeat())]
            except queue.Empty:
                self.repeat(time.monotonic())
                continue
            while len(batches) < MERGE_LIMIT and batches[-1] is not _STOP:
                try:
                    batches.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            work = [b for b in batches if b is not _STOP]
            try:
                if work:
                    self.handle(work)
            except Exception:  # a bug must not kill the thread: later purges still go out
                logger.exception("%s: purge failed", self.purger.name)
            finally:
                for batch in work:
                    batch.finished()
                for _ in batches:
                    self.queue.task_done()
            if len(work) < len(batches):  # stopping: what waits to be repeated goes now
                self.repeat(float("inf"))
                self.sender.close()
                return
            self.repeat(time.monotonic())

    def until_repeat(self) -> float | None:
        """Seconds until the next repeat is due (None: none is waiting)."""
        if not self.repeats:
            return None
        return max(0.0, self.repeats[0][0] - time.monotonic())

    def repeat(self, now: float) -> None:
        """Send again, as one purge, every purge whose ``repeat_delay`` has passed by ``now``."""
        due: set[Invalidation] = set()
        popped = 0
        while self.repeats and self.repeats[0][0] <= now:
            due.update(heapq.heappop(self.repeats)[1])
            popped += 1
        if not popped:
            return
        try:
            self.send(tuple(sorted(due)), time.monotonic(), repeat=True)
        except Exception:
            logger.exception("%s: purge failed", self.purger.name)
        finally:
            with self.queue.all_tasks_done:
                self.queue.unfinished_tasks -= popped
                if self.queue.unfinished_tasks == 0:
                    self.queue.all_tasks_done.notify_all()

    def handle(self, batches: list[Batch]) -> None:
        items = tuple(sorted({item for batch in batches for item in batch.invalidations}))
        committed = min(batch.committed for batch in batches)
        if self.send(items, committed) and self.dispatcher.repeat_delay > 0:
            # A response computed before the commit and still on its way to the CDN when
            # this purge ran is stored after it: the second purge drops it. Counted as a
            # task of the queue, so flush() waits for it too.
            with self.queue.all_tasks_done:
                self.queue.unfinished_tasks += 1
            due = time.monotonic() + self.dispatcher.repeat_delay
            heapq.heappush(self.repeats, (due, items))

    def send(self, items: tuple[Invalidation, ...], committed: float, repeat: bool = False) -> bool:
        """Purge ``items``; whether there was anything to purge."""
        purge = self.dispatcher.resolve(items)
        if not purge.urls and not purge.keys:
            return False
        started = time.monotonic()
        count: int | None = None
        error = None
        for request in self.purger.requests(purge):
            try:
                answer = self.sender.send(self.purger, request)
            except PurgeError as exc:
                error = f"{request}: {exc}"
                logger.error(
                    "%s: gave up purging %s: %s", self.purger.name, _describe(items), error
                )
                continue
            if answer is not None:
                count = (count or 0) + answer
        acknowledged = time.monotonic()
        if error is None:
            logger.info(
                "%s: purged %s%s (%d URLs, %d keys%s) in %.1f ms, %.1f ms after commit",
                self.purger.name,
                _describe(items),
                " again" if repeat else "",
                len(purge.urls),
                len(purge.keys),
                f", {count} objects" if count is not None else "",
                (acknowledged - started) * 1000,
                (acknowledged - committed) * 1000,
            )
        purged.send_robust(
            sender=type(self.purger),
            purger=self.purger,
            purge=purge,
            invalidations=items,
            committed=committed,
            acknowledged=acknowledged,
            purged=count,
            error=error,
            repeat=repeat,
        )
        return True

    def idle(self, deadline: float) -> bool:
        with self.queue.all_tasks_done:
            return self.queue.all_tasks_done.wait_for(
                lambda: self.queue.unfinished_tasks == 0, max(0.0, deadline - time.monotonic())
            )


class Dispatcher:
    """Fans each batch out to every configured purger's worker."""

    def __init__(
        self,
        purgers: Iterable[Purger],
        *,
        queue_size: int = 1000,
        timeout: float = 2.0,
        retries: int = 3,
        view_urls: Mapping[str, Any] | None = None,
        repeat_delay: float = 0.0,
    ) -> None:
        self.queue_size = queue_size
        self.repeat_delay = repeat_delay
        self.timeout = timeout
        self.retries = retries
        self.view_urls = dict(view_urls or {})
        self._manifest: tuple[object, dict[str, Any]] | None = None
        self._lock = threading.Lock()
        self.closed = False
        self.workers = [Worker(purger, self) for purger in purgers]

    def submit(self, invalidations: Iterable[Invalidation], committed: float) -> Batch:
        batch = Batch(tuple(invalidations), committed, pending=len(self.workers))
        for worker in self.workers:
            worker.put(batch)
        return batch

    def flush(self, timeout: float) -> bool:
        """Wait until every queued purge was sent (or given up); False on timeout."""
        deadline = time.monotonic() + timeout
        return all(worker.idle(deadline) for worker in self.workers)

    def close(self, timeout: float = 0.0) -> None:
        """Let the workers finish what is queued, then stop; wait up to ``timeout``."""
        self.closed = True
        for worker in self.workers:
            try:
                worker.queue.put(_STOP, timeout=max(timeout, 0.1))
            except queue.Full:
                logger.error("%s: could not stop its purge worker", worker.purger.name)
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            worker.thread.join(max(0.0, deadline - time.monotonic()))

    def resolve(self, items: tuple[Invalidation, ...]) -> Purge:
        """The URL paths and keys to purge: public contexts only (an edge never holds a
        private one), through the edge manifest and the resolver an edge would run."""
        from mizan.schema import get_schema

        contexts = get_schema().contexts
        public = [i for i in items if i.context in contexts and contexts[i.context].public]
        if not public:
            return Purge((), ())
        # Never collapsed to whole contexts here: the purgers batch long lists themselves.
        header = format_invalidations(
            ((item.context, item.params) for item in public), max_length=sys.maxsize
        )
        return resolve_invalidation(header, self.manifest())

    def manifest(self) -> dict[str, Any]:
        from mizan.edge.manifest import generate_edge_manifest
        from mizan.schema import get_schema

        compiled = get_schema()
        with self._lock:
            if self._manifest is None or self._manifest[0] is not compiled:
                try:
                    manifest = generate_edge_manifest(view_urls=self.view_urls)
                except ManifestError as exc:
                    logger.error("purging by key only: no edge manifest: %s", exc)
                    manifest = {"contexts": {}}
                self._manifest = (compiled, manifest)
            return self._manifest[1]


def _describe(items: Iterable[Invalidation]) -> str:
    return format_invalidations(((i.context, i.params) for i in items), max_length=200) or "-"


# --- the dispatcher of the current settings ---------------------------------------

_current: tuple[str, Dispatcher] | None = None
_current_lock = threading.Lock()


def build_purgers(config: Any) -> list[Purger]:
    """Purger instances from ``MIZAN["PURGERS"]``; ImproperlyConfigured names a mistake."""
    from django.core.exceptions import ImproperlyConfigured

    purgers = []
    for index, entry in enumerate(config or ()):
        where = f"MIZAN['PURGERS'][{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("BACKEND"), str):
            raise ImproperlyConfigured(
                f"{where} must be a dict with a BACKEND, e.g. "
                "{'BACKEND': 'mizan.edge.purgers.Varnish', 'SERVERS': ['http://127.0.0.1:6081']}."
            )
        options = {k: v for k, v in entry.items() if k != "BACKEND"}
        try:
            backend = import_string(entry["BACKEND"])
        except ImportError as exc:
            raise ImproperlyConfigured(f"{where}: cannot import BACKEND: {exc}") from exc
        if not (isinstance(backend, type) and issubclass(backend, Purger)):
            raise ImproperlyConfigured(
                f"{where}: BACKEND {entry['BACKEND']!r} is not a mizan.edge.purgers.Purger "
                "subclass."
            )
        purgers.append(backend(**options))
    return purgers


def current() -> Dispatcher | None:
    """The dispatcher for the current settings (rebuilt when they change), or None."""
    global _current
    config = mizan_settings.PURGERS
    if not config:
        return None
    fingerprint = json.dumps(
        [
            config,
            mizan_settings.PURGE_QUEUE_SIZE,
            mizan_settings.PURGE_TIMEOUT,
            mizan_settings.PURGE_RETRIES,
            mizan_settings.EDGE_VIEW_URLS,
            mizan_settings.PURGE_REPEAT_DELAY,
        ],
        sort_keys=True,
        default=repr,
    )
    with _current_lock:
        if _current is not None and _current[0] == fingerprint and not _current[1].closed:
            return _current[1]
        previous = _current[1] if _current is not None else None
        dispatcher = Dispatcher(
            build_purgers(config),
            queue_size=mizan_settings.PURGE_QUEUE_SIZE,
            timeout=float(mizan_settings.PURGE_TIMEOUT),
            retries=mizan_settings.PURGE_RETRIES,
            view_urls=mizan_settings.EDGE_VIEW_URLS,
            repeat_delay=float(mizan_settings.PURGE_REPEAT_DELAY),
        )
        _current = (fingerprint, dispatcher)
    if previous is not None and not previous.closed:
        previous.close()  # it finishes what it has queued, on its own threads
    return dispatcher


def flush(timeout: float = EXIT_WAIT) -> bool:
    """Wait until the purges queued so far were sent; False if ``timeout`` ran out."""
    with _current_lock:
        dispatcher = _current[1] if _current is not None else None
    return dispatcher.flush(timeout) if dispatcher is not None else True


def _on_invalidated(
    sender: Any, invalidation: Invalidation, batched: bool = False, **kwargs: Any
) -> None:
    now = time.monotonic()
    if batched:  # the request's batch: sent when its collection closes
        if _first_commit.get() is None:
            _first_commit.set(now)
        return
    dispatcher = current()
    if dispatcher is not None:
        dispatcher.submit((invalidation,), now)


def _on_collected(sender: Any, invalidations: tuple[Invalidation, ...], **kwargs: Any) -> None:
    committed = _first_commit.get() or time.monotonic()
    _first_commit.set(None)
    dispatcher = current()
    if dispatcher is None:
        return
    batch = dispatcher.submit(invalidations, committed)
    wait = float(mizan_settings.PURGE_WAIT)
    if wait <= 0 or _on_event_loop():
        return
    if not batch.wait(wait):
        logger.warning(
            "purges of %s not acknowledged within PURGE_WAIT (%.2f s); the response goes out "
            "and they go on in the background",
            _describe(invalidations),
            wait,
        )


def _on_event_loop() -> bool:
    """Blocking here would stall every other request the loop serves."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def connect() -> None:
    """Purge after every committed invalidation; called by ``MizanConfig.ready()``."""
    invalidated.connect(_on_invalidated, dispatch_uid="mizan.edge.purgers")
    collected.connect(_on_collected, dispatch_uid="mizan.edge.purgers")
    atexit.unregister(flush)
    atexit.register(flush, EXIT_WAIT)
