"""What a channel's subscription, its send mutation and ``send()`` share: calling the
channel's hooks, and naming its groups."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pydantic
from asgiref.sync import sync_to_async

from mizan.definitions import ChannelDef
from mizan.exceptions import ChannelSendError, Forbidden

from .groups import group_name

if TYPE_CHECKING:
    from .channel import ReactChannel

MESSAGE_TYPE = "mizan.channel.message"  # the channel-layer event type every broadcast uses


async def call_hook(hook: Callable[..., Any], *args: Any) -> Any:
    """Await an async hook; run a sync one in Django's sync thread (it may use the ORM)."""
    result = hook(*args) if inspect.iscoroutinefunction(hook) else await sync_to_async(hook)(*args)
    return await result if inspect.isawaitable(result) else result


async def authorize(channel: ReactChannel, params: Any) -> None:
    if not await call_hook(channel.authorize, params):
        raise Forbidden(
            f"You may not use the channel {shown_name(type(channel))!r} with these params."
        )


async def group_of(channel: ReactChannel, params: Any) -> str:
    # Called without a thread hop: group() is a function of params, run on every send.
    raw = channel.group(params)
    return checked_group(channel, await raw if inspect.isawaitable(raw) else raw)


async def await_text(awaitable: Awaitable[str]) -> str:
    return await awaitable


def checked_group(channel: ReactChannel, raw: object) -> str:
    if not isinstance(raw, str):
        raise TypeError(
            f"{shown_name(type(channel))}.group() returned {raw!r}; it must return a str."
        )
    return group_name(_definition_of(type(channel)).name, raw)


def parse_params(cls: type[ReactChannel], data: dict[str, Any]) -> Any:
    """``Params`` validated from ``data``; a pydantic error propagates."""
    model: type[pydantic.BaseModel] | None = getattr(cls, "Params", None)
    return None if model is None else model.model_validate(data)


def _definition_of(cls: type[ReactChannel]) -> ChannelDef:
    if "_mizan_definition" not in cls.__dict__:
        raise ChannelSendError(
            f"{shown_name(cls)} is declared abstract=True: it has no subscribers to send to."
        )
    return cls._mizan_definition


def shown_name(cls: type) -> str:
    return cls.__qualname__.rpartition("<locals>.")[2]
