"""The typed, frozen description of one server function: what everything downstream reads.

The compiler, the views, the manifest and (later) the client generator never
look at a user's function directly; they read its :class:`FunctionDef`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from mizan import naming

if TYPE_CHECKING:
    from mizan.forms.spec import FormPart
    from mizan.ratelimit import Rate

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
    affects: tuple[str | Callable[..., Any], ...] = field(default=())
    # A query whose arguments must not travel in a URL (form data): refused over GET and
    # never persisted as a GET URL.
    post_only: bool = False
    # Set on the three functions a form generates: which form, and which of them this is.
    form: FormPart | None = None
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

    @property
    def field_name(self) -> str:
        return self.subscription.field_name
