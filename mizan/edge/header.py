"""``X-Mizan-Invalidate``: an RFC 8941 structured-field List, one item per context.

    X-Mizan-Invalidate: user;user_id=5, notifications, tag;name="a \\"b\\""

Each item is the context name (a token) with its key params as parameters,
sorted by name: integers bare, booleans ``?1``/``?0``, every other value a
string. Strings that are not printable ASCII are sent as RFC 9651 display
strings (``%"caf%c3%a9"``). A header longer than ``MAX_LENGTH`` collapses to
whole contexts: an edge then purges more, never less.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mizan.canonical import Scalar
from mizan.exceptions import MalformedHeader

MAX_LENGTH = 4096
Item = tuple[str, tuple[tuple[str, Scalar], ...]]

_TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*")
_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_INTEGER = re.compile(r"-?[0-9]{1,15}")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


def format_value(value: Scalar) -> str:
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int) and abs(value) < 10**15:
        return str(value)
    text = str(value)
    if _PRINTABLE.fullmatch(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    encoded = "".join(
        chr(b) if 0x20 <= b <= 0x7E and b not in (0x25, 0x22) else f"%{b:02x}"
        for b in text.encode()
    )
    return f'%"{encoded}"'


def format_invalidations(items: Iterable[Item], max_length: int = MAX_LENGTH) -> str:
    items = sorted(set(items))
    text = ", ".join(
        name + "".join(f";{key}={format_value(value)}" for key, value in params)
        for name, params in items
    )
    if len(text) > max_length:
        text = ", ".join(sorted({name for name, _ in items}))
    return text


def parse_invalidations(header: str) -> list[Item]:
    """The items of a header, or :class:`MalformedHeader` naming the first problem."""
    parser = _Parser(header)
    return parser.list()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text.strip(" ")
        self.pos = 0

    def fail(self, what: str) -> MalformedHeader:
        return MalformedHeader(f"X-Mizan-Invalidate: {what} at character {self.pos}: {self.text!r}")

    def list(self) -> list[Item]:
        items: list[Item] = []
        if not self.text:
            return items
        while True:
            items.append(self.item())
            self.skip(" \t")
            if self.pos == len(self.text):
                return items
            if self.text[self.pos] != ",":
                raise self.fail("expected ','")
            self.pos += 1
            self.skip(" \t")
            if self.pos == len(self.text):
                raise self.fail("trailing ','")

    def skip(self, chars: str) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1

    def match(self, pattern: re.Pattern[str], what: str) -> str:
        found = pattern.match(self.text, self.pos)
        if not found:
            raise self.fail(f"expected {what}")
        self.pos = found.end()
        return found.group()

    def item(self) -> Item:
        name = self.match(_TOKEN, "a context name")
        params: dict[str, bool | int | str] = {}
        while self.pos < len(self.text) and self.text[self.pos] == ";":
            self.pos += 1
            self.skip(" ")
            key = self.match(_KEY, "a parameter name")
            if self.pos < len(self.text) and self.text[self.pos] == "=":
                self.pos += 1
                params[key] = self.value()
            else:
                params[key] = True
        return name, tuple(sorted(params.items()))

    def value(self) -> bool | int | str:
        text, pos = self.text, self.pos
        if text.startswith("?1", pos) or text.startswith("?0", pos):
            self.pos += 2
            return text[pos + 1] == "1"
        if text.startswith('"', pos):
            return self.string()
        if text.startswith('%"', pos):
            self.pos += 1
            raw = self.string(display=True)
            try:
                return _percent_decode(raw)
            except ValueError as exc:
                raise self.fail(str(exc)) from None
        return int(self.match(_INTEGER, "a value"))

    def string(self, display: bool = False) -> str:
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == '"':
                return "".join(out)
            if char == "\\" and not display:
                if self.pos == len(self.text) or self.text[self.pos] not in '"\\':
                    raise self.fail("bad escape")
                char = self.text[self.pos]
                self.pos += 1
            elif not 0x20 <= ord(char) <= 0x7E:
                raise self.fail("a character strings cannot hold")
            out.append(char)
        raise self.fail("unterminated string")


def _percent_decode(raw: str) -> str:
    data = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == "%":
            chunk = raw[i + 1 : i + 3]
            if len(chunk) != 2 or chunk != chunk.lower():
                raise ValueError("bad percent-encoding in a display string")
            data.append(int(chunk, 16))
            i += 3
        else:
            data.append(ord(raw[i]))
            i += 1
    return data.decode()
