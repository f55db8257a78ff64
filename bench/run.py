"""``make bench``: every benchmark, each against baselines measured in the same run.

    make bench                                   # compile, in process, the table, models
    make bench BENCH_ARGS="--only table --rounds 7"

0. The table: every ratio of the performance goals in one table (bench/table.py): plain
   views, django-ninja, Strawberry, mizan's echo, cached context read and ctx/ and q/
   hits, under WSGI on LocMem and on Redis and under ASGI (uvicorn's gunicorn worker).
1. HTTP: req/s, p50/p99 and server CPU per request for the echo mutation through
   (a) a plain Django view, (b) Strawberry's Django view with its defaults,
   (d) the same with Strawberry's parser and validation caches, (c) mizan.
2. In process: µs per call for each stage of mizan's request; what MIZAN["EXTENSIONS"]
   costs (none, one without hooks, OpenTelemetry), and what its support costs with none.
3. Compile time: 50, 200 and 1,000 generated functions, mizan vs Strawberry's
   pydantic conversion.
4. Cached reads: the same product JSON from (p) a plain Django view, (x) mizan's
   graphql/ endpoint reading a public context (a server-cache hit) and (q) the
   persisted GET of it (a stored response).
5. Model results: 50 books with their author through (s) a hand-written
   strawberry-django schema with its optimizer and (m) mizan returning the QuerySet.

Never part of the test suite: figures depend on the machine, ratios much less.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        choices=("table", "http", "cached", "models", "inprocess", "extensions", "compile"),
        action="append",
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved HTTP rounds")
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    parser.add_argument("--compile-rounds", type=int, default=3)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="'' to skip Redis")
    args = parser.parse_args()
    # http and cached are the table's echo and cached-read rows with their older baselines.
    parts = args.only or ["compile", "inprocess", "extensions", "table", "models"]

    packages = ", ".join(
        f"{name} {version(name)}"
        for name in (
            "django",
            "strawberry-graphql",
            "graphql-core",
            "pydantic",
            "gunicorn",
            "uvicorn",
        )
    )
    print(f"Python {platform.python_version()}, {packages}; {os.cpu_count()} CPUs")
    for part, module, options in (
        ("compile", "bench.compile_time", ["--rounds", str(args.compile_rounds)]),
        ("inprocess", "bench.inprocess", []),
        ("extensions", "bench.extensions", []),
        (
            "table",
            "bench.table",
            ["--rounds", str(args.rounds), "--duration", str(args.duration), "--redis", args.redis],
        ),
        ("http", "bench.load", ["--rounds", str(args.rounds), "--duration", str(args.duration)]),
        (
            "cached",
            "bench.load",
            ["--rounds", str(args.rounds), "--duration", str(args.duration), "--group", "cached"],
        ),
        (
            "models",
            "bench.load",
            ["--rounds", str(args.rounds), "--duration", str(args.duration), "--group", "models"],
        ),
    ):
        if part in parts:
            sys.stdout.flush()
            subprocess.run([sys.executable, "-m", module, *options], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
