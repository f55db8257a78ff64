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
    RegistrationError,
    Unauthenticated,
)
from mizan.setup.registry import register

if TYPE_CHECKING:
    from mizan.channels.asgi import wrap_asgi
    from mizan.runtime import aexecute, execute

__version__ = "0.1.0"

__all__ = [
    "BadInput",
    "ChannelSendError",
    "ClientError",
    "Forbidden",
    "MizanError",
    "RegistrationError",
    "Unauthenticated",
    "aexecute",
    "client",
    "execute",
    "invalidate",
    "invalidate_on",
    "register",
    "wrap_asgi",
]


def __getattr__(name: str) -> object:
    # Imported on first use: `import mizan` must work without Django Channels installed,
    # and before Django's apps are ready (the runtime imports the schema machinery).
    if name == "wrap_asgi":
        from mizan.channels.asgi import wrap_asgi

        return wrap_asgi
    if name in ("execute", "aexecute"):
        from mizan import runtime

        return getattr(runtime, name)
    raise AttributeError(f"module 'mizan' has no attribute {name!r}")
