"""mizan: typed, cached, real-time server functions for Django, over one GraphQL schema."""

from mizan.client import client
from mizan.contexts import invalidate, invalidate_on
from mizan.exceptions import (
    BadInput,
    ClientError,
    Forbidden,
    MizanError,
    RegistrationError,
    Unauthenticated,
)
from mizan.setup.registry import register

__version__ = "0.1.0"

__all__ = [
    "BadInput",
    "ClientError",
    "Forbidden",
    "MizanError",
    "RegistrationError",
    "Unauthenticated",
    "client",
    "invalidate",
    "invalidate_on",
    "register",
]
