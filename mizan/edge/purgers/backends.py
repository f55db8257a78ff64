"""The purgers mizan ships: generic HTTP ``PURGE``, Varnish, Cloudflare and Fastly.

Each turns one resolved :class:`~mizan.edge.resolve.Purge` (URL paths from the edge
manifest, surrogate keys from :func:`~mizan.edge.keys.surrogate_key`) into the requests
its CDN documents.
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import quote, urlsplit

from mizan.edge.purgers.base import (
    Option,
    Purger,
    Request,
    Response,
    chunks,
    default_accepted,
    error_for,
)
from mizan.edge.resolve import Purge
from mizan.exceptions import PurgeError

#: Varnish refuses request headers longer than its http_req_hdr_len (8 KB by default).
XKEY_HEADER_BYTES = 6000

_BASE_URL = Option(str, "", help="the site's origin as the CDN serves it, https://example.com")


class HTTP(Purger):
    """``PURGE <url>`` for each purged URL: to each of ``SERVERS`` with the site's Host
    header (nginx, Squid, Varnish without xkey), or to the URL itself when none is given."""

    name = "http"
    OPTIONS: ClassVar[dict[str, Option]] = {
        "BASE_URL": _BASE_URL,
        "SERVERS": Option((list, tuple), (), help="cache servers, ['http://10.0.0.5:6081']"),
        "METHOD": Option(str, "PURGE"),
        "HEADERS": Option(dict, {}, secret=True, help="extra headers, e.g. a shared secret"),
    }

    def requests(self, purge: Purge) -> list[Request]:
        return [
            request
            for path in purge.urls
            for request in self.url_requests(self.options["METHOD"], path, {})
        ]

    def url_requests(self, method: str, path: str, headers: dict[str, str]) -> list[Request]:
        headers = {**self.options["HEADERS"], **headers}
        servers = [str(s).rstrip("/") for s in self.options["SERVERS"]]
        if not servers:
            return [Request(method, self.absolute(path), headers)]
        host = urlsplit(self.options["BASE_URL"]).netloc
        if host:
            headers["Host"] = host
        return [Request(method, server + path, headers) for server in servers]

    def accepted(self, request: Request, response: Response) -> int | None:
        if response.status == 404:  # nothing was cached under that URL: nothing to purge
            return 0
        if response.status in (401, 403, 405):
            raise refused(request, response)
        return default_accepted(response)


class Varnish(HTTP):
    """Varnish with the VCL mizan ships (``mizan/edge/varnish/mizan.vcl``): one
    ``PURGE`` per server with an ``xkey-purge`` header naming the keys, and optionally a
    ``PURGE`` per URL."""

    name = "varnish"
    OPTIONS: ClassVar[dict[str, Option]] = {
        "BASE_URL": _BASE_URL,
        "SERVERS": Option((list, tuple), help="Varnish listeners, ['http://127.0.0.1:6081']"),
        "KEYS": Option(bool, True, help="purge by surrogate key (xkey)"),
        "URLS": Option(bool, False, help="also PURGE each URL from the manifest"),
        "SOFT": Option(bool, False, help="xkey soft purge: stale copies stay for grace"),
        "HEADERS": Option(dict, {}, secret=True),
    }

    def requests(self, purge: Purge) -> list[Request]:
        requests: list[Request] = []
        header = "xkey-softpurge" if self.options["SOFT"] else "xkey-purge"
        if self.options["KEYS"]:
            for group in _by_length(purge.keys, XKEY_HEADER_BYTES):
                requests += self.url_requests("PURGE", "/", {header: " ".join(group)})
        if self.options["URLS"]:
            for path in purge.urls:
                requests += self.url_requests("PURGE", path, {})
        return requests

    def accepted(self, request: Request, response: Response) -> int | None:
        if response.status in (401, 403, 405):
            raise refused(request, response)
        if response.status != 200:
            raise error_for(response, response.body.decode(errors="replace"))
        count = response.headers.get("x-mizan-purged")
        return int(count) if count and count.isdigit() else None


class Cloudflare(Purger):
    """Cloudflare's ``POST /zones/{zone_id}/purge_cache``: ``{"files": [...]}`` in
    batches of ``BATCH_SIZE`` absolute URLs, and/or ``{"tags": [...]}`` (the keys mizan
    sends in ``Cache-Tag``)."""

    name = "cloudflare"
    OPTIONS: ClassVar[dict[str, Option]] = {
        "ZONE_ID": Option(str, help="the zone's id, from its Overview page"),
        "API_TOKEN": Option(str, secret=True, help="a token with the Cache Purge permission"),
        "BASE_URL": Option(str, "", help="the site's origin, https://example.com"),
        "URLS": Option(bool, True, help="purge by URL"),
        "TAGS": Option(bool, False, help="purge by Cache-Tag"),
        "BATCH_SIZE": Option(int, 30, help="URLs or tags per call: 30 on most plans"),
        "API_URL": Option(str, "https://api.cloudflare.com/client/v4"),
    }

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        if self.options["URLS"] and not self.options["BASE_URL"]:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                "MIZAN['PURGERS'] entry for mizan.edge.purgers.Cloudflare: BASE_URL is "
                "required to purge by URL (Cloudflare purges absolute URLs), e.g. "
                "'https://example.com'; or set URLS=False and TAGS=True."
            )

    def requests(self, purge: Purge) -> list[Request]:
        zone = quote(self.options["ZONE_ID"], safe="")
        url = f"{self.options['API_URL'].rstrip('/')}/zones/{zone}/purge_cache"
        headers = {"Authorization": f"Bearer {self.options['API_TOKEN']}"}
        size = self.options["BATCH_SIZE"]
        requests = []
        if self.options["URLS"]:
            files = [self.absolute(path) for path in purge.urls]
            requests += [
                Request.json(url, {"files": group}, headers) for group in chunks(files, size)
            ]
        if self.options["TAGS"]:
            tags = list(purge.keys)
            requests += [
                Request.json(url, {"tags": group}, headers) for group in chunks(tags, size)
            ]
        return requests

    def accepted(self, request: Request, response: Response) -> int | None:
        payload = response.json()
        ok = isinstance(payload, dict) and payload.get("success") is True
        if 200 <= response.status < 300 and ok:
            return None
        errors = payload.get("errors") if isinstance(payload, dict) else None
        detail = "; ".join(
            f"{e.get('code')}: {e.get('message')}" for e in errors or () if isinstance(e, dict)
        )
        if 200 <= response.status < 300:  # 200 with success=false: a refusal, not a glitch
            raise PurgeError(
                f"Cloudflare refused the purge: {detail or 'success=false'}", retry=False
            )
        raise error_for(response, detail)


class Fastly(Purger):
    """Fastly's ``POST /service/{service_id}/purge`` with ``{"surrogate_keys": [...]}``,
    at most 256 keys a call; ``SOFT`` adds ``Fastly-Soft-Purge: 1`` (marks stale)."""

    name = "fastly"
    OPTIONS: ClassVar[dict[str, Option]] = {
        "SERVICE_ID": Option(str, help="the service's id"),
        "API_TOKEN": Option(str, secret=True, help="a token with the purge_select scope"),
        "SOFT": Option(bool, False, help="soft purge: mark stale instead of removing"),
        "BATCH_SIZE": Option(int, 256, help="keys per call: at most 256"),
        "API_URL": Option(str, "https://api.fastly.com"),
    }

    def requests(self, purge: Purge) -> list[Request]:
        service = quote(self.options["SERVICE_ID"], safe="")
        url = f"{self.options['API_URL'].rstrip('/')}/service/{service}/purge"
        headers = {"Fastly-Key": self.options["API_TOKEN"], "Accept": "application/json"}
        if self.options["SOFT"]:
            headers["Fastly-Soft-Purge"] = "1"
        size = min(self.options["BATCH_SIZE"], 256)
        return [
            Request.json(url, {"surrogate_keys": group}, headers)
            for group in chunks(list(purge.keys), size)
        ]

    def accepted(self, request: Request, response: Response) -> int | None:
        if 200 <= response.status < 300:  # {key: purge id}: ids, not a count of objects
            return None
        payload = response.json()
        detail = str(payload.get("msg") or "") if isinstance(payload, dict) else ""
        raise error_for(response, detail)


def refused(request: Request, response: Response) -> PurgeError:
    """A cache server that will not take PURGE from this host: not retried, and the error
    names the fix (mizan's VCL admits the addresses of its ``mizan_purgers`` ACL only,
    localhost by default)."""
    host = urlsplit(request.url).hostname or "the cache server"
    return PurgeError(
        f"HTTP {response.status}: {host} refused PURGE from this host. With mizan's VCL, add "
        "this host's address (or its network) to the VCL's purge ACL, acl mizan_purgers: "
        "python manage.py export_vcl --purger <address> (repeat --purger for each; networks "
        "as 10.0.0.0/8), then reload Varnish. Another cache: allow PURGE from this host.",
        retry=False,
    )


def _by_length(keys: tuple[str, ...], limit: int) -> list[list[str]]:
    """Keys grouped so that each group, space-joined, stays under ``limit`` bytes."""
    groups: list[list[str]] = []
    size = limit
    for key in keys:
        if size + 1 + len(key) > limit:
            groups.append([])
            size = -1
        groups[-1].append(key)
        size += 1 + len(key)
    return groups
