"""The exceptions mizan raises, and the one your functions raise to talk to a client.

    MizanError
    ├── RegistrationError     a function, form or channel is declared wrongly;
    │                         raised at import or schema build time, never per request
    ├── ChannelSendError      ``ChatChannel.send()`` got a message or params its channel
    │                         refuses; raised in the caller, before anything is sent
    └── ClientError           raise it in a function: the client sees its message and code
        ├── BadInput          BAD_USER_INPUT
        ├── Unauthenticated   UNAUTHENTICATED
        ├── Forbidden         FORBIDDEN
        └── RateLimited       RATE_LIMITED, with ``extensions.retryAfter`` (seconds);
                              raised by a function's ``rate=`` before it runs

Every other exception raised by a function is logged with its traceback and
reaches the client as a masked ``INTERNAL_SERVER_ERROR`` (unless ``DEBUG``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured


class MizanError(Exception):
    """Base class of every exception mizan defines."""


class RegistrationError(MizanError, ImproperlyConfigured):
    """A mizan declaration is wrong; the message names the code and the fix."""


class ChannelSendError(MizanError, ValueError):
    """A server-side ``send()`` / ``asend()`` that cannot be delivered as asked."""


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
