"""mizan: typed, cached, real-time server functions for Django, over one GraphQL schema.

    from mizan import client, register, invalidate, invalidate_on, ClientError
    from mizan.channels import ReactChannel
    from mizan.forms import MizanFormMeta, MizanFormMixin

The seed's paths (``mizan.client.client``, ``mizan.setup.registry.register``) are
the same objects. ``import mizan`` needs neither Django set up nor Django Channels:
``wrap_asgi`` and ``wrap_wsgi`` are imported on first use.
"""

from typing import TYPE_CHECKING

from mizan.client import client, register
from mizan.exceptions import (
    BadInput,
    BadParameter,
    ChannelLayerError,
    ChannelSendError,
    ClientError,
    Forbidden,
    InvalidationError,
    MalformedHeader,
    ManifestError,
    MizanError,
    PurgeError,
    RateLimited,
    RegistrationError,
    Unauthenticated,
)
from mizan.invalidation import invalidate, invalidate_for, invalidate_on

if TYPE_CHECKING:
    from mizan.channels import wrap_asgi
    from mizan.persisted.early import wrap_wsgi
    from mizan.runtime import aexecute, execute

__version__ = "0.1.0"

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
    "aexecute",
    "client",
    "execute",
    "invalidate",
    "invalidate_for",
    "invalidate_on",
    "register",
    "wrap_asgi",
    "wrap_wsgi",
]


def __getattr__(name: str) -> object:
    # Imported on first use: `import mizan` must work without Django Channels installed,
    # and asgi.py may import it before Django is set up; the runtime imports the schema
    # machinery, which needs Django's apps.
    if name == "wrap_asgi":
        from mizan import channels

        return channels.wrap_asgi
    if name == "wrap_wsgi":
        from mizan.persisted import early

        return early.wrap_wsgi
    if name in ("execute", "aexecute"):
        from mizan import runtime

        return getattr(runtime, name)
    raise AttributeError(f"module 'mizan' has no attribute {name!r}")
