"""The typed, frozen description of one server function: what everything downstream reads.

The compiler, the views, the manifest and (later) the client generator never
look at a user's function directly; they read its :class:`FunctionDef`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from mizan import naming

if TYPE_CHECKING:
    from mizan.forms.spec import FormPart

AuthSpec = bool | str | Callable[..., Any]


class Kind(Enum):
    QUERY = "query"
    MUTATION = "mutation"
    SUBSCRIPTION = "subscription"


@dataclass(frozen=True)
class Source:
    """Where a function is defined, for error messages that point at the user's code."""

    module: str
    qualname: str
    file: str
    line: int

    @classmethod
    def of(cls, obj: Any) -> Source:
        target = inspect.unwrap(obj)
        try:
            file = inspect.getsourcefile(target) or "<unknown>"
            line = inspect.getsourcelines(target)[1]
        except (OSError, TypeError):
            file, line = "<unknown>", 0
        module = getattr(target, "__module__", "?")
        qualname = getattr(target, "__qualname__", repr(target))
        return cls(module, qualname, file, line)

    def __str__(self) -> str:
        return f"{self.module}.{self.qualname} ({self.file}:{self.line})"


@dataclass(frozen=True)
class Param:
    """One parameter after ``request``: a GraphQL argument."""

    name: str
    annotation: Any
    default: Any = inspect.Parameter.empty

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty


@dataclass(frozen=True)
class FunctionDef:
    """A registered server function."""

    fn: Callable[..., Any]
    name: str
    params: tuple[Param, ...]
    returns: Any
    kind: Kind
    source: Source
    is_async: bool
    description: str | None = None
    auth: AuthSpec | None = None
    context: str | None = None
    public: bool | None = None
    ttl: int | None = None
    # live=True: the context has a subscription pushing its bundle after invalidations.
    live: bool | None = None
    affects: tuple[str | Callable[..., Any], ...] = field(default=())
    # A query whose arguments must not travel in a URL (form data): refused over GET and
    # never persisted as a GET URL.
    post_only: bool = False
    # Set on the three functions a form generates: which form, and which of them this is.
    form: FormPart | None = None
    # A plug-in's hook: the params that scope this mutation's invalidations, from its
    # arguments and its result; None when it changed nothing. Default: its arguments.
    affected_params: Callable[[dict[str, Any], Any], dict[str, Any] | None] | None = field(
        default=None, compare=False, repr=False
    )
    # rate=: a limit, False for never limited, None for MIZAN["DEFAULT_RATE"]; rate_key=
    # whom a call counts against when not the user or client IP.
    rate: Rate | Literal[False] | None = None
    rate_key: Callable[..., Any] | None = None

    @property
    def context_name(self) -> str | None:
        """The context this function is in; the seed's ``"local"`` names one after it."""
        if self.context == "local":
            return naming.local_context_name(self.name)
        return self.context

    @property
    def is_view(self) -> bool:
        """A view-path function: a Django view in a context, routed by urls.py, not GraphQL."""
        from django.http import HttpResponseBase

        returns = self.returns
        return isinstance(returns, type) and issubclass(returns, HttpResponseBase)

    @property
    def field_name(self) -> str:
        """``contact.submit`` → ``contactSubmit``: the root field in GraphQL."""
        return naming.field_name(self.name)

    @property
    def operation_name(self) -> str:
        """``contact.submit`` → ``ContactSubmit``: the name of its persisted operation."""
        return naming.operation_name(self.name)


@dataclass(frozen=True)
class ChannelDef:
    """A registered ``ReactChannel``: a subscription, and a mutation when clients may send.

    ``subscription`` and ``send`` are ordinary :class:`FunctionDef` s derived from
    the channel, so the compiler types, validates and serves them like any function.
    """

    cls: type
    name: str  # ``chatChannel``: the subscription's root field
    source: Source
    params: type | None  # the ``Params`` model; None for a channel without params
    message: type  # ``DjangoMessage``: what the server broadcasts
    react_message: type | None  # ``ReactMessage``: what a client may send, if anything
    subscription: FunctionDef
    send: FunctionDef | None = None
    description: str | None = None
    # The plug-in's hook: given the compiled subscription field and the function's call
    # (the runtime's), make the field serve the channel. The core never imports channels.
    install: Callable[..., None] | None = field(default=None, compare=False, repr=False)

    @property
    def field_name(self) -> str:
        return self.subscription.field_name


# --- rates ---------------------------------------------------------------------------

UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
UNIT_NAMES = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}
_RATE = re.compile(r"(\d+)/(\d*)([a-z]+)")


@dataclass(frozen=True)
class Rate:
    """``calls`` per ``seconds``; ``str()`` gives the text it was parsed from, normalised."""

    calls: int
    seconds: int

    @classmethod
    def parse(cls, text: object) -> Rate:
        """``"5/m"`` → ``Rate(5, 60)``; a :class:`ValueError` that says what to write."""
        match = _RATE.fullmatch(text.replace(" ", "").lower()) if isinstance(text, str) else None
        unit = _unit(match[3]) if match else None
        if match is None or unit is None:
            raise ValueError(
                f"{text!r} is not a rate. Write calls per period, e.g. '5/m': s, m, h or d "
                "for a second, minute, hour or day, and '10/5m' for ten per five minutes."
            )
        calls, times = int(match[1]), int(match[2] or 1)
        if calls < 1 or times < 1:
            raise ValueError(
                f"{text!r} allows no call at all. Write at least '1/{match[3]}'; a function "
                "nobody may call should not be registered."
            )
        return cls(calls, times * UNITS[unit])

    def __str__(self) -> str:
        for seconds, unit in sorted(UNIT_NAMES.items(), reverse=True):
            if self.seconds % seconds == 0:
                times = self.seconds // seconds
                return f"{self.calls}/{times if times > 1 else ''}{unit[0]}"
        raise AssertionError("every period is a whole number of seconds")

    def describe(self) -> str:
        """``5 per minute``, ``10 per 5 minutes``: for messages."""
        for seconds, unit in sorted(UNIT_NAMES.items(), reverse=True):
            if self.seconds % seconds == 0:
                times = self.seconds // seconds
                return f"{self.calls} per {f'{times} {unit}s' if times > 1 else unit}"
        raise AssertionError("every period is a whole number of seconds")


def _unit(word: str) -> str | None:
    if word in UNITS:
        return word
    if len(word) > 3 and word.endswith("s") and word[:-1] in UNITS:  # "minutes", not "ms"
        return word[:-1]
    return None
