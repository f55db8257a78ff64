"""Rate limits across two real daphne processes sharing one Redis, over HTTP and WebSocket.

Server A trusts 127.0.0.1 as a proxy (so it reads X-Forwarded-For); server B trusts
nothing. Both count in the same Redis, under a key prefix of this module's own.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import redis
import websockets

from mizan.ratelimit import Rate, window
from tests.example import ROOT
from tests.services import free_port, listening, need_redis

LOCALHOST = "ip:127.0.0.1"  # whom anonymous calls from this machine count against


@dataclass
class Servers:
    a: int  # trusts 127.0.0.1 as a proxy
    b: int  # trusts no proxy
    redis: redis.Redis
    prefix: str

    def ran(self, name: str) -> int:
        """How many times a function ran, in either process (tests/rateserver/functions.py)."""
        return int(self.redis.get(f"{self.prefix}:1:ran:{name}") or 0)


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    location = need_redis()
    prefix = f"mizan-ratelimit-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.rateserver.settings",
        "RATESERVER_REDIS": location,
        "RATESERVER_PREFIX": prefix,
    }
    ports = free_port(), free_port()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "tests.rateserver.asgi:application",
            ],
            cwd=ROOT,
            env={**env, "RATESERVER_TRUSTED_PROXIES": trusted},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port, trusted in zip(ports, ("127.0.0.1", ""), strict=True)
    ]
    client = redis.Redis.from_url(location)
    try:
        deadline = time.monotonic() + 30
        for port, process in zip(ports, processes, strict=True):
            while not listening("127.0.0.1", port):
                assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "daphne did not start listening"
                time.sleep(0.1)
        yield Servers(*ports, redis=client, prefix=prefix)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:  # still closing sockets: nothing left to keep
                process.kill()
                process.wait(timeout=5)
            process.stderr.close()  # type: ignore[union-attr]
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


@dataclass
class Answer:
    status: int  # 200 over WebSocket, where there is no status
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def code(self) -> str | None:
        errors = self.body.get("errors") or [{}]
        return errors[0].get("extensions", {}).get("code")  # type: ignore[no-any-return]


def http(port: int, query: str, *, get: bool = False, **headers: str) -> Answer:
    url = f"http://127.0.0.1:{port}/api/mizan/graphql/"
    if get:
        request = urllib.request.Request(
            f"{url}?{urllib.parse.urlencode({'query': query})}", headers=headers
        )
    else:
        body = json.dumps({"query": query}).encode()
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": "application/json", **headers}
        )
    return _open(request)


def persisted(port: int, path: str) -> Answer:
    return _open(urllib.request.Request(f"http://127.0.0.1:{port}{path}"))


def _open(request: urllib.request.Request) -> Answer:
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return Answer(response.status, dict(response.headers), json.loads(response.read()))
    except urllib.error.HTTPError as refused:
        with refused:
            return Answer(refused.code, dict(refused.headers), json.loads(refused.read()))


async def ws(port: int, query: str, **headers: str) -> Answer:
    """One operation over graphql-transport-ws, on a connection of its own."""
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/api/mizan/graphql/",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers=headers,
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        message = json.loads(await asyncio.wait_for(socket.recv(), 20))
        assert message["type"] == "next", message
        return Answer(200, {}, message["payload"])


def fresh_window(who: str, rate: Rate, needed: float) -> float:
    """Wait, if need be, until ``who``'s current window has ``needed`` seconds left; the
    time it ends. A burst must not straddle two windows to be counted in one."""
    _, ends = window(who, rate, time.time())
    if ends - time.time() < needed:
        time.sleep(max(0.0, ends - time.time()) + 0.05)
        _, ends = window(who, rate, time.time())
    return ends


async def test_the_limit_holds_exactly_under_concurrent_callers(servers: Servers) -> None:
    """40 callers at once, HTTP and WebSocket, half on each process: exactly 20 run."""
    fresh_window(LOCALHOST, Rate(20, 3600), needed=60)
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=20) as threads:
        calls = [
            *(
                loop.run_in_executor(threads, http, port, f'mutation {{ exact(caller: "h{n}") }}')
                for n in range(10)
                for port in (servers.a, servers.b)
            ),
            *(
                ws(port, f'mutation {{ exact(caller: "w{n}") }}')
                for n in range(10)
                for port in (servers.a, servers.b)
            ),
        ]
        answers = await asyncio.gather(*calls)
    allowed = [a for a in answers if a.code is None]
    refused = [a for a in answers if a.code == "RATE_LIMITED"]
    assert (len(allowed), len(refused)) == (20, 20)
    assert sorted(a.body["data"]["exact"] for a in allowed) == list(range(1, 21))
    assert servers.ran("exact") == 20  # no refused call ran, in either process
    assert all(a.status == 429 for a in refused if a.headers)  # HTTP answers
    assert all(a.status == 200 for a in allowed)


async def test_the_window_resets(servers: Servers) -> None:
    rate = Rate(2, 3)  # tests/rateserver: window is "2/3s"
    ends = fresh_window(LOCALHOST, rate, needed=2)
    mutation = "mutation { window }"
    assert http(servers.a, mutation).code is None
    assert (await ws(servers.b, mutation)).code is None
    refused = http(servers.b, mutation)
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) == math.ceil(ends - time.time()) or (
        int(refused.headers["Retry-After"]) == math.ceil(ends - time.time()) + 1
    )
    assert (await ws(servers.a, mutation)).code == "RATE_LIMITED"
    time.sleep(max(0.0, ends - time.time()) + 0.1)
    assert (await ws(servers.b, mutation)).code is None
    assert http(servers.a, mutation).code is None
    assert servers.ran("window") == 4


async def test_proxies_are_honoured_only_when_trusted(servers: Servers) -> None:
    query = "mutation { proxied }"
    # A trusts this machine as a proxy: the forwarded address is the client.
    for _ in range(2):
        assert http(servers.a, query, **{"X-Forwarded-For": "198.51.100.1"}).code is None
    assert http(servers.a, query, **{"X-Forwarded-For": "198.51.100.1"}).status == 429
    # Prepending a made-up address does not escape: the nearest untrusted hop counts.
    forged = http(servers.a, query, **{"X-Forwarded-For": "203.0.113.9, 198.51.100.1"})
    assert forged.status == 429
    refused = await ws(servers.a, query, **{"X-Forwarded-For": "198.51.100.1"})
    assert refused.code == "RATE_LIMITED"
    assert http(servers.a, query, **{"X-Forwarded-For": "198.51.100.2"}).code is None

    # B trusts no proxy: every header is ignored, all count as 127.0.0.1.
    assert http(servers.b, query, **{"X-Forwarded-For": "198.51.100.3"}).code is None
    assert (await ws(servers.b, query, **{"X-Forwarded-For": "198.51.100.4"})).code is None
    assert http(servers.b, query, **{"X-Forwarded-For": "198.51.100.5"}).status == 429
    assert servers.ran("proxied") == 5


def test_the_429_shape(servers: Servers) -> None:
    assert http(servers.a, "{ shape }", get=True).body == {"data": {"shape": 1}}
    refused = http(servers.b, "{ shape }", get=True)
    assert refused.status == 429
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 3600
    assert refused.headers["Content-Type"] == "application/json"
    assert refused.headers["Cache-Control"] == "no-store"
    assert refused.body == {
        "data": None,
        "errors": [
            {
                "message": "Too many calls to shape: the limit is 1 per hour. "
                f"Try again in {retry_after} seconds.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["shape"],
                "extensions": {"code": "RATE_LIMITED", "retryAfter": retry_after},
            }
        ],
    }
    persisted_refusal = persisted(servers.a, "/api/mizan/q/Shape/")
    assert persisted_refusal.status == 429
    assert persisted_refusal.body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert servers.ran("shape") == 1
