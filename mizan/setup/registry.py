"""The seed's import path: ``from mizan.setup.registry import register`` keeps working.

The registry lives in :mod:`mizan.registry`; ``register`` beside ``@client``, in
:mod:`mizan.client`.
"""

from mizan.client import register
from mizan.registry import Registry, get_registry, use_registry

__all__ = ["Registry", "get_registry", "register", "use_registry"]
