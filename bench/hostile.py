"""How long each denial-of-service shape takes to be refused, and what it does to others.

    .venv/bin/python bench/hostile.py [--rounds 5]

Starts the example project under daphne (``DEBUG`` off) on 127.0.0.1, then sends each
shape of ``tests/test_hostile.py`` ``--rounds`` times over JSON POST, GET and
multipart POST (and the WebSocket shapes over graphql-transport-ws), each time a
new text so no cache answers. Meanwhile an echo client sends ``{ __typename }`` in
a loop. Prints, per shape and transport, the median time to the refusal as the
client sees it on loopback (an upper bound of the time spent in the server) and
its status and code, then the echo client's p50/p95 alone and during the attacks.
Bounded: a few hundred requests, all to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.fuzz.server import live_example

GRAPHQL = "/api/mizan/graphql/"
CSRF = "b" * 32
# The longest request line daphne (Twisted) reads: a longer URL never reaches Django.
MAX_URL = 16_000


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


@dataclass(frozen=True)
class Shape:
    """One hostile request: a document and the raw JSON text of its variables, or a raw
    body (``raw``) that is no GraphQL request at all."""

    name: str
    query: str = "{ __typename }"
    variables: str | None = None
    raw: bytes | None = None

    def varied(self, round_: int) -> Shape:
        """The same request with a new document text (a comment), so no cache answers it."""
        if self.raw is not None:
            return self
        return Shape(self.name, f"#{round_}\n{self.query}", self.variables)

    def json(self) -> bytes:
        if self.raw is not None:
            return self.raw
        text = '{"query": ' + json.dumps(self.query)
        if self.variables is not None:
            text += ', "variables": ' + self.variables
        return (text + "}").encode()

    def params(self) -> str:
        if self.raw is not None:  # the deep JSON where a GET carries JSON: its variables
            return urlencode({"query": self.query, "variables": self.raw.decode()})
        fields = {"query": self.query}
        if self.variables is not None:
            fields["variables"] = self.variables
        return urlencode(fields)


def shapes() -> list[Shape]:
    # A valid document using $v: the variables are what the shape is about.
    uses_v = "query($v: Boolean!) { __typename @include(if: $v) }"
    return [
        Shape("depth 1,000", "{ " + "a { " * 1000 + "b" + " }" * 1000 + " }"),
        Shape("10,000 aliases", "{ " + " ".join(f"a{i}: __typename" for i in range(10_000)) + " }"),
        Shape("2 MB document", "{ __typename } " + "#" * 2_000_000),
        Shape("fragment DAG 30 deep", fragment_dag(30)),
        Shape("fragment DAG 64 deep", fragment_dag(64)),
        Shape("5,000 repeated fields", "{ " + " ".join(["__typename"] * 5000) + " }"),
        Shape(
            "1,200 repeated object fields",
            "{ " + " ".join(["__schema { description }"] * 1200) + " }",
        ),
        Shape("huge variables (2 MB)", uses_v, json.dumps({"v": "a" * 2_000_000})),
        Shape("variables 900 deep", uses_v, json.dumps({"v": nested(900)})),
        Shape("JSON 5,000 deep", raw=b"[" * 5000 + b"]" * 5000),
        Shape("JSON 1,000 deep in variables", variables='{"v": ' + "[" * 1000 + "]" * 1000 + "}"),
    ]


def answer(started: float, response: http.client.HTTPResponse) -> tuple[float, int, str]:
    data = response.read()
    elapsed = time.perf_counter() - started
    try:
        code = json.loads(data)["errors"][0]["extensions"]["code"]
    except (ValueError, KeyError, IndexError, TypeError):
        code = f"not JSON: {data[:60]!r}"
    return elapsed, response.status, code


def post(port: int, shape: Shape) -> tuple[float, int, str] | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("POST", GRAPHQL, shape.json(), {"Content-Type": "application/json"})
    try:
        return answer(started, connection.getresponse())
    finally:
        connection.close()


def get(port: int, shape: Shape) -> tuple[float, int, str] | None:
    url = f"{GRAPHQL}?{shape.params()}"
    if len(url) > MAX_URL:
        return None  # Twisted answers before Django runs: not mizan's to measure
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("GET", url, headers={"Accept": "application/json"})
    try:
        return answer(started, connection.getresponse())
    finally:
        connection.close()


def multipart(port: int, shape: Shape) -> tuple[float, int, str] | None:
    """The GraphQL multipart request (no files): every multipart POST is CSRF-checked."""
    boundary = "mizanbench"
    parts = [(b"operations", shape.json()), (b"map", b"{}")]
    body = b"".join(
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (boundary.encode(), name, value)
        for name, value in parts
    )
    body += b"--%s--\r\n" % boundary.encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request(
        "POST",
        GRAPHQL,
        body,
        {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": f"csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
        },
    )
    try:
        return answer(started, connection.getresponse())
    finally:
        connection.close()


TRANSPORTS: dict[str, Callable[[int, Shape], tuple[float, int, str] | None]] = {
    "POST": post,
    "GET": get,
    "multipart": multipart,
}


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
            payload = message.get("payload") or {}
            # An error message carries a list of errors; a next, a result with errors.
            errors = payload if isinstance(payload, list) else payload.get("errors") or [{}]
            code = errors[0].get("extensions", {}).get("code", message.get("type"))
            return elapsed, 0, f"{message.get('type')}: {code}"
        except ConnectionClosed as closed:
            elapsed = time.perf_counter() - started
            return elapsed, closed.rcvd.code if closed.rcvd else -1, "closed"
        except TimeoutError:
            return time.perf_counter() - started, -1, "no answer within 30 s"


def echo_loop(port: int, stop: threading.Event, latencies: list[float], dropped: list[int]) -> None:
    body = b'{"query": "{ __typename }"}'
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while not stop.is_set():
        started = time.perf_counter()
        try:
            connection.request("POST", GRAPHQL, body, {"Content-Type": "application/json"})
            connection.getresponse().read()
        except (http.client.RemoteDisconnected, ConnectionError):
            # The server closed the kept-alive connection: counted, and sent again.
            dropped.append(1)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        latencies.append(time.perf_counter() - started)
        time.sleep(0.005)
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    with live_example() as port:
        post(port, Shape("warm"))  # the schema is built
        baseline: list[float] = []
        dropped: list[int] = []
        stop = threading.Event()
        echo = threading.Thread(target=echo_loop, args=(port, stop, baseline, dropped))
        echo.start()
        time.sleep(2)
        stop.set()
        echo.join()
        latencies: list[float] = []
        stop = threading.Event()
        echo = threading.Thread(target=echo_loop, args=(port, stop, latencies, dropped))
        echo.start()
        rows = []
        for transport, send in TRANSPORTS.items():
            for shape in shapes():
                times, outcome = [], None
                for round_ in range(options.rounds):
                    sent = send(port, shape.varied(round_))
                    if sent is None:
                        break
                    elapsed, status, code = sent
                    times.append(elapsed)
                    outcome = (status, code)
                if times:
                    rows.append((f"{transport} {shape.name}", statistics.median(times), outcome))
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
                            "query": "query($v: Boolean!) { __typename @include(if: $v) }",
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
    print(f"{'shape':<50} {'median ms':>10}  status, code")
    for name, median, outcome in rows:
        print(f"{name:<50} {median * 1000:>10.1f}  {outcome}")
    for label, values in (("echo alone", baseline), ("echo during the attacks", latencies)):
        values = sorted(values)
        p50 = values[len(values) // 2] * 1000
        p95 = values[int(len(values) * 0.95)] * 1000
        print(f"{label}: {len(values)} requests, p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    if dropped:
        print(f"the server closed the echo client's connection {len(dropped)} times (resent)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
