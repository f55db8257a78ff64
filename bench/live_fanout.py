"""Live contexts: N real WebSocket subscribers of one scope, against a real daphne process.

    python bench/live_fanout.py                         # 1000 subscribers, in-memory layer
    python bench/live_fanout.py --subscribers 100 --layers memory pubsub

Each of N clients subscribes to the example project's live context ``user`` for one
user (the generated client's ``UserContextLive``: profile and notes) and to its chat
room. A separate client then commits a rename of that user (the ``rename`` mutation,
``affects="user"``) and the time is taken from sending it until each subscriber has the
new bundle: the commit-to-push latency, an upper bound (it includes the mutation's own
request). The baseline, measured in the same run on the same sockets, is a chat message
posted (``chatChannelSend``) until each subscriber has it: a broadcast with nothing to
recompute. Then bursts of commits (``--burst`` renames sent back to back): the server's
recomputations per burst (its ``mizan.live`` log) and the pushes each subscriber got.

The clients run in this process, on the same cores as the server: the figures are an
upper bound on what the server alone needs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from channels_fanout import POST, connect, percentile, server

LIVE = (
    "subscription UserContextLive($user_id: Int!) { userContext(userId: $user_id) "
    "{ userNotes { id text } userProfile { displayName noteCount } } }"
)
CHAT = 'subscription { chatChannel(room: "bench") { text } }'
RENAME = "mutation($id: Int!, $name: String!) { rename(userId: $id, name: $name) { displayName } }"


class Subscriber:
    """One socket: a live subscription and a chat subscription, read by one task."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.names: list[tuple[float, str]] = []  # (when, displayName) of each push
        self.chat: list[tuple[float, str]] = []
        self.waiting: dict[tuple[int, str], asyncio.Future[float]] = {}
        self.task = asyncio.ensure_future(self._read())

    def _seen(self, seen: list[tuple[float, str]], when: float, value: str) -> None:
        seen.append((when, value))
        waiter = self.waiting.pop((id(seen), value), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(when)

    async def _read(self) -> None:
        async for raw in self.ws:
            now = time.perf_counter()
            message = json.loads(raw)
            if message.get("type") != "next":
                if message.get("type") == "error":
                    raise RuntimeError(f"the server answered {message}")
                continue
            data = message["payload"].get("data") or {}
            if "userContext" in data:
                self._seen(self.names, now, data["userContext"]["userProfile"]["displayName"])
            elif "chatChannel" in data:
                self._seen(self.chat, now, data["chatChannel"]["text"])

    async def until(self, seen: list[tuple[float, str]], value: str) -> float:
        """When ``value`` arrived (a future set by the reader: no polling)."""
        for when, got in seen:
            if got == value:
                return when
        waiter = self.waiting.setdefault((id(seen), value), asyncio.Future())
        return await waiter


async def send(ws: Any, id: str, query: str, variables: dict[str, Any]) -> None:
    payload = {"query": query, "variables": variables}
    await ws.send(json.dumps({"id": id, "type": "subscribe", "payload": payload}))


def recomputed(log: Path, since: int) -> tuple[int, int]:
    """The ``mizan live: recomputed`` lines of the server's log after offset ``since``."""
    text = log.read_bytes()
    return text[since:].count(b"mizan live: recomputed"), len(text)


async def run(port: int, session: str, log: Path, count: int, rounds: int, burst: int) -> None:
    async with contextlib.AsyncExitStack() as stack:
        sender = await stack.enter_async_context(connect(port, session))
        await send(sender, "me", "{ currentUser { id } }", {})
        user = json.loads(await sender.recv())["payload"]["data"]["currentUser"]["id"]
        await sender.recv()  # complete
        sockets = [await stack.enter_async_context(connect(port, session)) for _ in range(count)]
        subscribers = [Subscriber(ws) for ws in sockets]
        for ws in sockets:
            await send(ws, "live", LIVE, {"user_id": user})
            await send(ws, "chat", CHAT, {})
        ops = 0

        async def rename(name: str) -> None:
            nonlocal ops
            ops += 1
            await send(sender, f"r{ops}", RENAME, {"id": user, "name": name})

        async def post(text: str) -> None:
            nonlocal ops
            ops += 1
            await send(sender, f"p{ops}", POST, {"t": text})

        async def drain() -> None:  # the sender's own answers
            with contextlib.suppress(TimeoutError):
                while True:
                    await asyncio.wait_for(sender.recv(), 0.05)

        # Everyone has subscribed (and joined) once everyone has both warm-ups.
        await rename("warm-up")
        await post("warm-up")
        await asyncio.wait_for(
            asyncio.gather(
                *(s.until(s.names, "warm-up") for s in subscribers),
                *(s.until(s.chat, "warm-up") for s in subscribers),
            ),
            120,
        )
        await drain()

        live: list[float] = []
        chat: list[float] = []
        for n in range(rounds):
            start = time.perf_counter()
            await rename(f"round {n}")
            got = await asyncio.wait_for(
                asyncio.gather(*(s.until(s.names, f"round {n}") for s in subscribers)), 60
            )
            live += [(when - start) * 1000 for when in got]
            await drain()
            start = time.perf_counter()
            await post(f"round {n}")
            got = await asyncio.wait_for(
                asyncio.gather(*(s.until(s.chat, f"round {n}") for s in subscribers)), 60
            )
            chat += [(when - start) * 1000 for when in got]
            await drain()
            await asyncio.sleep(0.2)

        print(f"\n{count} subscribers of one scope, {rounds} commits, commit-to-push latency")
        print(f"{'':24} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for label, values in (("live push (rename)", live), ("chat broadcast (base)", chat)):
            print(
                f"{label:24} {statistics.median(values):>8.1f} "
                f"{percentile(values, 99):>8.1f} {max(values):>8.1f}"
            )
        print(
            f"ratio live/chat: p50 {statistics.median(live) / statistics.median(chat):.2f}, "
            f"p99 {percentile(live, 99) / percentile(chat, 99):.2f}"
        )

        print(f"\nbursts of {burst} commits, sent back to back")
        print(f"{'burst':>5} {'recomputations':>15} {'pushes per subscriber':>22} {'ms':>8}")
        _, offset = recomputed(log, 0)
        for n in range(rounds):
            before = [len(s.names) for s in subscribers]
            start = time.perf_counter()
            for k in range(burst):
                await rename(f"burst {n}.{k}")
            final = f"burst {n}.{burst - 1}"
            got = await asyncio.wait_for(
                asyncio.gather(*(s.until(s.names, final) for s in subscribers)), 60
            )
            await asyncio.sleep(0.3)  # a push after the last would be counted too
            await drain()
            count_now, offset = recomputed(log, offset)
            pushes = [len(s.names) - b for s, b in zip(subscribers, before, strict=True)]
            print(
                f"{n:>5} {count_now:>15} {statistics.mean(pushes):>22.2f} "
                f"{(max(got) - start) * 1000:>8.1f}"
            )
        for s in subscribers:
            s.task.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--layers", nargs="+", default=["memory"])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument(
        "--server", choices=["daphne", "uvicorn"], default="daphne", help="the ASGI server"
    )
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="mizan-bench-live-")  # kept: the server logs explain a failure
    print(f"server logs: {tmp}")
    for layer in args.layers:
        print(f"\n== channel layer: {layer}")
        with server(layer, Path(tmp), args.server) as (port, session, _pid, log):
            asyncio.run(run(port, session, log, args.subscribers, args.rounds, args.burst))


if __name__ == "__main__":
    main()
