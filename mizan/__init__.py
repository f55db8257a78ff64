"""mizan: typed, cached, real-time server functions for Django, over one GraphQL schema."""

from typing import TYPE_CHECKING

from mizan.client import client
from mizan.contexts import invalidate, invalidate_on
from mizan.exceptions import (
    BadInput,
    ChannelSendError,
    ClientError,
    Forbidden,
    MizanError,
    RateLimited,
    RegistrationError,
    Unauthenticated,
)
from mizan.setup.registry import register

if TYPE_CHECKING:
    from mizan.channels.asgi import wrap_asgi

__version__ = "0.1.0"

__all__ = [
    "BadInput",
    "ChannelSendError",
    "ClientError",
    "Forbidden",
    "MizanError",
    "RateLimited",
    "RegistrationError",
    "Unauthenticated",
    "client",
    "invalidate",
    "invalidate_on",
    "register",
    "wrap_asgi",
]


def __getattr__(name: str) -> object:
    # Imported on first use: `import mizan` must work without Django Channels installed.
    if name == "wrap_asgi":
        from mizan.channels.asgi import wrap_asgi

        return wrap_asgi
    raise AttributeError(f"module 'mizan' has no attribute {name!r}")
