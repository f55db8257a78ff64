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
    # Serve GraphiQL to browsers that GET graphql/ asking for text/html.
    "GRAPHIQL": True,
    # Answer introspection queries (__schema, __type).
    "INTROSPECTION": True,
    # Limits checked on every document before it runs.
    "MAX_DEPTH": 12,
    "MAX_TOKENS": 5000,
    "MAX_ALIASES": 30,
    # Documents whose parse and validation results are kept (LRU).
    "DOCUMENT_CACHE_SIZE": 512,
    # The Django cache (a key of settings.CACHES) holding context functions' results.
    "CACHE_ALIAS": "default",
    # Seconds a context's entries live unless the context declares ttl=.
    "CONTEXT_TTL": 300,
    # A JSON file {id: document} of trusted client documents (as GraphQL codegen emits it).
    "PERSISTED_DOCUMENTS": "",
    # Production: run only persisted and trusted documents; GraphiQL and introspection off.
    "TRUSTED_DOCUMENTS_ONLY": False,
    # Accept Apollo's automatic persisted queries (registering new documents by hash).
    "AUTOMATIC_PERSISTED_QUERIES": True,
    # Longest persisted GET URL (path and query) served; longer gets a 414.
    "MAX_URL_LENGTH": 2048,
    # Response headers naming a public response's surrogate keys, one per CDN spelling.
    "SURROGATE_KEY_HEADERS": ["xkey", "Surrogate-Key", "Cache-Tag"],
    # Add X-Mizan-Cache (hit or miss, keys, scope) to persisted responses.
    "DEBUG_HEADERS": False,
    # Largest multipart request (all its uploaded files together), in bytes.
    "MAX_UPLOAD_SIZE": 10 * 1024 * 1024,
    # Channels (WebSocket subscriptions): subscriptions one connection may hold at once,
    # the largest frame a client may send and the largest message a channel may
    # broadcast (bytes of JSON), and the pages on other origins that may connect.
    "CHANNELS_MAX_SUBSCRIPTIONS": 100,
    "CHANNELS_MAX_MESSAGE_BYTES": 65536,
    "CHANNELS_ALLOWED_ORIGINS": [],
    # CDN purgers run after commit: [{"BACKEND": "mizan.edge.purgers.Varnish", ...}, ...].
    "PURGERS": [],
    # Seconds a request that invalidated waits for its purges to be acknowledged (0: never).
    "PURGE_WAIT": 1.0,
    # Socket timeout, in seconds, of each purge request; then retries with backoff.
    "PURGE_TIMEOUT": 2.0,
    "PURGE_RETRIES": 3,
    # Batches waiting per purger; past it a batch is dropped and logged.
    "PURGE_QUEUE_SIZE": 1000,
    # The edge manifest's view_urls, for view-path functions the URLconf cannot express.
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
