"""A bare Channels consumer: what ``bench/fanout_scale.py memory`` measures mizan's idle
subscriber against. It speaks just enough graphql-transport-ws for the same client (an
ack, and one group per subscribe), with nothing of GraphQL."""

from typing import Any

from django.core.asgi import get_asgi_application

get_asgi_application()  # sets Django up before Channels' auth imports its models

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402


class Subscriber(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        await self.accept("graphql-transport-ws")

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if content.get("type") == "connection_init":
            await self.send_json({"type": "connection_ack"})
        elif content.get("type") == "subscribe":
            await self.channel_layer.group_add("bench", self.channel_name)
            joined = {"data": {"chatChannel": {"text": "joined"}}}
            await self.send_json({"id": content["id"], "type": "next", "payload": joined})


application = AuthMiddlewareStack(Subscriber.as_asgi())
