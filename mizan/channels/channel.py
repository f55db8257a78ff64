"""``ReactChannel``: a real-time channel declared as a class, served as a GraphQL subscription.

    class ChatChannel(ReactChannel):
        class Params(BaseModel):
            room: str
        class DjangoMessage(BaseModel):
            text: str
        def authorize(self, params): return self.user.is_authenticated
        def group(self, params): return f"chat_{params.room}"

    # subscription { chatChannel(room: "lobby") { text } }
    ChatChannel.send(ChatChannel.DjangoMessage(text="hi"), room="lobby")

A channel is not a consumer: one mizan consumer per WebSocket serves every
channel, so ``send`` here is the class's broadcast and never a consumer's own.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Annotated, Any, ClassVar

import pydantic
from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer  # type: ignore[import-untyped]
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest

from mizan.conf import mizan_settings
from mizan.definitions import ChannelDef, FunctionDef, Kind, Param, Source
from mizan.exceptions import ChannelSendError, RegistrationError
from mizan.naming import channel_name, channel_send_name, check_function_name
from mizan.registry import get_registry
from mizan.runtime.errors import bad_input

from .hooks import (
    MESSAGE_TYPE,
    authorize,
    await_text,
    call_hook,
    checked_group,
    group_of,
    parse_params,
    shown_name,
)
from .subscription import install


class ReactChannel:
    """Subclass to declare a channel; the subclass registers itself.

    ``Params`` (a pydantic model, optional) become the subscription's
    arguments; ``DjangoMessage`` (required) is what the server broadcasts and
    subscribers receive. Define ``ReactMessage`` and ``receive(self, params,
    message)`` to let clients send, through a generated mutation.

    Every hook may be ``def`` or ``async def``; sync hooks run off the event
    loop, so they may use the ORM. ``self.user`` and ``self.request`` are the
    subscriber's (from the WebSocket's session) or the sender's.
    """

    Params: ClassVar[type[pydantic.BaseModel]]
    DjangoMessage: ClassVar[type[pydantic.BaseModel]]
    ReactMessage: ClassVar[type[pydantic.BaseModel]]
    _mizan_definition: ClassVar[ChannelDef]

    def __init__(self, request: HttpRequest | None = None) -> None:
        from django.contrib.auth.models import AnonymousUser  # models: once Django is set up

        self.request = request
        self.user: Any = request.user if request is not None else AnonymousUser()

    def __init_subclass__(cls, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not abstract:  # `class BaseChat(ReactChannel, abstract=True)` shares code, no schema
            get_registry().add_channel(_definition(cls))

    def authorize(self, params: Any) -> bool | Awaitable[bool]:
        """May ``self.user`` subscribe (or send) with these params? Everyone, by default."""
        return True

    def group(self, params: Any) -> str | Awaitable[str]:
        """The group a subscription joins and a ``send`` reaches: one per distinct params,
        by default. Called for every send, without a user: keep it a function of params."""
        if params is None:
            return ""
        return json.dumps(params.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))

    def on_subscribe(self, params: Any) -> Awaitable[None] | None:
        """Called once the subscription has joined its group."""

    def on_unsubscribe(self, params: Any) -> Awaitable[None] | None:
        """Called after the subscription has left its group (complete, or disconnect)."""

    @classmethod
    def send(cls, message: pydantic.BaseModel | Mapping[str, Any], /, **params: Any) -> None:
        """Broadcast ``message`` to the subscribers of ``params``'s group, from sync code.

        Inside a transaction it is sent once the transaction commits, and never
        if it rolls back. The message and params are checked now, in your code.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise ChannelSendError(
                f"{shown_name(cls)}.send() was called from async code; "
                f"use `await {shown_name(cls)}.asend(...)` there."
            )
        layer()  # a configuration mistake surfaces here, not in a commit hook
        channel, parsed, event = _event(cls, message, params)
        raw = channel.group(parsed)
        if inspect.isawaitable(raw):
            raw = async_to_sync(await_text)(raw)
        group = checked_group(channel, raw)
        transaction.on_commit(partial(async_to_sync(_deliver), group, event))

    @classmethod
    async def asend(cls, message: pydantic.BaseModel | Mapping[str, Any], /, **params: Any) -> None:
        """Broadcast ``message`` to the subscribers of ``params``'s group, now."""
        channel, parsed, event = _event(cls, message, params)
        await _deliver(await group_of(channel, parsed), event)


# --- sending -----------------------------------------------------------------------


def _event(
    cls: type[ReactChannel], message: object, params: dict[str, Any]
) -> tuple[ReactChannel, Any, dict[str, Any]]:
    name = shown_name(cls)
    model = cls.DjangoMessage
    if isinstance(message, Mapping):
        try:
            message = model.model_validate(message)
        except pydantic.ValidationError as exc:
            raise ChannelSendError(
                f"{name}.send(): the message is not a valid {shown_name(model)}: {_first(exc)}"
            ) from None
    if not isinstance(message, model):
        raise ChannelSendError(
            f"{name}.send() takes a {shown_name(model)} (or a dict of its fields), "
            f"not {shown_name(type(message))}."
        )
    params_model: type[pydantic.BaseModel] | None = getattr(cls, "Params", None)
    known = set(params_model.model_fields) if params_model is not None else set()
    if unknown := sorted(set(params) - known):
        raise ChannelSendError(
            f"{name}.send() got unknown params {unknown}; its params are {sorted(known)}."
        )
    try:
        parsed = parse_params(cls, params)
    except pydantic.ValidationError as exc:
        raise ChannelSendError(f"{name}.send(): invalid params: {_first(exc)}") from None
    body = message.model_dump_json()
    limit = mizan_settings.CHANNELS_MAX_MESSAGE_BYTES
    if len(body.encode()) > limit:
        raise ChannelSendError(
            f"{name}.send(): the message is {len(body.encode())} bytes of JSON; "
            f"MIZAN['CHANNELS_MAX_MESSAGE_BYTES'] allows {limit}."
        )
    return cls(), parsed, {"type": MESSAGE_TYPE, "message": body}


async def _deliver(group: str, event: dict[str, Any]) -> None:
    await layer().group_send(group, {**event, "group": group})


def layer() -> BaseChannelLayer:
    found = get_channel_layer()
    if found is None:
        raise ImproperlyConfigured(
            "mizan channels need a channel layer and settings.CHANNEL_LAYERS has no 'default'. "
            "Add CHANNEL_LAYERS = {'default': {'BACKEND': "
            "'channels.layers.InMemoryChannelLayer'}} (one process) or channels_redis's "
            "RedisPubSubChannelLayer (several)."
        )
    return found


def _first(exc: pydantic.ValidationError) -> str:
    error = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(p) for p in error["loc"]) or "(root)"
    return f"field {where!r}: {error['msg']}"


# --- registration ------------------------------------------------------------------


def _definition(cls: type[ReactChannel]) -> ChannelDef:
    source = Source.of(cls)
    message = _model(cls, "DjangoMessage", source, required=True)
    assert message is not None
    params_model = _model(cls, "Params", source, required=False)
    react = _model(cls, "ReactMessage", source, required=False)
    receive = getattr(cls, "receive", None)
    if (react is None) != (receive is None):
        has, lacks = (
            ("ReactMessage", "receive()") if receive is None else ("receive()", "ReactMessage")
        )
        raise RegistrationError(
            f"{source}: the channel defines {has} but no {lacks}. Clients send a ReactMessage "
            "and receive(self, params, message) handles it; define both, or neither."
        )
    name = check_function_name(channel_name(cls), source)
    params = _params(params_model)
    doc = cls.__dict__.get("__doc__")
    subscription = FunctionDef(
        fn=cls,
        name=name,
        params=params,
        returns=message,
        kind=Kind.SUBSCRIPTION,
        source=source,
        is_async=True,
        description=inspect.cleandoc(doc) if doc else None,
    )
    send = None
    if react is not None and receive is not None:
        if any(p.name == "message" for p in params):
            raise RegistrationError(
                f"{source}: a Params field is named 'message', which the generated mutation "
                f"{name}Send(..., message) needs for the ReactMessage. Rename the field."
            )
        send = FunctionDef(
            fn=_receiver(cls),
            name=channel_send_name(name),
            params=(*params, Param("message", react)),
            returns=bool,
            kind=Kind.MUTATION,
            source=source,
            is_async=True,
            description=inspect.getdoc(receive) or f"Send a message to the channel {name}.",
        )
    definition = ChannelDef(
        cls=cls,
        name=name,
        source=source,
        params=params_model,
        message=message,
        react_message=react,
        subscription=subscription,
        send=send,
        description=subscription.description,
        install=install,
    )
    cls._mizan_definition = definition
    return definition


def _model(
    cls: type, attribute: str, source: Source, *, required: bool
) -> type[pydantic.BaseModel] | None:
    model = getattr(cls, attribute, None)
    if model is None:
        if required:
            raise RegistrationError(
                f"{source}: a ReactChannel needs a DjangoMessage, the pydantic model of what "
                "it broadcasts: `class DjangoMessage(BaseModel): text: str`. A base class "
                "that only shares code says so: `class Base(ReactChannel, abstract=True)`."
            )
        return None
    if not (isinstance(model, type) and issubclass(model, pydantic.BaseModel)):
        raise RegistrationError(
            f"{source}: {attribute} must be a pydantic model (a BaseModel subclass), not {model!r}."
        )
    return model


def _params(model: type[pydantic.BaseModel] | None) -> tuple[Param, ...]:
    if model is None:
        return ()
    params = []
    for fname, info in model.model_fields.items():
        annotation: Any = info.annotation
        if info.metadata:  # constraints such as max_length stay with the argument
            annotation = Annotated[(annotation, *info.metadata)]
        default = (
            inspect.Parameter.empty
            if info.is_required()
            else info.get_default(call_default_factory=True)
        )
        params.append(Param(fname, annotation, default))
    return tuple(params)


def _receiver(cls: type[ReactChannel]) -> Callable[..., Awaitable[bool]]:
    """The function behind ``<channel>Send``: validate, authorize, ``receive``."""

    async def receive(request: HttpRequest, **kwargs: Any) -> bool:
        message = kwargs.pop("message")
        try:
            params = parse_params(cls, kwargs)
        except pydantic.ValidationError as exc:
            raise bad_input(exc) from None
        channel = cls(request)
        await authorize(channel, params)
        await call_hook(channel.receive, params, message)  # type: ignore[attr-defined]
        return True

    receive.__name__ = receive.__qualname__ = f"{cls.__qualname__}.receive"
    receive.__module__ = cls.__module__
    return receive
