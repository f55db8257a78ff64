"""Real services for the tests of production parts (Redis, PostgreSQL, ...).

A missing service skips its tests with the reason on a laptop; in CI
(``MIZAN_REQUIRE_SERVICES=1``, set by ``.ci/run``) it fails them instead, so a
green CI run always means the real thing was exercised.
"""

from __future__ import annotations

import os
import shutil
import socket

import pytest

REDIS = ("127.0.0.1", 6379)
POSTGRES = ("127.0.0.1", 5432)


def required() -> bool:
    return os.environ.get("MIZAN_REQUIRE_SERVICES") == "1"


def missing(reason: str) -> None:
    """Skip (or, in CI, fail) the current test because a service is missing."""
    if required():
        pytest.fail(f"{reason} (MIZAN_REQUIRE_SERVICES=1: services are required here)")
    pytest.skip(reason)


def listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def need_tcp(name: str, address: tuple[str, int]) -> None:
    if not listening(*address):
        missing(f"{name} is not listening on {address[0]}:{address[1]}")


def need_redis() -> str:
    need_tcp("Redis", REDIS)
    return f"redis://{REDIS[0]}:{REDIS[1]}"


def need_postgres() -> None:
    need_tcp("PostgreSQL", POSTGRES)


def need_program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing(f"{name} is not installed")
    assert path is not None
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(names: list[str]) -> int:
    """``python -m tests.services postgres redis``: 0 when all listen; when one is
    missing, 1 if services are required (CI), else 2 (the caller skips)."""
    addresses = {"postgres": POSTGRES, "redis": REDIS}
    absent = [name for name in names if not listening(*addresses[name])]
    if not absent:
        return 0
    print(f"not listening: {', '.join(absent)}")
    return 1 if required() else 2


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))


def close_thread_caches() -> None:
    """Disconnect the cache connections a worker thread opened.

    Django's RedisCache never disconnects its pools (``close()`` is a no-op), and the
    thread's cache objects die with it, which Python reports as unclosed sockets."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        client = getattr(cache, "_cache", None)
        for pool in getattr(client, "_pools", {}).values():
            pool.disconnect()
