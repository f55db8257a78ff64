"""System checks for channels, registered when ``mizan.channels`` is imported."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from mizan.setup.registry import get_registry


@register(Tags.compatibility)
def check_channel_layer(**kwargs: Any) -> list[CheckMessage]:
    channels = get_registry().channels()
    if not channels or "default" in getattr(settings, "CHANNEL_LAYERS", {}):
        return []
    names = ", ".join(sorted(c.cls.__qualname__ for c in channels))
    return [
        Error(
            f"mizan channels ({names}) need a channel layer; settings.CHANNEL_LAYERS has "
            "no 'default'.",
            hint="One process: CHANNEL_LAYERS = {'default': {'BACKEND': "
            "'channels.layers.InMemoryChannelLayer'}}. Several: "
            "'channels_redis.pubsub.RedisPubSubChannelLayer' (see the README).",
            id="mizan.E101",
        )
    ]
