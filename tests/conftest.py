from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from mizan.setup.registry import Registry, use_registry


@pytest.fixture(autouse=True)
def registry() -> Iterator[Registry]:
    """Every test starts with an empty registry of its own."""
    with use_registry() as fresh:
        yield fresh


class GraphQL:
    """Sends one operation over a transport: ``post`` (JSON body) or ``get`` (query string)."""

    def __init__(self, client: Any, method: str) -> None:
        self.client = client
        self.method = method

    def __call__(self, query: str, variables: dict[str, Any] | None = None, **headers: Any) -> Any:
        url = "/api/mizan/graphql/"
        if self.method == "post":
            body = {"query": query, **({"variables": variables} if variables else {})}
            return self.client.post(
                url, json.dumps(body), content_type="application/json", **headers
            )
        params = {"query": query, **({"variables": json.dumps(variables)} if variables else {})}
        return self.client.get(url, params, HTTP_ACCEPT="application/json", **headers)


@pytest.fixture(params=["post", "get"])
def gql(request: pytest.FixtureRequest, client: Any) -> GraphQL:
    """A query sent over POST and over GET: every query behaviour holds on both."""
    return GraphQL(client, request.param)


@pytest.fixture
def post(client: Any) -> GraphQL:
    return GraphQL(client, "post")


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request: pytest.FixtureRequest, settings: Any) -> str:
    """Each cache behaviour runs against LocMem and against the machine's real Redis."""
    from tests.services import need_redis

    unique = uuid.uuid4().hex
    if request.param == "redis":
        location = need_redis()
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": location,
                "KEY_PREFIX": unique,
            }
        }
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": unique,
            }
        }
    return str(request.param)
