"""Live contexts across processes: every committed invalidation of a live context is
published to its channel-layer group (``mizan.live.<context>``), which every process
with subscribers of that context listens to (:mod:`mizan.runtime.live` does the rest).

Connected to :data:`mizan.invalidation.invalidated` by ``MizanConfig.ready()``; nothing
of Channels is imported until a live context is invalidated.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from mizan.contexts import ContextDef, contexts_of
from mizan.invalidation import Invalidation, invalidated
from mizan.naming import LIVE_MESSAGE_TYPE, live_group_name
from mizan.registry import get_registry

logger = logging.getLogger("mizan.live")

_sending: set[asyncio.Task[None]] = set()


def connect() -> None:
    invalidated.connect(publish, dispatch_uid="mizan.channels.live")


def publish(sender: Any, invalidation: Invalidation, **kwargs: Any) -> None:
    """Tell every process of ``invalidation`` when its context is live; a channel layer
    that fails is logged, never the request's failure (the write has committed)."""
    context: ContextDef | None = get_registry().derive(contexts_of).get(invalidation.context)
    if context is None or not context.has_live_field:
        return
    from channels.layers import get_channel_layer  # type: ignore[import-untyped]

    layer = get_channel_layer()
    if layer is None:
        return  # mizan.E101 says a live context needs one
    group, event = live_group_name(context.name), message(invalidation)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    try:
        if loop is None:
            from asgiref.sync import async_to_sync

            async_to_sync(layer.group_send)(group, event)
        else:  # committed in async code (on the event loop): sent in the background
            task = loop.create_task(_send(layer, group, event))
            _sending.add(task)
            task.add_done_callback(_sending.discard)
    except Exception:
        logger.exception("mizan live: publishing %s to %s failed", invalidation, group)


def message(invalidation: Invalidation) -> dict[str, Any]:
    """The channel-layer event that tells every process of ``invalidation``."""
    return {
        "type": LIVE_MESSAGE_TYPE,
        "context": invalidation.context,
        "params": [[key, value] for key, value in invalidation.params],
        "owner": invalidation.owner,
    }


async def _send(layer: Any, group: str, event: dict[str, Any]) -> None:
    try:
        await layer.group_send(group, event)
    except Exception:
        logger.exception("mizan live: publishing to %s failed", group)
