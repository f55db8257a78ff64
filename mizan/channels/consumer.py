"""The WebSocket end of ``graphql/``: graphql-transport-ws over Django Channels.

One consumer per connection speaks the protocol (Strawberry's handler) and
hands every operation (subscriptions, and queries and mutations too) to the
runtime, as every HTTP transport does: trusted documents, limits, auth, the
error step and the invalidation report (in a ``next`` payload's
``extensions.invalidate``) are the same here as over HTTP.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest
from strawberry.channels import GraphQLWSConsumer
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.utils.aio import aclosing

from mizan.channels import FRAME_SEND
from mizan.channels.hub import hub
from mizan.conf import mizan_settings
from mizan.reading import loads
from mizan.runtime import MizanContext, Result, get_runtime
from mizan.runtime.context import Shared
from mizan.schema import CurrentSchema

TOO_BIG = 4413  # a close code in the application range, after HTTP's 413


@dataclass(slots=True)
class ChannelsContext(MizanContext):
    """``info.context`` over WebSocket: ``request`` is built from the connection's scope."""

    ws: GraphQLWSConsumer[Any, Any] | None = None
    connection_params: dict[str, Any] | None = None
    #: Joins a channel-layer group (once per process): live contexts' invalidations.
    live_listen: Callable[[str], AbstractAsyncContextManager[AsyncIterator[Shared]]] | None = None


def websocket_request(scope: dict[str, Any]) -> HttpRequest:
    """A Django request for the WebSocket handshake, so functions and ``auth=`` read
    ``request.user``, ``request.session`` and headers as they do over HTTP."""
    from django.contrib.auth.models import AnonymousUser  # models: only once Django is set up

    request = ASGIRequest({**scope, "type": "http", "method": "GET"}, io.BytesIO())
    request.user = scope.get("user") or AnonymousUser()
    if "session" in scope:
        request.session = scope["session"]
    return request


def malformed(message: object) -> str | None:
    """What makes ``message`` no graphql-transport-ws message, or None.

    Strawberry's handler indexes messages as it reads them: a frame that is a number,
    a list, or a subscribe whose payload is not an object raises a ``TypeError`` that
    ends the handler with the socket left open and silent."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return "A message must be a JSON object with a string `type`."
    if message["type"] == "complete" and not isinstance(message.get("id"), str):
        return "A complete message needs a string `id`."
    if message["type"] != "subscribe":
        return None
    payload = message.get("payload")
    if not isinstance(message.get("id"), str) or not isinstance(payload, dict):
        return "A subscribe message needs a string `id` and an object `payload`."
    for key, kind in (
        ("query", str),
        ("variables", dict),
        ("operationName", str),
        ("extensions", dict),
    ):
        if key in payload and payload[key] is not None and not isinstance(payload[key], kind):
            return f"A subscribe payload's `{key}` must be a {kind.__name__} or null."
    return None


class _Operation(Operation[ChannelsContext, None]):
    """Strawberry's operation, with the ``extensions`` of its subscribe message."""

    __slots__ = ("extensions",)

    extensions: dict[str, Any] | None


class _TransportWSHandler(BaseGraphQLTransportWSHandler[ChannelsContext, None]):
    """Strawberry's protocol handler; the operations run in mizan's runtime.

    Strawberry's ``handle_subscribe`` needs a ``query`` (a persisted document is named
    by its hash alone) and its ``run_operation`` runs the schema itself, so both are
    replaced; the protocol's states and close codes stay Strawberry's.
    """

    async def handle_message(self, message: Any) -> None:
        if (problem := malformed(message)) is not None:
            await self.handle_invalid_message(problem)  # closes with 4400
            return
        await super().handle_message(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self.connection_acknowledged:
            await self.websocket.close(code=4401, reason="Unauthorized")
            return
        id, payload = message["id"], message.get("payload")
        if not isinstance(payload, dict):
            await self.handle_invalid_message("Failed to parse message")
            return
        if id in self.operations:
            await self.websocket.close(code=4409, reason=f"Subscriber for {id} already exists")
            return
        limit = self.max_subscriptions_per_connection
        if limit is not None and len(self.operations) >= limit:
            # Strawberry's own message is bare; this one carries a code.
            await self.send_message(
                {
                    "id": id,
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
        extensions = payload.get("extensions")
        operation = _Operation(
            self,
            id,
            payload.get("query"),  # None when a persisted document is named by its hash
            payload.get("variables"),
            payload.get("operationName"),
        )
        operation.extensions = extensions if isinstance(extensions, dict) else None
        operation.task = asyncio.create_task(self.run_operation(operation))
        operation.task.add_done_callback(self._task_done)
        self.operations[id] = operation

    async def run_operation(self, operation: Operation[ChannelsContext, None]) -> None:
        assert isinstance(operation, _Operation)
        try:
            variables = operation.variables
            outcome = await get_runtime().stream(
                self.context,
                operation.query,
                variables if isinstance(variables, dict) else None,
                operation.operation_name,
                operation.extensions,
            )
            if isinstance(outcome, Result):  # refused before it started
                await operation.send_initial_errors(outcome.errors or [])
                return
            async with aclosing(outcome) as results:
                async for result in results:
                    await self.send_next(operation, result)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except Exception as error:  # pragma: no cover - the runtime returns failures
            await self.handle_task_exception(error)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise

    async def send_next(self, operation: Operation[ChannelsContext, None], result: Result) -> None:
        """Strawberry's ``send_next``, with the payload encoded once per result: a broadcast
        or a live push is one shared result for every local subscriber (see
        ``Runtime._responses``), and only its operation's id differs between frames."""
        if operation.completed:
            return
        frame = f'{{"id":{json.dumps(operation.id)},"type":"next","payload":{result.payload()}}}'
        consumer: MizanWSConsumer = self.websocket.ws_consumer  # type: ignore[attr-defined]
        await consumer.send_frame(frame)


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

    async def send_frame(self, text: str) -> None:
        """Send one text frame through the ASGI server's own send, when ``wrap_asgi`` left
        it in the scope. Channels' session middleware wraps ``send`` to save the session
        on an HTTP response's start, which a WebSocket frame never is; its check still
        reads the lazy session twice per frame, an eighth of a broadcast's CPU at 1,000
        subscribers (docs/reference/performance.md)."""
        send = self.scope.get(FRAME_SEND)
        if send is None:  # the consumer mounted without wrap_asgi
            await self.send(text_data=text)
        else:
            await send({"type": "websocket.send", "text": text})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        size = len(text_data.encode()) if text_data else len(bytes_data or b"")
        if size > self.max_message_bytes:
            await self.close(code=TOO_BIG, reason="Message too big")
            return
        await super().receive(text_data, bytes_data)

    async def on_ws_connect(self, context: ChannelsContext) -> dict[str, object]:
        # connection_ack's payload: a generated client compares it with its own (drift).
        return {"schema": get_runtime().compiled.hash}

    def decode_json(self, data: str | bytes) -> object:
        # JSON nested past the parser's recursion is malformed JSON: Strawberry's handler
        # closes with 4400 rather than dying on a RecursionError with the socket open.
        return loads(data)

    async def get_context(
        self, request: GraphQLWSConsumer[Any, Any], response: GraphQLWSConsumer[Any, Any]
    ) -> ChannelsContext:
        layer = self.channel_layer
        return ChannelsContext(
            request=websocket_request(self.scope),
            is_async=True,
            ws=self,
            live_listen=None if layer is None else (lambda group: hub().listen(layer, group)),
        )
