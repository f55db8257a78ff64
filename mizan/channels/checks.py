"""System checks for channels (registered by ``MizanConfig.ready()``; no Channels import)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from strawberry.http.websocket_origin import normalize_allowed_origins

from mizan.channels import INSTALL
from mizan.conf import mizan_settings
from mizan.contexts import ContextDef, channels_installed, contexts_of
from mizan.naming import context_subscription_name
from mizan.registry import get_registry


def register_checks() -> None:
    register(check_channel_layer, Tags.compatibility)
    register(check_allowed_origins, Tags.security)
    register(check_live_contexts, Tags.compatibility)


def _live_contexts() -> list[ContextDef]:
    return [c for c in get_registry().derive(contexts_of).values() if c.live and c.readable]


def check_channel_layer(**kwargs: Any) -> list[CheckMessage]:
    channels = [c.cls.__qualname__ for c in get_registry().channels()]
    live = [f"live context {c.name!r}" for c in _live_contexts() if channels_installed()]
    if not (channels or live) or "default" in getattr(settings, "CHANNEL_LAYERS", {}):
        return []
    names = ", ".join(sorted(channels) + live)
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


def check_live_contexts(**kwargs: Any) -> list[CheckMessage]:
    """A context declared live=True gets no subscription without Django Channels."""
    if channels_installed():
        return []
    return [
        Warning(
            f"Context {context.name!r} is declared live=True, but Django Channels is not "
            f"installed: it has no subscription field ({context_subscription_name(context.name)}"
            ") until it is.",
            hint=f"Install the channels extra: {INSTALL}; live pushes travel over WebSockets "
            "and the channel layer.",
            id="mizan.W101",
        )
        for context in _live_contexts()
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
