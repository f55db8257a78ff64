"""Channels fan-out: real WebSocket clients against a real daphne process.

    python bench/channels_fanout.py                    # 100 and 1000 subscribers, every layer
    python bench/channels_fanout.py --subscribers 100 --layers memory

For each channel layer (in-memory; channels_redis pub/sub and core), N
clients subscribe to one room of the example project's chat; a separate
client posts with the ``chatChannelSend`` mutation over its own WebSocket,
and the time is taken until each subscriber has the message: p50 and p99 over
every delivery of every round, and the median and worst round for the *last*
subscriber. Then one subscriber receives a stream of
messages, posted as fast as the server takes them: messages per second.

The clients run in this process, on the same two cores as the server, so
the figures are an upper bound on what the server alone needs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import websockets

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example_project"
SUBSCRIBE = 'subscription { chatChannel(room: "bench") { text } }'
POST = 'mutation($t: String!) { chatChannelSend(room: "bench", message: {text: $t}) }'
SESSION = """
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get_or_create(username="bench")[0])
print(client.cookies["sessionid"].value)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server(NamedTuple):
    port: int
    session: str  # a logged-in session's cookie value
    pid: int
    log: Path


@contextlib.contextmanager
def server(
    layer: str, workdir: Path, kind: str = "daphne", app: str = "example.asgi:application"
) -> Iterator[Server]:
    """A server process of the example project (or ``app``)."""
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{EXAMPLE}",
        "DJANGO_SETTINGS_MODULE": "channels_settings",
        "MIZAN_EXAMPLE_DB": str(workdir / "db.sqlite3"),
        "BENCH_LAYER": layer,
    }

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=EXAMPLE,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(done.stderr)
        return done.stdout

    if not (workdir / "db.sqlite3").exists():
        manage("migrate", "--noinput")
    session = manage("shell", "-c", SESSION).strip().splitlines()[-1]
    port = free_port()
    path = workdir / f"{kind}-{layer}-{port}.log"
    log = path.open("wb")  # its shutdown noise stays out of the table
    process = subprocess.Popen(
        [
            sys.executable,
            *(
                ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]]
                if "BENCH_PROFILE" in os.environ
                else []
            ),
            "-m",
            *(
                ["daphne", "-v", "0", "-p", str(port)]
                if kind == "daphne"
                else ["uvicorn", "--log-level", "warning", "--port", str(port)]
            ),
            app,
        ],
        cwd=EXAMPLE,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 120  # a traced server starts slowly
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"{kind} did not start:\n" + path.read_text())
            time.sleep(0.1)
        yield Server(port, session, process.pid, path)
    finally:
        process.send_signal(signal.SIGINT)  # a profiled server writes its profile on SIGINT
        process.wait(timeout=30)
        log.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@contextlib.asynccontextmanager
async def connect(port: int, session: str) -> AsyncIterator[Any]:
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/api/mizan/graphql/",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers={"Cookie": f"sessionid={session}"},
        max_queue=None,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        yield ws


async def post(ws: Any, id: str, text: str) -> None:
    await ws.send(
        json.dumps(
            {"id": id, "type": "subscribe", "payload": {"query": POST, "variables": {"t": text}}}
        )
    )


async def until(ws: Any, text: str) -> float:
    """Read until the broadcast ``text`` arrives; when it did."""
    while True:
        message = json.loads(await ws.recv())
        if message.get("type") == "error" or "errors" in message.get("payload", {}):
            raise RuntimeError(f"the server answered {message}")
        if (
            message.get("type") == "next"
            and message["payload"]["data"]["chatChannel"]["text"] == text
        ):
            return time.perf_counter()


async def fan_out(port: int, session: str, subscribers: int, rounds: int) -> list[list[float]]:
    """Per round, each subscriber's latency (ms) from the post until it had the message."""
    async with contextlib.AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(connect(port, session)) for _ in range(subscribers)
        ]
        for ws in sockets:
            await ws.send(
                json.dumps({"id": "s", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
            )
        sender = await stack.enter_async_context(connect(port, session))
        await post(sender, "warm-up", "warm-up")  # everyone has joined once everyone has this
        await asyncio.wait_for(asyncio.gather(*(until(ws, "warm-up") for ws in sockets)), 60)
        return await broadcasts(sockets, sender, rounds)


async def broadcasts(
    sockets: list[Any], sender: Any, rounds: int, pause: float = 0.2
) -> list[list[float]]:
    """Post ``rounds`` messages through ``sender``, ``pause`` seconds apart: per round, each
    socket's latency (ms) from the post until it had the message."""
    latencies = []
    for n in range(rounds):
        text = f"round {n}"
        waiting = [asyncio.ensure_future(until(ws, text)) for ws in sockets]
        start = time.perf_counter()
        await post(sender, f"r{n}", text)
        got = await asyncio.wait_for(asyncio.gather(*waiting), 120)
        latencies.append([(when - start) * 1000 for when in got])
        await asyncio.sleep(pause)
    return latencies


async def throughput(port: int, session: str, messages: int) -> float:
    async with connect(port, session) as subscriber, connect(port, session) as sender:
        await subscriber.send(
            json.dumps({"id": "s", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        )
        await post(sender, "warm-up", "warm-up")
        await asyncio.wait_for(until(subscriber, "warm-up"), 30)

        async def send_all() -> None:
            # At most 50 operations in flight: CHANNELS_MAX_SUBSCRIPTIONS allows 100.
            done = 0
            for n in range(messages):
                await post(sender, f"m{n}", f"m{n}")
                if n - done >= 50:
                    while json.loads(await sender.recv())["type"] != "complete":
                        pass
                    done += 1

        start = time.perf_counter()
        sending = asyncio.ensure_future(send_all())
        await asyncio.wait_for(until(subscriber, f"m{messages - 1}"), 120)
        elapsed = time.perf_counter() - start
        await sending
        return messages / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--layers", nargs="+", default=["memory", "pubsub", "core"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--server", choices=["daphne", "uvicorn"], default="daphne", help="the ASGI server"
    )
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    print(f"ASGI server: {args.server}; latency from the post until a subscriber has it, ms")
    print(
        f"{'layer':8} {'subscribers':>11} {'p50':>7} {'p99':>7} "
        f"{'last: median':>13} {'last: worst':>12}"
    )
    rates: dict[str, float] = {}
    tmp = tempfile.mkdtemp(prefix="mizan-bench-")  # kept: the server logs explain a failure
    print(f"server logs: {tmp}")
    for layer in args.layers:
        with server(layer, Path(tmp), args.server) as (port, session, _pid, _log):
            for count in args.subscribers:
                try:
                    ms = asyncio.run(fan_out(port, session, count, args.rounds))
                except Exception as exc:  # a layer that breaks under load is a result too
                    print(f"{layer:8} {count:>11}   failed: {type(exc).__name__}: {exc}")
                    break
                every = [latency for round_ in ms for latency in round_]
                last = [max(round_) for round_ in ms]
                print(
                    f"{layer:8} {count:>11} {statistics.median(every):>7.1f} "
                    f"{percentile(every, 99):>7.1f} {statistics.median(last):>13.1f} "
                    f"{max(last):>12.1f}"
                )
            try:
                rates[layer] = asyncio.run(throughput(port, session, args.messages))
            except Exception as exc:
                print(f"{layer:8} throughput failed: {type(exc).__name__}: {exc}")
    print(f"\n{'layer':8} {'messages/s to one subscriber':>30}")
    for layer, rate in rates.items():
        print(f"{layer:8} {rate:>30.0f}")


if __name__ == "__main__":
    main()
