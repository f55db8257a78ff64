"""``wrap_asgi(app)``: HTTP through ``app``, GraphQL subscriptions over WebSocket.

Public persisted hits are answered before ``app`` (:mod:`mizan.persisted.early`).

    application = wrap_asgi(get_asgi_application())

WebSockets are served at the URL of ``mizan:graphql`` (wherever
``include("mizan.urls")`` put it), after an Origin check, with the session's
user (Channels' ``AuthMiddlewareStack``).
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import sync_to_async
from asgiref.typing import ASGIReceiveCallable, ASGISendCallable
from channels.auth import AuthMiddlewareStack  # type: ignore[import-untyped]
from channels.security.websocket import WebsocketDenier  # type: ignore[import-untyped]
from django.conf import settings
from django.core.handlers.asgi import get_script_prefix
from django.http.request import split_domain_port, validate_host
from django.urls import Resolver404, get_resolver, resolve
from strawberry.http.websocket_origin import (
    is_same_origin,
    normalize_allowed_origins,
    normalize_origin,
)

from mizan.channels import FRAME_SEND
from mizan.conf import mizan_settings

logger = logging.getLogger("mizan")

Scope = dict[str, Any]


def wrap_asgi(app: Any) -> Any:
    """Serve ``app`` for HTTP (and lifespan) and mizan's subscriptions for WebSockets."""
    return MizanASGI(app)


class MizanASGI:
    def __init__(self, app: Any) -> None:
        self.app = app
        self._http: Any = None
        self._websocket: Any = None

    @property
    def http(self) -> Any:
        # Public persisted hits answered before Django's handler (mizan.persisted.early);
        # imported on first use, as the consumer is, once Django is set up.
        if self._http is None:
            from mizan.persisted.early import EarlyAnswer

            self._http = EarlyAnswer(self.app)
        return self._http

    @property
    def websocket(self) -> Any:
        # Built on the first connection, not here: asgi.py may call wrap_asgi() before
        # get_asgi_application() sets Django up, and the consumer imports the schema.
        if self._websocket is None:
            from mizan.channels.consumer import MizanWSConsumer

            self._websocket = AuthMiddlewareStack(MizanWSConsumer.as_asgi())
        return self._websocket

    def _prepare(self) -> None:
        get_resolver().url_patterns  # noqa: B018
        self.websocket  # noqa: B018

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if scope["type"] != "websocket":
            return await self.http(scope, receive, send)  # type: ignore[no-any-return]
        if self._websocket is None:
            # The first connection imports the URLconf (and the views it imports) and the
            # consumer: seconds on a busy machine, which on the event loop would time out
            # every other handshake meanwhile.
            await sync_to_async(self._prepare)()
        if not is_graphql_path(scope):
            return await WebsocketDenier.as_asgi()(scope, receive, send)  # type: ignore[no-any-return]
        if not origin_allowed(scope):
            return await WebsocketDenier.as_asgi()(scope, receive, send)  # type: ignore[no-any-return]
        # The server's own send, for the consumer's frames (see MizanWSConsumer.send_frame).
        scope = {**scope, FRAME_SEND: send}
        return await self.websocket(scope, receive, send)  # type: ignore[no-any-return]


def is_graphql_path(scope: Scope) -> bool:
    path = scope["path"].removeprefix(get_script_prefix(scope)) or "/"
    try:
        match = resolve(path if path.startswith("/") else "/" + path)
    except Resolver404:
        return False
    return "mizan" in match.app_names and match.url_name == "graphql"


def origin_allowed(scope: Scope) -> bool:
    """Whether a browser page on the request's Origin may open this socket.

    Browsers send an Origin with every WebSocket handshake and attach the
    site's cookies whatever the page's origin, so a page elsewhere could act
    as the user (cross-site WebSocket hijacking). Allowed: no Origin (not a
    browser), an origin in ``MIZAN['CHANNELS_ALLOWED_ORIGINS']``, or the same
    origin as the Host, when that host is in ``ALLOWED_HOSTS`` (as over HTTP:
    a DNS-rebound host name is not).
    """
    headers = {name.lower(): value.decode("latin1") for name, value in scope.get("headers", [])}
    origin = headers.get(b"origin")
    if origin is None:
        return True
    normalized = normalize_origin(origin)
    allowed = normalize_allowed_origins(mizan_settings.CHANNELS_ALLOWED_ORIGINS)
    if normalized is not None and ("*" in allowed or normalized in allowed):
        return True
    host = headers.get(b"host", "")
    if normalized is not None and is_same_origin(origin, host) and _host_allowed(host):
        return True
    logger.warning(
        "Refused a WebSocket from origin %r to host %r. If pages there may connect, add the "
        "origin to MIZAN['CHANNELS_ALLOWED_ORIGINS'] (and the host to ALLOWED_HOSTS).",
        origin,
        host,
    )
    return False


def _host_allowed(host: str) -> bool:
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:  # Django's own rule for a development server
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    return bool(domain) and validate_host(domain, allowed)
