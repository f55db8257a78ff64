"""Every name mizan derives, each by one function, and the check that no two things share one.

A function registered as ``contact.submit`` is the root field ``contactSubmit``,
the persisted operation ``ContactSubmit`` and, in the generated TypeScript
client, the hook ``useContactSubmit``. A context ``user`` is read by the
operation ``UserContext`` and provided by ``<UserProvider>``. Every module that
needs one of these names asks here, so no two places can ever disagree.

:class:`Names` records who claimed each name; :func:`check_names` claims every
name a registry derives, so a clash is a start-up error naming both sides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from strawberry.utils.str_converters import to_camel_case

from mizan.exceptions import RegistrationError

if TYPE_CHECKING:
    from mizan.definitions import ChannelDef, FunctionDef, Source

_PARTS = re.compile(r"[._]+")
_FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

#: What every generated TypeScript client exports besides the derived names.
RESERVED_EXPORTS = {
    "MizanProvider": "the provider every generated client exports (mizan's own)",
    "useMizan": "mizan's own hook reading the provider",
    "MizanRequestError": "the error class mizan's runtime throws",
    "schema": "the generated client's schema description",
}


def _upper_first(word: str) -> str:
    return word[:1].upper() + word[1:]


def _lower_first(word: str) -> str:
    return word[:1].lower() + word[1:]


def camel(name: str) -> str:
    """``contact.submit`` / ``user_profile`` → ``contactSubmit`` / ``userProfile``: dots and
    underscores separate words; each word after the first gets a capital; the rest of each
    word is kept as written."""
    first, *rest = (part for part in _PARTS.split(name) if part)
    return first + "".join(_upper_first(part) for part in rest)


def pascal(name: str) -> str:
    """``contact.submit`` → ``ContactSubmit``."""
    return _upper_first(camel(name))


# --- GraphQL ----------------------------------------------------------------------------


def check_function_name(name: object, source: Source) -> str:
    """``name`` if it can name a function (Python identifiers joined by dots)."""
    if not isinstance(name, str) or not _FUNCTION_NAME.match(name):
        raise RegistrationError(
            f"{source}: {name!r} is not a valid mizan function name. Use Python identifiers "
            "joined by dots, e.g. 'echo' or 'contact.submit'."
        )
    return name


def field_name(function: str) -> str:
    """A function's root field: ``contact.submit`` → ``contactSubmit``."""
    return camel(function)


def operation_name(function: str) -> str:
    """A function's persisted operation: ``contact.submit`` → ``ContactSubmit``."""
    return pascal(function)


def argument_name(param: str) -> str:
    """A parameter's (or a model field's) GraphQL name: ``user_id`` → ``userId``.

    Strawberry's own rule, which it applies to every field it converts, so an
    argument mizan names and a field Strawberry names never differ."""
    return to_camel_case(param)


def context_operation_name(context: str) -> str:
    """The operation reading a whole context: ``user_profile`` → ``UserProfileContext``."""
    return pascal(context) + "Context"


def context_subscription_name(context: str) -> str:
    """A live context's subscription field: ``user`` → ``userContext``."""
    return camel(context) + "Context"


def context_bundle_type_name(context: str) -> str:
    """The type a live context's subscription sends: ``user`` → ``UserContextBundle``."""
    return pascal(context) + "ContextBundle"


def context_live_operation_name(context: str) -> str:
    """The persisted operation subscribing to a live context: ``user`` → ``UserContextLive``."""
    return pascal(context) + "ContextLive"


def live_group_name(context: str) -> str:
    """The channel-layer group a live context's invalidations are published to:
    ``user`` → ``mizan.live.user`` (context names are ``[a-z][a-z0-9_]*``)."""
    return f"mizan.live.{context}"


#: The channel-layer event type of a live context's published invalidation.
LIVE_MESSAGE_TYPE = "mizan.live.invalidated"


def local_context_name(function: str) -> str:
    """The seed's ``context="local"`` names a context after its function:
    ``shop.greet`` → ``shop_greet``."""
    return function.replace(".", "_").lower()


def arguments_model_name(function: str) -> str:
    """The pydantic model that validates a function's arguments (never in the schema)."""
    return operation_name(function) + "Arguments"


def type_name(cls: type) -> str:
    """A class's GraphQL name: nested classes carry their owner (``ChatChannel.Params`` →
    ``ChatChannelParams``), generic models their arguments (``Page[Item]`` → ``PageItem``)."""
    meta = getattr(cls, "__pydantic_generic_metadata__", None)
    if meta and meta.get("origin"):
        return type_name(meta["origin"]) + "".join(_argument_type_name(a) for a in meta["args"])
    qualname = cls.__qualname__.rpartition("<locals>.")[2]
    return qualname.replace(".", "")


def _argument_type_name(arg: object) -> str:
    if isinstance(arg, type):
        return _upper_first(type_name(arg))
    return "".join(ch for ch in str(arg).title() if ch.isalnum())


def input_type_name(name: str) -> str:
    """``Note`` → ``NoteInput`` (a name that already ends so is kept)."""
    return name if name.endswith("Input") else name + "Input"


# --- forms ------------------------------------------------------------------------------


def form_function_name(form: str, role: str) -> str:
    """``contact``'s ``schema`` / ``validate`` / ``submit`` function: ``contact.submit``."""
    return f"{form}.{role}"


def form_type_prefix(form: str) -> str:
    """What a form's types start with: ``shop.contact_us`` → ``ShopContactUs``."""
    return pascal(form)


def form_context_name(form: str) -> str:
    """The context of a form's schema: ``shop.contact`` → ``shop_contact_form``."""
    return local_context_name(form) + "_form"


def choice_type_name(prefix: str, field: str) -> str:
    """The enum of a choice field's options: (``Contact``, ``topic``) → ``ContactTopicChoice``."""
    return prefix + _upper_first(argument_name(field)) + "Choice"


# --- channels ---------------------------------------------------------------------------


def channel_name(cls: type) -> str:
    """A channel's subscription field: ``ChatChannel`` → ``chatChannel``."""
    return _lower_first(cls.__name__)


def channel_send_name(channel: str) -> str:
    """The function behind a channel's client-sent messages: ``chatChannel.send``, the
    mutation ``chatChannelSend``."""
    return f"{channel}.send"


def message_type_name(message: type) -> str | None:
    """``ChatChannel.DjangoMessage`` → ``ChatChannelMessage``: what subscribers receive is the
    channel's message; "Django" says who sends it, which a client need not read. None for a
    message class declared elsewhere (it keeps its :func:`type_name`)."""
    owner, _, name = message.__qualname__.rpartition(".")
    if owner and name == "DjangoMessage":
        return type_name(message).removesuffix("DjangoMessage") + "Message"
    return None


# --- the generated TypeScript client ----------------------------------------------------


def hook_name(function: str) -> str:
    """A function's React hook: ``user_profile`` → ``useUserProfile``."""
    return "use" + operation_name(function)


def provider_name(context: str) -> str:
    """A named context's provider component: ``user`` → ``UserProvider``."""
    return pascal(context) + "Provider"


def prop_name(param: str) -> str:
    """A key param as a provider's prop: ``user_id`` → ``userId``."""
    return argument_name(param)


def form_hook_name(form: str) -> str:
    """A form's hook: ``contact`` → ``useContactForm``."""
    return "use" + form_type_prefix(form) + "Form"


def form_fields_name(form: str) -> str:
    """A form's field facts (numbers, files, initial values) in ``forms.ts``: ``contact`` →
    ``contactFields``."""
    return camel(form) + "Fields"


def form_schema_name(form: str) -> str:
    """A form's Zod schema: ``contact`` → ``contactFormSchema``."""
    return camel(form) + "FormSchema"


def channel_hook_name(channel: str) -> str:
    """A channel's hook: ``chatChannel`` → ``useChatChannel``."""
    return "use" + _upper_first(channel)


# --- clashes ----------------------------------------------------------------------------


class Names:
    """Who claimed each derived name, per namespace; a second claimant is an error."""

    def __init__(self) -> None:
        self._owners: dict[tuple[str, str], str] = {}

    def claim(self, namespace: str, name: str, owner: str) -> None:
        other = self._owners.setdefault((namespace, name), owner)
        if other != owner:
            raise RegistrationError(
                f"Two things would both be the {namespace} {name!r}: {other}, and {owner}. "
                "Rename one of them (register(fn, 'name'), the context's name, the form's "
                "MizanFormMeta(name=...) or the channel's class)."
            )


def check_names(functions: Iterable[FunctionDef], channels: Iterable[ChannelDef] = ()) -> Names:
    """Claim every name the registry derives (root fields, arguments, operations, the
    TypeScript client's exports) for ``functions`` (channels' own included); the first
    clash raises, naming both sides."""
    names = Names()
    forms: dict[str, str] = {}
    contexts: dict[str, None] = {}
    live: dict[str, None] = {}
    channels = list(channels)
    channel_fns = {id(d) for c in channels for d in (c.subscription, c.send) if d is not None}
    for fn in functions:
        what = f"{fn.source} registered as {fn.name!r}"
        if fn.is_view:
            continue
        if fn.context_name is not None:
            contexts.setdefault(fn.context_name)
            if fn.live:
                live.setdefault(fn.context_name)
        names.claim("root field", field_name(fn.name), what)
        for param in fn.params:
            names.claim(
                f"argument of {field_name(fn.name)}",
                argument_name(param.name),
                f"{what}, parameter {param.name!r}",
            )
        if fn.kind.value != "subscription":
            names.claim("operation", operation_name(fn.name), what)
        if fn.form is not None:
            forms.setdefault(fn.form.spec.name, f"the form {fn.form.spec.name!r} ({fn.source})")
        elif id(fn) not in channel_fns:
            names.claim("TypeScript client export", hook_name(fn.name), what)
    for context in contexts:
        where = f"the context {context!r}"
        names.claim("operation", context_operation_name(context), f"{where}'s bundle")
        if context != "global":
            names.claim("TypeScript client export", provider_name(context), where)
    for context in live:
        where = f"the live context {context!r}"
        names.claim("root field", context_subscription_name(context), f"{where}'s subscription")
        names.claim("operation", context_live_operation_name(context), f"{where}'s subscription")
    for name, owner in RESERVED_EXPORTS.items():
        names.claim("TypeScript client export", name, owner)
    for form, where in forms.items():
        names.claim("TypeScript client export", form_hook_name(form), where)
    for channel in channels:
        names.claim(
            "TypeScript client export",
            channel_hook_name(channel.name),
            f"the channel {channel.source}",
        )
    return names
