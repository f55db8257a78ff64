"""Real-time channels: ``ReactChannel`` subclasses served as GraphQL subscriptions.

The only part of mizan that imports Django Channels (``pip install
"django-mizan[channels]"``); the rest of mizan works without it.
"""

from mizan.channels import checks  # noqa: F401  (registers the channel system checks)
from mizan.channels.asgi import wrap_asgi
from mizan.channels.channel import ReactChannel

__all__ = ["ReactChannel", "wrap_asgi"]
