"""Requests per second over real HTTP: one gunicorn sync worker, wrk on the other core.

The server and the load generator are pinned to different cores with
``taskset``; both run on 127.0.0.1, each wrk run is bounded by ``--duration``.
Every variant is served by the same gunicorn process (same Django settings and
middleware); rounds interleave the variants and the medians are reported.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ECHO = "mutation Echo($text: String!) { echo(text: $text) { message } }"
GRAPHQL_BODY = json.dumps({"query": ECHO, "variables": {"text": "hello"}})
GRAPHQL_REPLY = {"data": {"echo": {"message": "hello"}}}


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    path: str
    body: str | None  # None: a GET
    reply: object


VARIANTS = (
    Variant(
        "a",
        "plain Django JsonResponse view",
        "/plain/echo/",
        '{"text": "hello"}',
        {"message": "hello"},
    ),
    Variant("b", "Strawberry Django view, defaults", "/strawberry/", GRAPHQL_BODY, GRAPHQL_REPLY),
    Variant(
        "d",
        "Strawberry + ParserCache + ValidationCache",
        "/strawberry-tuned/",
        GRAPHQL_BODY,
        GRAPHQL_REPLY,
    ),
    Variant("c", "mizan, defaults", "/api/mizan/graphql/", GRAPHQL_BODY, GRAPHQL_REPLY),
)

# Cached reads (the contexts and persisted-queries issues): the same product JSON from a
# plain view that builds it every time, from mizan's GraphQL endpoint (a public context:
# a server-cache hit pays neither the function nor validation), and from the persisted
# GET (a hit served from the stored bytes, without running GraphQL).
PRODUCT = "query Product($id: Int!) { product(productId: $id) { id name priceCents tags } }"
PRODUCT_REPLY = {
    "data": {
        "product": {"id": 5, "name": "Product 5", "priceCents": 2004, "tags": ["new", "bench"]}
    }
}
CACHED = (
    Variant(
        "p",
        "plain Django view, GET",
        "/plain/product/?product_id=5",
        None,
        {
            "data": {
                "product": {
                    "id": 5,
                    "name": "Product 5",
                    "price_cents": 2004,
                    "tags": ["new", "bench"],
                }
            }
        },
    ),
    Variant(
        "x",
        "mizan graphql/, cached context read (POST)",
        "/api/mizan/graphql/",
        json.dumps({"query": PRODUCT, "variables": {"id": 5}}),
        PRODUCT_REPLY,
    ),
    Variant(
        "q",
        "mizan persisted GET, cached public response",
        "/api/mizan/q/Product/?product_id=5",
        None,
        PRODUCT_REPLY,
    ),
)
# Model results (the models issue): 50 books with their author, one strawberry-django type,
# its optimizer planning one query with the author joined, through mizan and through a
# hand-written strawberry-django schema.
BOOKS = "query Books { books { id title year author { id name } } }"
BOOKS_REPLY = {
    "data": {
        "books": [
            {
                "id": str(i + 1),
                "title": f"Book {i}",
                "year": 1950 + i,
                "author": {"id": str(i % 5 + 1), "name": f"Author {i % 5}"},
            }
            for i in range(50)
        ]
    }
}
MODELS = (
    Variant(
        "s",
        "strawberry-django schema + its optimizer",
        "/strawberry-django/",
        json.dumps({"query": BOOKS}),
        BOOKS_REPLY,
    ),
    Variant(
        "m",
        "mizan, list[BookType] from a QuerySet",
        "/api/mizan/graphql/",
        json.dumps({"query": BOOKS}),
        BOOKS_REPLY,
    ),
)
GROUPS = {"echo": VARIANTS, "cached": CACHED, "models": MODELS}
RATIOS = {
    "echo": (("c", "a"), ("c", "b"), ("c", "d")),
    "cached": (("x", "p"), ("q", "p")),
    "models": (("m", "s"),),
}


@dataclass(frozen=True)
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    cpu_us: float = 0.0  # the server's CPU time per request: what a busy machine does not skew


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post(url: str, body: str | None) -> object:
    """POST ``body`` (a GET when it is None) and read the JSON reply."""
    if body is None:
        request = urllib.request.Request(url, method="GET")
    else:
        request = urllib.request.Request(
            url, body.encode(), {"Content-Type": "application/json"}, method="POST"
        )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


class Server:
    """gunicorn, one worker (sync, or uvicorn's for ``asgi``), pinned to ``cpu``; stopped by
    the ``with`` block. ``env`` adds to the server's environment (``MIZAN_BENCH_REDIS``)."""

    def __init__(
        self,
        cpu: int,
        root: Path = ROOT,
        *,
        asgi: bool = False,
        app: str = "",
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.cpu = cpu
        self.root = root
        self.asgi = asgi
        self.app = app
        self.env = env or {}
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        worker, app = ("sync", "bench.project.wsgi:application")
        if self.asgi:
            worker, app = ("uvicorn.workers.UvicornWorker", "bench.project.asgi:application")
        app = self.app or app
        self.process = subprocess.Popen(
            [
                "taskset", "-c", str(self.cpu), str(gunicorn),
                "--workers", "1", "--worker-class", worker,
                "--bind", f"127.0.0.1:{self.port}",
                "--chdir", str(self.root), "--log-level", "warning", app,
            ],
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "bench.project.settings",
                "PYTHONWARNINGS": "ignore::DeprecationWarning",
                **self.env,
            },
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                post(self.url(VARIANTS[0].path), VARIANTS[0].body)
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cpu_seconds(self) -> float:
        """User + system CPU time of gunicorn's processes (the master and its worker)."""
        assert self.process is not None
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ticks = 0
        for p in [str(pid), *children]:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")


def lua_script(directory: Path, variant: Variant) -> Path:
    script = directory / f"{variant.key}.lua"
    if variant.body is None:
        script.write_text('wrk.method = "GET"\n')
        return script
    body = variant.body.replace("\\", "\\\\").replace('"', '\\"')
    script.write_text(
        f'wrk.method = "POST"\nwrk.body = "{body}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    return script


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"wrk printed a latency {text!r} this script cannot read")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str, script: Path, duration: int, cpu: int, connections: int) -> Run:
    out = subprocess.run(
        [
            "taskset", "-c", str(cpu), "wrk", "-t1", f"-c{connections}", f"-d{duration}s",
            "--timeout", "5s", "--latency", "-s", str(script), url,
        ],
        check=True, capture_output=True, text=True, timeout=duration + 60,
    ).stdout  # fmt: skip
    try:
        return _parse(out)
    except (AttributeError, ValueError) as exc:
        raise RuntimeError(f"cannot read wrk's output:\n{out}") from exc


def _parse(out: str) -> Run:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    # gunicorn's sync worker closes every connection after its reply: the read errors
    # wrk counts for that are expected; connect/write errors and timeouts are not.
    if socket_errors:
        errors += sum(int(socket_errors.group(i)) for i in (1, 3, 4))
    return Run(rps, p50, p99, requests, errors)


def main(
    rounds: int = 5, duration: int = 3, connections: int = 16, group: str = "echo"
) -> dict[str, Run]:
    variants = GROUPS[group]
    server_cpu, client_cpu = 0, 1
    runs: dict[str, list[Run]] = {v.key: [] for v in variants}
    with tempfile.TemporaryDirectory(prefix="mizan-bench-") as tmp, Server(server_cpu) as server:
        scripts = {v.key: lua_script(Path(tmp), v) for v in variants}
        for variant in variants:  # every variant answers correctly before it is timed
            reply = post(server.url(variant.path), variant.body)
            if reply != variant.reply:
                raise RuntimeError(f"{variant.label} replied {reply!r}, not {variant.reply!r}")
            wrk(
                server.url(variant.path), scripts[variant.key], 1, client_cpu, connections
            )  # warm-up
        for r in range(rounds):
            order = variants[r % len(variants) :] + variants[: r % len(variants)]  # rotate
            for variant in order:
                url = server.url(variant.path)
                cpu = server.cpu_seconds()
                run = wrk(url, scripts[variant.key], duration, client_cpu, connections)
                cpu_us = (server.cpu_seconds() - cpu) / run.requests * 1e6
                run = dataclasses.replace(run, cpu_us=cpu_us)
                runs[variant.key].append(run)
                print(
                    f"  round {r + 1} ({variant.key}) {run.rps:8.0f} req/s"
                    f"  p50 {run.p50_ms:6.2f} ms  p99 {run.p99_ms:6.2f} ms"
                    f"  server CPU {run.cpu_us:5.0f} µs/request",
                    file=sys.stderr,
                )
    print_table(runs, rounds, duration, connections, group)
    return {key: _median(rs) for key, rs in runs.items()}


def _median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.rps for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.requests for r in runs),
        sum(r.errors for r in runs),
        statistics.median(r.cpu_us for r in runs),
    )


def _ratio(runs: dict[str, list[Run]], top: str, bottom: str) -> float:
    """The median over rounds of one variant's req/s over another's in the same round."""
    return statistics.median(t.rps / b.rps for t, b in zip(runs[top], runs[bottom], strict=True))


def _cpu_ratio(runs: dict[str, list[Run]], top: str, bottom: str) -> float:
    """Requests per CPU-second of one variant over another's: the ratio a quiet core would give."""
    return _median(runs[bottom]).cpu_us / _median(runs[top]).cpu_us


def print_table(
    runs: dict[str, list[Run]], rounds: int, duration: int, connections: int, group: str
) -> None:
    variants = GROUPS[group]
    base = variants[0].key
    medians = {key: _median(rs) for key, rs in runs.items()}
    what = {
        "echo": "echo over POST",
        "cached": "a cached product read",
        "models": "50 model rows with one relation",
    }[group]
    print(
        f"\nHTTP: {what}, gunicorn 1 sync worker (core 0), wrk -t1 -c{connections} "
        f"(core 1), {rounds} interleaved rounds of {duration}s, medians"
    )
    print(
        f"    {'variant':<48}{'req/s':>8}{f'vs ({base})':>8}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'CPU µs/req':>12}{f'vs ({base})':>8}{'errors':>8}"
    )
    for v in variants:
        m = medians[v.key]
        print(
            f"({v.key}) {v.label:<48}{m.rps:>8.0f}{_ratio(runs, v.key, base):>8.2f}"
            f"{m.p50_ms:>9.2f}{m.p99_ms:>9.2f}{m.cpu_us:>12.0f}"
            f"{_cpu_ratio(runs, v.key, base):>8.2f}{m.errors:>8}"
        )
    for name, ratio in (("req/s", _ratio), ("server CPU per request", _cpu_ratio)):
        print(
            f"by {name}:  "
            + "   ".join(
                f"{top}/{bottom} = {ratio(runs, top, bottom):.2f}" for top, bottom in RATIOS[group]
            )
        )
    print(
        "(req/s ratios: median of the per-round ratios; CPU: ratio of the median CPU per request)"
    )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--group", choices=sorted(GROUPS), default="echo")
    args = parser.parse_args()
    main(args.rounds, args.duration, args.connections, args.group)
