"""System checks for channels (registered by ``MizanConfig.ready()``; no Channels import)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from strawberry.http.websocket_origin import normalize_allowed_origins

from mizan.conf import mizan_settings
from mizan.registry import get_registry


def register_checks() -> None:
    register(check_channel_layer, Tags.compatibility)
    register(check_allowed_origins, Tags.security)


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
            "'channels_redis.pubsub.RedisPubSubChannelLayer' (see docs/guides/channels.md).",
            id="mizan.E101",
        )
    ]


def check_allowed_origins(**kwargs: Any) -> list[CheckMessage]:
    origins = mizan_settings.CHANNELS_ALLOWED_ORIGINS
    try:
        normalize_allowed_origins(origins)
    except (TypeError, ValueError) as exc:
        return [
            Error(
                f"MIZAN['CHANNELS_ALLOWED_ORIGINS'] = {origins!r}: {exc}",
                hint="List origins as a browser sends them: ['https://app.example.com', "
                "'http://localhost:5173'], or ['*'] for any.",
                id="mizan.E102",
            )
        ]
    return []
