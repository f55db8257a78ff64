"""Every exception mizan defines, and the ones your functions raise to talk to a client.

    MizanError                 catch this to catch anything mizan raises on purpose
    ├── RegistrationError      a function, form or channel is declared wrongly; raised at
    │                          import or when the schema is built (``manage.py check``),
    │                          never per request. Also an ``ImproperlyConfigured``.
    ├── InvalidationError      ``invalidate()`` / ``invalidate_on()`` named a context or a
    │                          key param that does not exist; raised in the caller
    ├── ManifestError          ``generate_edge_manifest()`` / ``export_edge_manifest``
    │                          cannot find a view-path page's URL pattern in the
    │                          URLconf, or write it for the edge; pass ``view_urls``
    ├── MalformedHeader        ``parse_invalidations()`` got an ``X-Mizan-Invalidate``
    │                          value that is not an RFC 8941 List; nothing of it applies
    ├── BadParameter           a persisted ``ctx/`` or ``q/`` URL names an unknown
    │                          parameter, repeats one, or spells a bad value (the
    │                          client gets a 400 naming ``.parameter``)
    ├── PurgeError             a CDN purge request failed (``.retry``: whether sending it
    │                          again may succeed); logged by the purge dispatcher
    ├── ChannelSendError       ``ChatChannel.send()`` got a message or params its channel
    │                          refuses; raised in the caller, before anything is sent
    ├── ChannelLayerError      the channel layer stopped delivering a group's messages
    │                          to this process; ends the subscriptions it fed
    └── ClientError            raise it in a function: the client sees its message and code
        ├── BadInput           BAD_USER_INPUT
        ├── Unauthenticated    UNAUTHENTICATED
        ├── Forbidden          FORBIDDEN
        └── RateLimited        RATE_LIMITED, with ``extensions.retryAfter`` (seconds):
                               a function's ``rate=`` refused the call before it ran

Those that describe a bad value (``InvalidationError``, ``ManifestError``,
``MalformedHeader``, ``BadParameter``, ``ChannelSendError``) are also
``ValueError``\\ s. Every other exception raised by a function is logged with its
traceback and reaches the client as a masked ``INTERNAL_SERVER_ERROR``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "BadInput",
    "BadParameter",
    "ChannelLayerError",
    "ChannelSendError",
    "ClientError",
    "Forbidden",
    "InvalidationError",
    "MalformedHeader",
    "ManifestError",
    "MizanError",
    "PurgeError",
    "RateLimited",
    "RegistrationError",
    "Unauthenticated",
]


class MizanError(Exception):
    """Base class of every exception mizan defines."""


class RegistrationError(MizanError, ImproperlyConfigured):
    """A mizan declaration is wrong; the message names the code and the fix."""


class InvalidationError(MizanError, ValueError):
    """``invalidate()`` named a context or a param that does not exist."""


class ManifestError(MizanError, ValueError):
    """The edge manifest cannot be made as asked; the message says what to pass."""


class MalformedHeader(MizanError, ValueError):
    """An ``X-Mizan-Invalidate`` value that is not a valid List; nothing of it applies."""


class BadParameter(MizanError, ValueError):
    """A persisted URL names an unknown parameter, repeats one, or gives a bad value."""

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class PurgeError(MizanError):
    """A purge request failed. ``retry``: whether sending it again may succeed."""

    def __init__(self, message: str, *, retry: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry = retry
        self.retry_after = retry_after


class ChannelSendError(MizanError, ValueError):
    """A server-side ``send()`` / ``asend()`` that cannot be delivered as asked."""


class ChannelLayerError(MizanError):
    """The channel layer stopped delivering a group's messages to this process."""


class ClientError(MizanError):
    """An error whose message is meant for the client.

    ``raise ClientError("Room is full", code="ROOM_FULL")`` inside a function
    makes the field null and adds a GraphQL error carrying that message and
    ``extensions.code``; ``extensions`` adds further machine-readable facts.
    """

    code = "BAD_REQUEST"

    def __init__(
        self, message: str, *, code: str | None = None, extensions: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extensions = dict(extensions or {})


class BadInput(ClientError):
    """The client sent a value the function cannot accept."""

    code = "BAD_USER_INPUT"


class Unauthenticated(ClientError):
    """The call needs a logged-in user."""

    code = "UNAUTHENTICATED"


class Forbidden(ClientError):
    """The user is known but may not make this call."""

    code = "FORBIDDEN"


class RateLimited(ClientError):
    """Too many calls: the function did not run. ``retry_after`` is in seconds."""

    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, extensions={"retryAfter": retry_after})
        self.retry_after = retry_after
