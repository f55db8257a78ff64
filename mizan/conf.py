"""mizan's settings: one ``MIZAN = {...}`` dict, read on every access.

Reading ``django.conf.settings`` lazily means ``override_settings(MIZAN=...)``
just works in tests.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.core.signals import setting_changed
from django.dispatch import receiver

DEFAULTS: dict[str, Any] = {
    # Serve GraphiQL to browsers that `GET graphql/` asking for `text/html`; `False`: a 404.
    "GRAPHIQL": True,
    # Answer introspection (`__schema`, `__type`); switch off in production if you do not
    # publish the schema.
    "INTROSPECTION": True,
    # The deepest selection nesting a document may have.
    "MAX_DEPTH": 12,
    # The most tokens a document may have (checked while parsing).
    "MAX_TOKENS": 5000,
    # The most aliases a document may use.
    "MAX_ALIASES": 30,
    # Documents whose parse and validation results are kept (LRU; also capped at 1 MiB of
    # document text).
    "DOCUMENT_CACHE_SIZE": 512,
    # The Django cache (a key of `settings.CACHES`) holding context functions' results.
    "CACHE_ALIAS": "default",
    # Seconds a context's entries live unless the context declares `ttl=`.
    "CONTEXT_TTL": 300,
    # Path of a JSON file `{id: document}` of trusted client documents (as GraphQL codegen's
    # persisted-documents output writes it).
    "PERSISTED_DOCUMENTS": "",
    # Production: run only persisted and trusted documents; GraphiQL and introspection off.
    "TRUSTED_DOCUMENTS_ONLY": False,
    # Let clients register documents by hash (Apollo's automatic persisted queries; never
    # in trusted-only mode).
    "AUTOMATIC_PERSISTED_QUERIES": True,
    # The longest persisted GET URL (path and query) served; longer gets a 414.
    "MAX_URL_LENGTH": 2048,
    # Response headers naming a public response's surrogate keys, one per CDN spelling.
    "SURROGATE_KEY_HEADERS": ["xkey", "Surrogate-Key", "Cache-Tag"],
    # Add `X-Mizan-Cache` (hit or miss, keys, scope) to persisted responses.
    "DEBUG_HEADERS": False,
    # The largest multipart request (all its uploaded files together), in bytes; larger
    # gets a 413.
    "MAX_UPLOAD_SIZE": 10 * 1024 * 1024,
    # Operations one WebSocket may hold at once; one more gets `TOO_MANY_SUBSCRIPTIONS`.
    "CHANNELS_MAX_SUBSCRIPTIONS": 100,
    # The largest frame a client may send (else close 4413) and the largest message a
    # channel may broadcast, as JSON (else `ChannelSendError`).
    "CHANNELS_MAX_MESSAGE_BYTES": 65536,
    # Pages on other origins that may open WebSockets, e.g.
    # `["http://localhost:5173"]`; `["*"]` for any.
    "CHANNELS_ALLOWED_ORIGINS": [],
    # CDN purgers run after commit, each
    # `{"BACKEND": "mizan.edge.purgers.Varnish", ...}`.
    "PURGERS": [],
    # Seconds a request that invalidated waits for its purges to be acknowledged (`0`: never).
    "PURGE_WAIT": 1.0,
    # Socket timeout, in seconds, of each purge request.
    "PURGE_TIMEOUT": 2.0,
    # Retries of a purge request after a network error, a timeout, a 429 or a 5xx.
    "PURGE_RETRIES": 3,
    # Batches waiting per purger; past it a batch is dropped and logged.
    "PURGE_QUEUE_SIZE": 1000,
    # The edge manifest's `view_urls` for the purgers, for view-path functions the URLconf
    # cannot express:
    # `{"profile_page": "/profile/:user_id/"}`.
    "EDGE_VIEW_URLS": {},
    # The rate of every function without a rate= of its own ("100/m"); None: no limit.
    # Counted in CACHE_ALIAS's cache, per function and caller.
    "DEFAULT_RATE": None,
    # Proxies (addresses or CIDR networks) whose CLIENT_IP_HEADER is believed: the client
    # IP that rate limits count by is the nearest address in it that is not one of them.
    "TRUSTED_PROXIES": [],
    # The header trusted proxies name the client in, read right to left.
    "CLIENT_IP_HEADER": "X-Forwarded-For",
}


class Settings:
    """Attribute access to ``settings.MIZAN`` merged over :data:`DEFAULTS`.

    The merge is kept until Django says the setting changed (``override_settings``
    and pytest-django's ``settings`` send ``setting_changed``): a hot path reads
    several settings per request."""

    _merged: dict[str, Any] | None = None

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"mizan has no setting {name!r}")
        merged = self._merged
        if merged is None:
            user = getattr(django_settings, "MIZAN", None)
            merged = self._merged = {**DEFAULTS, **(user if isinstance(user, dict) else {})}
        return merged[name]

    def reload(self) -> None:
        self._merged = None


mizan_settings = Settings()


@receiver(setting_changed)
def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting == "MIZAN":
        mizan_settings.reload()
