"""How long each denial-of-service shape takes to be refused, and what it does to others.

    .venv/bin/python bench/hostile.py [--rounds 5]

Starts the example project under daphne (``DEBUG`` off) on 127.0.0.1, then sends each
shape of ``tests/test_hostile.py`` ``--rounds`` times over JSON POST (and the
WebSocket shapes over graphql-transport-ws), each time a new text so no cache
answers. Meanwhile an echo client sends ``{ __typename }`` in a loop. Prints, per
shape, the median time to the refusal as the client sees it on loopback (an upper
bound of the time spent in the server) and its status and code, then the echo
client's p50/p95. Bounded: a few hundred requests, all to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.fuzz.server import live_example

GRAPHQL = "/api/mizan/graphql/"


def fragment_dag(levels: int) -> str:
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def shapes() -> list[tuple[str, bytes]]:
    def body(query: str, variables: Any = None) -> bytes:
        return json.dumps({"query": query, "variables": variables}).encode()

    typename = "query($v: Boolean) { __typename @include(if: $v) }"
    return [
        ("depth 1,000", body("{ " + "a { " * 1000 + "b" + " }" * 1000 + " }")),
        (
            "10,000 aliases",
            body("{ " + " ".join(f"a{i}: __typename" for i in range(10_000)) + " }"),
        ),
        ("2 MB document", body("{ __typename } " + "#" * 2_000_000)),
        ("fragment DAG 30 deep", body(fragment_dag(30))),
        ("fragment DAG 64 deep", body(fragment_dag(64))),
        ("5,000 repeated fields", body("{ " + " ".join(["__typename"] * 5000) + " }")),
        (
            "1,200 repeated object fields",
            body("{ " + " ".join(["__schema { description }"] * 1200) + " }"),
        ),
        ("huge variables (2 MB)", body(typename, {"v": "a" * 2_000_000})),
        ("variables 900 deep", body(typename, {"v": nested(900)})),
        ("JSON 5,000 deep", b"[" * 5000 + b"]" * 5000),
        (
            "JSON 1,000 deep in variables",
            b'{"query":"{ __typename }","variables":{"v":' + b"[" * 1000 + b"]" * 1000 + b"}}",
        ),
    ]


def vary(body: bytes, round_: int) -> bytes:
    """The same request with a new document text (a comment), so no cache answers it."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return body
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        return body
    return json.dumps({**data, "query": f"#{round_}\n" + data["query"]}).encode()


def post(port: int, body: bytes) -> tuple[float, int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("POST", GRAPHQL, body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    try:
        code = json.loads(data)["errors"][0]["extensions"]["code"]
    except (ValueError, KeyError, IndexError, TypeError):
        code = f"not JSON: {data[:60]!r}"
    return elapsed, response.status, code


def frame(port: int, text: str) -> tuple[float, int, str]:
    with connect(
        f"ws://127.0.0.1:{port}{GRAPHQL}", subprotocols=["graphql-transport-ws"], max_size=None
    ) as socket:
        socket.send(json.dumps({"type": "connection_init"}))
        socket.recv(timeout=10)
        started = time.perf_counter()
        socket.send(text)
        try:
            message = json.loads(socket.recv(timeout=30))
            elapsed = time.perf_counter() - started
            payload = message.get("payload") or [{}]
            return (
                elapsed,
                0,
                str(payload[0].get("extensions", {}).get("code", message.get("type"))),
            )
        except ConnectionClosed as closed:
            elapsed = time.perf_counter() - started
            return elapsed, closed.rcvd.code if closed.rcvd else -1, "closed"
        except TimeoutError:
            return time.perf_counter() - started, -1, "no answer within 30 s"


def echo_loop(port: int, stop: threading.Event, latencies: list[float]) -> None:
    body = json.dumps({"query": "{ __typename }"}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while not stop.is_set():
        started = time.perf_counter()
        connection.request("POST", GRAPHQL, body, {"Content-Type": "application/json"})
        connection.getresponse().read()
        latencies.append(time.perf_counter() - started)
        time.sleep(0.005)
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    with live_example() as port:
        post(port, b'{"query": "{ __typename }"}')  # warm: the schema is built
        baseline: list[float] = []
        stop = threading.Event()
        echo = threading.Thread(target=echo_loop, args=(port, stop, baseline))
        echo.start()
        time.sleep(2)
        stop.set()
        echo.join()
        latencies: list[float] = []
        stop = threading.Event()
        echo = threading.Thread(target=echo_loop, args=(port, stop, latencies))
        echo.start()
        rows = []
        for name, body in shapes():
            times, outcome = [], None
            for round_ in range(options.rounds):
                varied = vary(body, round_)
                elapsed, status, code = post(port, varied)
                times.append(elapsed)
                outcome = (status, code)
            rows.append((f"POST {name}", statistics.median(times), outcome))
        for name, text in [
            ("WebSocket JSON 60 KB nested arrays", "[" * 30_000 + "]" * 30_000),
            (
                "WebSocket fragment DAG 30 deep",
                json.dumps(
                    {"id": "1", "type": "subscribe", "payload": {"query": fragment_dag(30)}}
                ),
            ),
            (
                "WebSocket variables 900 deep",
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {
                            "query": "query($v: String) { __typename }",
                            "variables": {"v": nested(900)},
                        },
                    }
                ),
            ),
        ]:
            times = []
            for _ in range(options.rounds):
                elapsed, status, code = frame(port, text)
                times.append(elapsed)
                outcome = (status, code)
            rows.append((name, statistics.median(times), outcome))
        stop.set()
        echo.join()
    print(f"{'shape':<45} {'median ms':>10}  status, code")
    for name, median, outcome in rows:
        print(f"{name:<45} {median * 1000:>10.1f}  {outcome}")
    for label, values in (("echo alone", baseline), ("echo during the attacks", latencies)):
        values = sorted(values)
        p50 = values[len(values) // 2] * 1000
        p95 = values[int(len(values) * 0.95)] * 1000
        print(f"{label}: {len(values)} requests, p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
