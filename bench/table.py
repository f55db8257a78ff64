"""Every ratio of the performance goals in one table, measured side by side in one run.

Four servers, each one gunicorn worker pinned to core 0, loaded one at a time by
``wrk -t1 -c16`` on core 1: WSGI (a sync worker) on LocMem, WSGI on Redis (``--redis``;
skipped when none answers), WSGI behind ``wrap_wsgi`` and ASGI (uvicorn's worker,
``wrap_asgi``), both on LocMem. Each
round runs every variant once, rotating the order; the figures are medians over rounds,
and each ratio is the median of per-round ratios to its server's plain view read in
the same round (for ASGI: the plain *async* view).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from bench.load import (
    GRAPHQL_BODY,
    GRAPHQL_REPLY,
    PRODUCT,
    PRODUCT_REPLY,
    Run,
    Server,
    _median,
    lua_script,
    post,
    wrk,
)

PLAIN_GET = "/plain/product/?product_id=5"
PLAIN_GET_REPLY = {
    "data": {
        "product": {"id": 5, "name": "Product 5", "price_cents": 2004, "tags": ["new", "bench"]}
    }
}
CACHED_BODY = json.dumps({"query": PRODUCT, "variables": {"id": 5}})
CTX = "/api/mizan/ctx/catalog/?product_id=5"
Q = "/api/mizan/q/Product/?product_id=5"


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    server: str  # "wsgi", "redis" or "asgi"
    path: str
    body: str | None
    reply: object
    # A GET whose first answers fill the caches: warmed before it is timed.
    base: str = ""  # the key of the case it is a ratio to; "" for a base itself


def cases(ninja: bool, redis: bool) -> list[Case]:
    found: list[Case] = [
        Case("g", "plain view, GET", "wsgi", PLAIN_GET, None, PLAIN_GET_REPLY),
        Case("p", "plain view, POST (echo)", "wsgi", "/plain/echo/", '{"text": "hello"}',
             {"message": "hello"}, "g"),
    ]  # fmt: skip
    if ninja:
        found.append(
            Case("n", "django-ninja, echo over POST", "wsgi", "/ninja/echo",
                 '{"text": "hello"}', {"message": "hello"}, "g")
        )  # fmt: skip
    found += [
        Case("s", "Strawberry, defaults, echo over POST", "wsgi", "/strawberry/", GRAPHQL_BODY,
             GRAPHQL_REPLY, "g"),
        Case("e", "mizan echo over POST", "wsgi", "/api/mizan/graphql/", GRAPHQL_BODY,
             GRAPHQL_REPLY, "g"),
        Case("x", "mizan cached public context read, POST", "wsgi", "/api/mizan/graphql/",
             CACHED_BODY, PRODUCT_REPLY, "g"),
        Case("c", "mizan ctx/ GET, cache hit", "wsgi", CTX, None, PRODUCT_REPLY, "g"),
        Case("q", "mizan q/ GET, cache hit", "wsgi", Q, None, PRODUCT_REPLY, "g"),
    ]  # fmt: skip
    if redis:
        found += [
            Case("rg", "plain view, GET", "redis", PLAIN_GET, None, PLAIN_GET_REPLY),
            Case("rx", "mizan cached public context read, POST", "redis",
                 "/api/mizan/graphql/", CACHED_BODY, PRODUCT_REPLY, "rg"),
            Case("rc", "mizan ctx/ GET, cache hit", "redis", CTX, None, PRODUCT_REPLY, "rg"),
            Case("rq", "mizan q/ GET, cache hit", "redis", Q, None, PRODUCT_REPLY, "rg"),
        ]  # fmt: skip
    found += [
        Case("wg", "plain view, GET", "early", PLAIN_GET, None, PLAIN_GET_REPLY),
        Case("wc", "mizan ctx/ GET, hit (early answer)", "early", CTX, None, PRODUCT_REPLY, "wg"),
        Case("wq", "mizan q/ GET, hit (early answer)", "early", Q, None, PRODUCT_REPLY, "wg"),
        Case("ag", "plain async view, GET", "asgi", "/plain/product-async/?product_id=5", None,
             PLAIN_GET_REPLY),
        Case("as", "plain sync view, GET", "asgi", PLAIN_GET, None, PLAIN_GET_REPLY, "ag"),
        Case("ae", "mizan echo over POST", "asgi", "/api/mizan/graphql/", GRAPHQL_BODY,
             GRAPHQL_REPLY, "ag"),
        Case("ax", "mizan cached public context read, POST", "asgi", "/api/mizan/graphql/",
             CACHED_BODY, PRODUCT_REPLY, "ag"),
        Case("ac", "mizan ctx/ GET, hit (early answer)", "asgi", CTX, None, PRODUCT_REPLY, "ag"),
        Case("aq", "mizan q/ GET, hit (early answer)", "asgi", Q, None, PRODUCT_REPLY, "ag"),
    ]  # fmt: skip
    return found


SERVERS = {
    "wsgi": "WSGI: gunicorn, 1 sync worker, LocMem",
    "redis": "WSGI: gunicorn, 1 sync worker, Redis",
    "early": "WSGI with wrap_wsgi: gunicorn, 1 sync worker, LocMem",
    "asgi": "ASGI: gunicorn, 1 uvicorn worker (wrap_asgi), LocMem",
}


def redis_url(url: str) -> str | None:
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=1).ping()
    except Exception as exc:
        print(f"(no Redis at {url}: {exc}; the Redis rows are skipped)", file=sys.stderr)
        return None
    return url


def main(rounds: int = 5, duration: int = 3, connections: int = 16, redis: str = "") -> None:
    url = redis_url(redis) if redis else None
    table = cases(ninja=find_spec("ninja") is not None, redis=url is not None)
    runs: dict[str, list[Run]] = {c.key: [] for c in table}
    server_cpu, client_cpu = 0, 1
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mizan-bench-")))
        servers = {"wsgi": stack.enter_context(Server(server_cpu))}
        if url is not None:
            servers["redis"] = stack.enter_context(
                Server(server_cpu, env={"MIZAN_BENCH_REDIS": url})
            )
        servers["early"] = stack.enter_context(
            Server(server_cpu, app="bench.project.wsgi_early:application")
        )
        servers["asgi"] = stack.enter_context(Server(server_cpu, asgi=True))
        scripts = {}
        for case in table:
            scripts[case.key] = lua_script(tmp, case)  # type: ignore[arg-type]
            server = servers[case.server]
            for _ in range(2):  # the second answer of a cached read is a hit
                reply = post(server.url(case.path), case.body)
            if reply != case.reply:
                raise RuntimeError(f"{case.label} replied {reply!r}, not {case.reply!r}")
            wrk(server.url(case.path), scripts[case.key], 1, client_cpu, connections)  # warm-up
        for r in range(rounds):
            order = table[r % len(table) :] + table[: r % len(table)]
            for case in order:
                server = servers[case.server]
                cpu = server.cpu_seconds()
                run = wrk(
                    server.url(case.path), scripts[case.key], duration, client_cpu, connections
                )
                run = dataclasses.replace(
                    run, cpu_us=(server.cpu_seconds() - cpu) / max(run.requests, 1) * 1e6
                )
                runs[case.key].append(run)
                print(
                    f"  round {r + 1} ({case.key:>2}) {run.rps:8.0f} req/s"
                    f"  p99 {run.p99_ms:6.2f} ms  server CPU {run.cpu_us:5.0f} µs/request",
                    file=sys.stderr,
                )
    print_table(table, runs, rounds, duration, connections)


def ratio(runs: dict[str, list[Run]], top: str, bottom: str) -> float:
    return statistics.median(t.rps / b.rps for t, b in zip(runs[top], runs[bottom], strict=True))


def print_table(
    table: list[Case], runs: dict[str, list[Run]], rounds: int, duration: int, connections: int
) -> None:
    print(
        f"\nThe goals' table: wrk -t1 -c{connections} (core 1) against one worker (core 0), "
        f"{rounds} interleaved rounds of {duration}s, medians"
    )
    print(
        f"  {'case':<46}{'req/s':>8}{'x base':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'CPU µs/req':>11}{'x by CPU':>9}{'errors':>7}"
    )
    for server, title in SERVERS.items():
        rows = [c for c in table if c.server == server]
        if not rows:
            continue
        print(f"{title}: x the {rows[0].label}")
        for case in rows:
            m = _median(runs[case.key])
            base = case.base or case.key
            by_cpu = _median(runs[base]).cpu_us / m.cpu_us if m.cpu_us else 0.0
            print(
                f"  ({case.key:>2}) {case.label:<41}{m.rps:>8.0f}"
                f"{ratio(runs, case.key, base):>8.2f}{m.p50_ms:>8.2f}{m.p99_ms:>8.2f}"
                f"{m.cpu_us:>11.0f}{by_cpu:>9.2f}{m.errors:>7}"
            )
    print("(x base: median of per-round req/s ratios; x by CPU: base CPU/request over the row's)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="'' to skip Redis")
    args = parser.parse_args()
    main(args.rounds, args.duration, args.connections, args.redis)
