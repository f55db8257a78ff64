"""The WebSocket end of ``graphql/``: Strawberry's Channels consumer with mizan's schema.

One consumer per connection speaks graphql-transport-ws and serves every
operation (subscriptions, and queries and mutations too) with a context
the resolvers already know: a Django request with the session's user.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest
from strawberry.channels import GraphQLWSConsumer
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from mizan.conf import mizan_settings
from mizan.schema import CurrentSchema, get_schema
from mizan.views import MizanContext

TOO_BIG = 4413  # a close code in the application range, after HTTP's 413


@dataclass(slots=True)
class ChannelsContext(MizanContext):
    """``info.context`` over WebSocket: ``request`` is built from the connection's scope."""

    ws: GraphQLWSConsumer[Any, Any] | None = None
    connection_params: dict[str, Any] | None = None


def websocket_request(scope: dict[str, Any]) -> HttpRequest:
    """A Django request for the WebSocket handshake, so functions and ``auth=`` read
    ``request.user``, ``request.session`` and headers as they do over HTTP."""
    from django.contrib.auth.models import AnonymousUser  # models: only once Django is set up

    request = ASGIRequest({**scope, "type": "http", "method": "GET"}, io.BytesIO())
    request.user = scope.get("user") or AnonymousUser()
    if "session" in scope:
        request.session = scope["session"]
    return request


class _TransportWSHandler(BaseGraphQLTransportWSHandler[ChannelsContext, None]):
    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        # Strawberry enforces the same limit with a bare message; this one carries a code.
        limit = self.max_subscriptions_per_connection
        if (
            self.connection_acknowledged
            and limit is not None
            and message["id"] not in self.operations
            and len(self.operations) >= limit
        ):
            await self.send_message(
                {
                    "id": message["id"],
                    "type": "error",
                    "payload": [
                        {
                            "message": f"This connection already has {limit} subscriptions "
                            "(MIZAN['CHANNELS_MAX_SUBSCRIPTIONS']); complete one first.",
                            "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS"},
                        }
                    ],
                }
            )
            return
        await super().handle_subscribe(message)


class MizanWSConsumer(GraphQLWSConsumer[ChannelsContext, None]):
    graphql_transport_ws_handler_class = _TransportWSHandler

    def __init__(self) -> None:
        super().__init__(
            schema=None,  # type: ignore[arg-type]  # the property below
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=mizan_settings.CHANNELS_MAX_SUBSCRIPTIONS,
            # wrap_asgi checked the Origin before this consumer ran, against ALLOWED_HOSTS
            # as well as the Host header, which Strawberry's own check does not consult.
            allowed_origins=("*",),
        )
        self.max_message_bytes: int = mizan_settings.CHANNELS_MAX_MESSAGE_BYTES

    schema = CurrentSchema()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        size = len(text_data.encode()) if text_data else len(bytes_data or b"")
        if size > self.max_message_bytes:
            await self.close(code=TOO_BIG, reason="Message too big")
            return
        await super().receive(text_data, bytes_data)

    async def on_ws_connect(self, context: ChannelsContext) -> dict[str, object]:
        # connection_ack's payload: a generated client compares it with its own (drift).
        return {"schema": get_schema().hash}

    async def get_context(
        self, request: GraphQLWSConsumer[Any, Any], response: GraphQLWSConsumer[Any, Any]
    ) -> ChannelsContext:
        return ChannelsContext(request=websocket_request(self.scope), is_async=True, ws=self)
