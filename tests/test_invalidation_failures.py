"""An invalidation the cache refuses is retried, then its entries expire with their TTL.

Against a private Redis on a free port (never the shared one) whose writes are
paused (``CLIENT PAUSE <ms> WRITE``) while reads go on and its data survives.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mizan import client, invalidate
from mizan.testing import MizanTestClient
from tests.services import free_port, need_program


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    program = need_program("redis-server")
    port = free_port()
    directory: Path = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            program,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the private redis-server did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def pause_writes(port: int, milliseconds: int) -> None:
    import redis

    redis.Redis(port=port).execute_command("CLIENT", "PAUSE", milliseconds, "WRITE")


@pytest.fixture
def paused_cache(private_redis: int, settings: Any) -> int:
    settings.CACHES = {
        **settings.CACHES,
        "private": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{private_redis}",
            "OPTIONS": {"socket_timeout": 0.2},
        },
    }
    settings.MIZAN = {"CACHE_ALIAS": "private", "CONTEXT_TTL": 2}
    import redis

    redis.Redis(port=private_redis).flushall()
    return private_redis


@pytest.fixture
def counter() -> dict[str, int]:
    state = {"value": 0}

    @client(context="counter", public=True)
    def count(request) -> int:
        return state["value"]

    return state


def read(test_client: MizanTestClient) -> int:
    result = test_client.call("count")
    assert result.ok, result.errors
    return int(result.data)


@pytest.mark.django_db(transaction=True)
def test_an_invalidation_during_a_short_pause_is_retried(
    paused_cache: int, counter: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    test_client = MizanTestClient()
    assert read(test_client) == 0
    counter["value"] = 1
    assert read(test_client) == 0  # cached
    pause_writes(paused_cache, 300)
    with caplog.at_level(logging.WARNING, logger="mizan.cache"):
        invalidate("counter")
    assert "retrying" in caplog.text
    assert "could not invalidate" not in caplog.text
    assert read(test_client) == 1


@pytest.mark.django_db(transaction=True)
def test_an_invalidation_lost_to_a_long_pause_is_stale_for_the_ttl_at_most(
    paused_cache: int,
    counter: dict[str, int],
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.MIZAN = {**settings.MIZAN, "INVALIDATION_RETRIES": 1}
    test_client = MizanTestClient()
    assert read(test_client) == 0
    counter["value"] = 1
    pause_writes(paused_cache, 1500)
    with caplog.at_level(logging.WARNING, logger="mizan.cache"):
        invalidate("counter")
    assert "could not invalidate" in caplog.text and "ttl" in caplog.text
    assert read(test_client) == 0  # stale: the entry is still there
    time.sleep(2.2)  # CONTEXT_TTL
    assert read(test_client) == 1
