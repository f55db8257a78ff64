"""Channel-layer group names: whatever ``group()`` returns, made safe and kept distinct.

Channel layers accept group names of ASCII letters, digits, ``-``, ``_`` and
``.``, shorter than 100 characters. ``group()`` may return anything (a room
name a user typed), so mizan encodes it injectively: ``-`` is the escape
character, and every byte outside ``[A-Za-z0-9_.]`` becomes ``-`` and two hex
digits. A name that is still too long keeps a readable head and ends in ``-h``
and a digest of the whole name; ``-h`` never occurs in an encoded name (an
escape is always followed by hex digits), so a room cannot be named so that
it lands in another room's group.
"""

from __future__ import annotations

import hashlib
import string

MAX_LENGTH = 99  # channels' layers require len(name) < 100
PREFIX = "mizan."
_SAFE = frozenset((string.ascii_letters + string.digits + "_.").encode("ascii"))
_DIGEST = 32  # hex digits: 128 bits


def encode(text: str) -> str:
    return "".join(chr(byte) if byte in _SAFE else f"-{byte:02x}" for byte in text.encode("utf-8"))


def group_name(channel: str, group: str) -> str:
    """The layer group for ``group`` of channel ``channel`` (its field name, an identifier).

    Each channel has its own namespace, so two channels whose ``group()``
    return the same string never receive each other's messages.
    """
    name = f"{PREFIX}{channel}.{encode(group)}"
    if len(name) <= MAX_LENGTH:
        return name
    digest = hashlib.sha256(name.encode("ascii")).hexdigest()[:_DIGEST]
    return f"{name[: MAX_LENGTH - _DIGEST - 2]}-h{digest}"
