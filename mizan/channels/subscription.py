"""The resolvers behind a channel's subscription field, installed by the compiler.

``subscribe`` does everything that may refuse (arguments, ``authorize``,
``group``) before it returns the event stream, so a refusal reaches the
client as a graphql-transport-ws ``error`` message and the subscription
ends; only then does the stream join the channel-layer group. Failures,
there or in the stream (a hook's ``ClientError``, the layer's Redis gone),
go to the runtime's error step like a function's.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pydantic
from graphql import GraphQLError, GraphQLField, GraphQLResolveInfo

from mizan.definitions import ChannelDef
from mizan.runtime.calls import Call
from mizan.runtime.context import Shared
from mizan.runtime.errors import bad_input

from .hooks import MESSAGE_TYPE, authorize, call_hook, group_of, parse_params
from .hub import hub

if TYPE_CHECKING:
    from .channel import ReactChannel

logger = logging.getLogger("mizan")


def install(field: GraphQLField, channel: ChannelDef, call: Call) -> None:
    field.subscribe = _subscriber(channel, call)
    field.resolve = _message


def _message(message: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
    if message is None:  # run as a plain operation (an HTTP POST), not over a stream
        raise _websocket_only(info.field_name)
    return message  # each event the stream yields is already the validated message


def _websocket_only(field_name: str) -> GraphQLError:
    return GraphQLError(
        f"{field_name} is a subscription: open a WebSocket to this same URL "
        "(protocol graphql-transport-ws, served by mizan.wrap_asgi).",
        extensions={"code": "BAD_REQUEST"},
    )


def _subscriber(channel: ChannelDef, call: Call) -> Any:
    cls = channel.cls

    async def subscribe(
        _root: Any, info: GraphQLResolveInfo[Any], **raw: Any
    ) -> AsyncIterator[Any]:
        context = info.context
        consumer = getattr(context, "ws", None)
        if consumer is None:
            raise _websocket_only(channel.field_name)
        if consumer.channel_layer is None:
            raise GraphQLError(
                "Subscriptions need settings.CHANNEL_LAYERS; none is configured.",
                extensions={"code": "INTERNAL_SERVER_ERROR"},
            )
        try:
            params = parse_params(cls, call.decode(raw))
        except pydantic.ValidationError as exc:
            raise bad_input(exc) from None
        instance: ReactChannel = cls(context.request)
        await authorize(instance, params)
        group = await group_of(instance, params)
        return _events(consumer, instance, params, group, channel)

    return subscribe


async def _events(
    consumer: Any, instance: ReactChannel, params: Any, group: str, channel: ChannelDef
) -> AsyncIterator[Any]:
    model: type[pydantic.BaseModel] = channel.message
    subscribed = False
    try:
        # The process joins the group once, however many local subscriptions listen to
        # it; two subscriptions to one room on one socket each get every message.
        async with hub().listen(consumer.channel_layer, group) as events:
            await call_hook(instance.on_subscribe, params)
            subscribed = True
            async for delivery in events:
                event = delivery.value
                if event.get("type") == MESSAGE_TYPE and event.get("group") == group:
                    # Validated once for every local subscriber, which all get the same
                    # Shared: the runtime executes each document and variables once too.
                    shared = delivery.memo.get(model)
                    if shared is None:
                        message = model.model_validate_json(event["message"])
                        shared = delivery.memo[model] = Shared(message, delivery.memo)
                    yield shared
    finally:
        if subscribed:
            try:
                await call_hook(instance.on_unsubscribe, params)
            except Exception:
                logger.exception("%s.on_unsubscribe raised", channel.source)
