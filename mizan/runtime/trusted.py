"""Which document a request runs, on every transport: a persisted or trusted document
named by its hash, Apollo's automatic persisted queries
(``extensions.persistedQuery.sha256Hash``), and the trusted-documents-only switch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError

from mizan.cache import ContextCache
from mizan.conf import mizan_settings
from mizan.persisted.operations import PersistedOperation, sha256

APQ_TTL = 24 * 3600


class Refused(Exception):
    """The request names no document this server will run."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.error = GraphQLError(message, extensions={"code": code})


def document_for(
    query: str | None,
    extensions: dict[str, Any] | None,
    known: Mapping[str, PersistedOperation],
    cache: ContextCache,
) -> str | None:
    """The document text to run, or :class:`Refused`; ``known`` are the persisted and
    trusted documents by hash."""
    trusted_only = mizan_settings.TRUSTED_DOCUMENTS_ONLY
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is not None:
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(digest, str) or persisted.get("version") != 1:
            raise Refused(
                'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<hex>"}.',
                "BAD_REQUEST",
            )
        automatic = mizan_settings.AUTOMATIC_PERSISTED_QUERIES and not trusted_only
        if query is None:
            if digest in known:
                return known[digest].text
            stored = cache.read(f"mizan:apq:{digest}") if automatic else None
            if isinstance(stored, str):
                return stored
            raise Refused("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        if sha256(query) != digest:
            raise Refused("provided sha does not match query", "BAD_REQUEST")
        if digest not in known:
            if trusted_only:
                raise _untrusted()
            if automatic:
                cache.write(f"mizan:apq:{digest}", query, APQ_TTL)
        return query
    if trusted_only and query is not None and sha256(query) not in known:
        raise _untrusted()
    return query


def _untrusted() -> Refused:
    return Refused(
        "This server runs trusted documents only (MIZAN['TRUSTED_DOCUMENTS_ONLY']): send a "
        "persisted document's hash in extensions.persistedQuery, or GET "
        "/api/mizan/q/<Operation>/.",
        "TRUSTED_DOCUMENTS_ONLY",
    )
