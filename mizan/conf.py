"""mizan's settings: one ``MIZAN = {...}`` dict in your settings, read through typed attributes.

    from mizan.conf import mizan_settings
    mizan_settings.MAX_DEPTH          # int: MIZAN["MAX_DEPTH"], or its default

Each key is declared once below, as a :class:`Setting` with its default and
what it does; :data:`SETTINGS` lists them in order (the settings reference is
generated from it), ``manage.py check`` warns about keys that are not there.
Values are read from ``django.conf.settings`` when first used and again after
``setting_changed`` (sent by ``override_settings`` and pytest-django's
``settings``), so tests can change them freely.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar, overload

from django.conf import settings as django_settings

T = TypeVar("T")


class Setting(Generic[T]):
    """One key of ``settings.MIZAN``: its default, the types it accepts, what it does."""

    name: str

    def __init__(
        self, default: T, doc: str, *, accepts: type | tuple[type, ...] | None = None
    ) -> None:
        self.default = default
        self.doc = doc
        #: What ``manage.py check`` accepts (mizan.E002); the default's type unless given.
        self.accepts: type | tuple[type, ...] = accepts or type(default)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> Setting[T]: ...
    @overload
    def __get__(self, instance: Settings, owner: type) -> T: ...
    def __get__(self, instance: Settings | None, owner: type) -> Setting[T] | T:
        if instance is None:
            return self
        # A non-data descriptor: load() stores every value on the instance, so later reads
        # are plain attribute lookups until reload() clears them (a hot path reads several).
        return instance.load()[self.name]  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"Setting({self.name}={self.default!r})"


class Settings:
    """Attribute access to ``settings.MIZAN``, each key typed and defaulted."""

    GRAPHIQL = Setting(
        True,
        "Serve GraphiQL to browsers that `GET graphql/` asking for `text/html`; `False`: a 404.",
    )
    INTROSPECTION = Setting(
        True,
        "Answer introspection (`__schema`, `__type`); switch off in production if you do not "
        "publish the schema.",
    )
    MAX_DEPTH = Setting(
        12, "The deepest selection nesting a document may have, its fragments expanded."
    )
    MAX_TOKENS = Setting(5000, "The most tokens a document may have (counted before parsing).")
    MAX_DOCUMENT_LENGTH = Setting(
        100_000,
        "The longest document a request may send, in characters, checked before parsing: "
        "graphql-core reads a comment or a string at ~0.1 µs a character.",
    )
    MAX_ALIASES = Setting(30, "The most aliases a document may use, its fragments expanded.")
    MAX_SELECTIONS = Setting(
        1000,
        "The most fields, fragment spreads and inline fragments a document may select, its "
        "fragments expanded (a fragment spread twice counts twice).",
    )
    MAX_REPEATED_FIELDS = Setting(
        20,
        "The most times one object field (a response path with selections of its own) may be "
        "selected in a document, its fragments expanded: validation compares every pair.",
    )
    MAX_VARIABLES_DEPTH = Setting(
        20, "The most levels of lists and objects a request's variables may nest."
    )
    MAX_BODY_BYTES = Setting(
        1024 * 1024,
        "The largest request body (a JSON `POST`), in bytes; larger gets a 413. Multipart "
        "uploads have `MAX_UPLOAD_SIZE`.",
    )
    EXTENSIONS: Setting[Sequence[Any]] = Setting(
        [],
        "Strawberry schema extensions run on every operation, on every transport: classes "
        "(or factories, or dotted paths to them), one instance made per operation; an "
        "instance is refused. `on_parse`/`on_validate` run on a document-cache miss only.",
        accepts=(list, tuple),
    )
    DOCUMENT_CACHE_SIZE = Setting(
        512,
        "Documents whose parse and validation results are kept (LRU; also capped at 1 MiB of "
        "document text).",
    )
    CACHE_ALIAS = Setting(
        "default",
        "The Django cache (a key of `settings.CACHES`) holding context functions' results.",
    )
    CONTEXT_TTL = Setting(
        300, "Seconds a context's entries live unless the context declares `ttl=`."
    )
    INVALIDATION_RETRIES = Setting(
        3,
        "Retries (with backoff from 50 ms, doubling) of an invalidation the cache refuses; "
        "after the last, the entries it meant to drop stay until they expire (their `ttl`).",
    )
    PERSISTED_DOCUMENTS: Setting[str | os.PathLike[str]] = Setting(
        "",
        "Path of a JSON file `{id: document}` of trusted client documents (as GraphQL codegen's "
        "persisted-documents output writes it).",
        accepts=(str, os.PathLike),
    )
    TRUSTED_DOCUMENTS_ONLY = Setting(
        False,
        "Production: run only persisted and trusted documents; GraphiQL and introspection off.",
    )
    AUTOMATIC_PERSISTED_QUERIES = Setting(
        True,
        "Let clients register documents by hash (Apollo's automatic persisted queries; never in "
        "trusted-only mode).",
    )
    MAX_URL_LENGTH = Setting(
        2048, "The longest persisted GET URL (path and query) served; longer gets a 414."
    )
    SURROGATE_KEY_HEADERS: Setting[Sequence[str]] = Setting(
        ["xkey", "Surrogate-Key", "Cache-Tag"],
        "Response headers naming a public response's surrogate keys, one per CDN spelling.",
        accepts=(list, tuple),
    )
    DEBUG_HEADERS = Setting(
        False, "Add `X-Mizan-Cache` (hit or miss, keys, scope) to persisted responses."
    )
    EARLY_ANSWER = Setting(
        True,
        "Under ASGI (`wrap_asgi`), answer a public persisted GET whose response is stored before "
        "Django's handler and middleware, as an edge would; `False`: every request reaches Django.",
    )
    MAX_UPLOAD_SIZE = Setting(
        10 * 1024 * 1024,
        "The largest multipart request (all its uploaded files together), in bytes; larger gets a "
        "413.",
    )
    CHANNELS_MAX_SUBSCRIPTIONS = Setting(
        100, "Operations one WebSocket may hold at once; one more gets `TOO_MANY_SUBSCRIPTIONS`."
    )
    CHANNELS_MAX_MESSAGE_BYTES = Setting(
        65536,
        "The largest frame a client may send (else close 4413) and the largest message a channel "
        "may broadcast, as JSON (else `ChannelSendError`).",
    )
    CHANNELS_ALLOWED_ORIGINS: Setting[Sequence[str]] = Setting(
        [],
        'Pages on other origins that may open WebSockets, e.g. `["http://localhost:5173"]`; '
        '`["*"]` for any.',
        accepts=(list, tuple),
    )
    PURGERS: Setting[Sequence[Mapping[str, Any]]] = Setting(
        [],
        'CDN purgers run after commit, each `{"BACKEND": "mizan.edge.purgers.Varnish", ...}`.',
        accepts=(list, tuple),
    )
    PURGE_WAIT: Setting[float] = Setting(
        1.0,
        "Seconds a request that invalidated waits for its purges to be acknowledged (`0`: never).",
        accepts=(int, float),
    )
    PURGE_REPEAT_DELAY: Setting[float] = Setting(
        0.5,
        "Seconds after a purge when each purger sends it once more, for responses computed "
        "before the commit that reached the CDN after the first purge (`0`: never).",
        accepts=(int, float),
    )
    PURGE_TIMEOUT: Setting[float] = Setting(
        2.0, "Socket timeout, in seconds, of each purge request.", accepts=(int, float)
    )
    PURGE_RETRIES = Setting(
        3, "Retries of a purge request after a network error, a timeout, a 429 or a 5xx."
    )
    PURGE_QUEUE_SIZE = Setting(
        1000, "Batches waiting per purger; past it a batch is dropped and logged."
    )
    EDGE_VIEW_URLS: Setting[Mapping[str, str | Sequence[str]]] = Setting(
        {},
        "The edge manifest's `view_urls` for the purgers, for view-path functions the URLconf "
        'cannot express: `{"profile_page": "/profile/:user_id/"}`.',
    )
    DEFAULT_RATE: Setting[str | None] = Setting(
        None,
        'The rate limit of every function without a `rate=` of its own, e.g. `"300/m"`, counted '
        "per function and caller in `CACHE_ALIAS`'s cache; `None`: no limit.",
        accepts=(str, type(None)),
    )
    TRUSTED_PROXIES: Setting[Sequence[str]] = Setting(
        [],
        'Proxies (addresses or CIDR networks, e.g. `["10.0.0.0/8"]`) whose `CLIENT_IP_HEADER` '
        "is believed: rate limits count by the nearest address in it that is not one of them.",
        accepts=(list, tuple),
    )
    CLIENT_IP_HEADER = Setting(
        "X-Forwarded-For",
        "The header trusted proxies name the client in, read right to left.",
    )
    ACCOUNT_URLS: Setting[Mapping[str, str]] = Setting(
        {
            "verify_email": "/account/verify-email/{key}/",
            "reset_password": "/account/reset-password/{key}/",
        },
        "mizan.contrib.allauth: the front-end pages that allauth's verification and password "
        'reset emails link to, each with `{key}` where the key goes: `{"verify_email": …, '
        '"reset_password": …}`. A path is made absolute with the request\'s host.',
    )

    @classmethod
    def declared(cls) -> tuple[Setting[Any], ...]:
        """Every key, in declaration order."""
        return tuple(v for v in vars(cls).values() if isinstance(v, Setting))

    def load(self) -> dict[str, Any]:
        """Merge ``settings.MIZAN`` over the defaults and keep it until :meth:`reload`."""
        user = getattr(django_settings, "MIZAN", None)
        if not isinstance(user, dict):  # mizan.E001 reports it
            user = {}
        values = {
            s.name: user[s.name] if s.name in user else copy.copy(s.default) for s in SETTINGS
        }
        vars(self).update(values)
        return values

    def reload(self, **kwargs: Any) -> None:
        """Forget the values read; the next access reads ``settings.MIZAN`` again.

        Connected to ``setting_changed`` by ``MizanConfig.ready()``."""
        if kwargs.get("setting", "MIZAN") == "MIZAN":
            vars(self).clear()


#: Every setting, in the order of the reference.
SETTINGS: tuple[Setting[Any], ...] = Settings.declared()
#: Each setting's default, by name.
DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}

mizan_settings = Settings()
