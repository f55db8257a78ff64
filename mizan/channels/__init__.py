"""Real-time channels: ``ReactChannel`` subclasses served as GraphQL subscriptions.

    from mizan.channels import ReactChannel

The only part of mizan that imports Django Channels (``pip install
"django-mizan[channels]"``); the rest of mizan works without it. Importing this
package imports nothing of Channels until ``ReactChannel`` or ``wrap_asgi`` is
first used, so ``asgi.py`` may import ``wrap_asgi`` before Django is set up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mizan.channels.asgi import wrap_asgi
    from mizan.channels.channel import ReactChannel

__all__ = ["ReactChannel", "wrap_asgi"]

#: The command that installs what this package needs.
INSTALL = 'pip install "django-mizan[channels]"'

#: The scope key under which ``wrap_asgi`` leaves the ASGI server's own ``send``, which
#: the consumer sends its frames through (``MizanWSConsumer.send_frame``).
FRAME_SEND = "mizan.frame_send"

_LAZY = {"ReactChannel": "mizan.channels.channel", "wrap_asgi": "mizan.channels.asgi"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'mizan.channels' has no attribute {name!r}")
    try:
        module = importlib.import_module(_LAZY[name])
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in ("channels", "daphne"):
            raise
        raise ModuleNotFoundError(
            f"mizan.channels.{name} needs Django Channels, which is not installed: "
            f"{INSTALL} (No module named {exc.name!r}.)",
            name=exc.name,
        ) from exc
    value = getattr(module, name)
    globals()[name] = value
    return value
