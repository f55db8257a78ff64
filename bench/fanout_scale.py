"""Fan-out at scale: memory per idle subscriber, and subscribers spread over server processes.

    python bench/fanout_scale.py memory --subscribers 1000
    python bench/fanout_scale.py spread --subscribers 10000 --processes 2

``memory``: the server's resident memory (``VmRSS``) grows by how much per idle chat
subscriber (a socket with one subscription), for mizan's consumer and for a bare Channels
consumer (``bench/bare_asgi.py``: an ack and a group per subscribe, nothing of GraphQL)
under the same server and middleware. mizan's own share is the difference.

``spread``: N subscribers of one chat room spread evenly over P server processes sharing
the Redis pub/sub channel layer; a client posts through the first process, and each
subscriber's latency from the post until it has the message is taken (p50 and p99 over
every delivery of every round). The clients run in this one process, on the same cores
as the servers: an upper bound on what the servers alone need.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from channels_fanout import SUBSCRIBE, broadcasts, connect, percentile, post, server, until

#: BENCH_TRACEMALLOC=<frames>: the server traces its allocations (bench/channels_settings.py).
TRACE = "BENCH_TRACEMALLOC" in os.environ
SUBSCRIBE_MESSAGE = json.dumps({"id": "s", "type": "subscribe", "payload": {"query": SUBSCRIBE}})


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


async def subscribers(
    stack: contextlib.AsyncExitStack, targets: list[tuple[int, str]], count: int
) -> list[Any]:
    """``count`` subscribed sockets, spread round-robin over ``targets``, opened 50 at once."""
    gate = asyncio.Semaphore(50)

    async def one(n: int) -> Any:
        port, session = targets[n % len(targets)]
        async with gate:
            ws = await stack.enter_async_context(connect(port, session))
            await ws.send(SUBSCRIBE_MESSAGE)
            return ws

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def joined(sockets: list[Any], sender: Any | None) -> None:
    """Every socket's subscription is live: it has a broadcast (or the bare ack)."""
    if sender is not None:
        await post(sender, "joined", "joined")
    await asyncio.wait_for(asyncio.gather(*(until(ws, "joined") for ws in sockets)), 300)


async def measure_memory(port: int, session: str, pid: int, count: int, bare: bool) -> float:
    """KiB of server memory per idle subscriber, past a warm-up of 50."""
    async with contextlib.AsyncExitStack() as stack:
        sender = None if bare else await stack.enter_async_context(connect(port, session))
        warm = await subscribers(stack, [(port, session)], 50)
        await joined(warm, sender)
        await asyncio.sleep(1)
        before = rss_kib(pid)
        if TRACE:
            os.kill(pid, signal.SIGUSR1)
        sockets = await subscribers(stack, [(port, session)], count)
        await joined(sockets, sender)
        await asyncio.sleep(1)
        if TRACE:  # the server prints what grew into its log
            os.kill(pid, signal.SIGUSR2)
            await asyncio.sleep(5)
        return (rss_kib(pid) - before) / count


def memory(args: argparse.Namespace, tmp: Path) -> None:
    print(f"server memory per idle subscriber, {args.subscribers} subscribers, {args.server}")
    figures = {}
    for label, app, bare in (
        ("bare Channels consumer", "bare_asgi:application", True),
        ("mizan", "example.asgi:application", False),
    ):
        with server("memory", tmp, args.server, app) as s:
            figures[label] = asyncio.run(
                measure_memory(s.port, s.session, s.pid, args.subscribers, bare)
            )
        print(f"{label:24} {figures[label]:8.1f} KiB")
    share = figures["mizan"] - figures["bare Channels consumer"]
    print(f"{'mizan own share':24} {share:8.1f} KiB")


async def measure_spread(targets: list[tuple[int, str]], count: int, rounds: int) -> list[float]:
    async with contextlib.AsyncExitStack() as stack:
        sockets = await subscribers(stack, targets, count)
        sender = await stack.enter_async_context(connect(*targets[0]))
        await joined(sockets, sender)
        per_round = await broadcasts(sockets, sender, rounds, pause=0.5)
        return [latency for latencies in per_round for latency in latencies]


def spread(args: argparse.Namespace, tmp: Path) -> None:
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(server("pubsub", tmp, args.server)) for _ in range(args.processes)
        ]
        targets = [(s.port, s.session) for s in servers]
        ms = asyncio.run(measure_spread(targets, args.subscribers, args.rounds))
    print(
        f"{args.subscribers} subscribers over {args.processes} {args.server} processes "
        "(Redis pub/sub layer), latency from the post, ms"
    )
    print(f"p50 {statistics.median(ms):.1f}  p99 {percentile(ms, 99):.1f}  max {max(ms):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=["memory", "spread"])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="uvicorn")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mizan-bench-scale-"))  # kept: the server logs
    print(f"server logs: {tmp}")
    (memory if args.what == "memory" else spread)(args, tmp)


if __name__ == "__main__":
    main()
