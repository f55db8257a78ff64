"""``python -m tests.fuzz --documents 10000 --bodies 3000`` (``make fuzz``).

Prints what was sent per transport and every failure; exits 1 if there was one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from http.client import HTTPConnection
from typing import Any

from graphql import build_client_schema, get_introspection_query, print_schema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzz.bodies import documents, frames, json_bodies, multipart_bodies, query_strings
from tests.fuzz.server import live_example
from tests.fuzz.transports import GRAPHQL, Http, Tally, WebSocket

PERSISTED = ("/api/mizan/q/UserProfile/", "/api/mizan/ctx/user/", "/api/mizan/ctx/global/")


def live_sdl(http: Http) -> str:
    """The schema as the live server describes it (introspection)."""
    connection = HTTPConnection("127.0.0.1", http.port, timeout=30)
    try:
        body = json.dumps({"query": get_introspection_query()})
        connection.request("POST", GRAPHQL, body, {"Content-Type": "application/json"})
        result = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    return print_schema(build_client_schema(result["data"]))


def run(count: int, strategy: st.SearchStrategy[Any], send: Callable[[Any], None]) -> None:
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def each(value: Any) -> None:
        send(value)

    each()


def fuzz(port: int, document_count: int, body_count: int, out: Any = sys.stdout) -> Tally:
    tally = Tally()
    http, ws = Http(port, tally), WebSocket(port, tally)
    sdl = live_sdl(http)
    started = time.monotonic()

    def each_document(document: str) -> None:
        http.post_json(json.dumps({"query": document}).encode())
        http.post_json(
            json.dumps({"query": document}).encode(), accept="application/graphql-response+json"
        )
        http.get({"query": document})
        http.multipart(
            [("operations", json.dumps({"query": document}).encode(), None), ("map", b"{}", None)]
        )
        ws.operation(document)

    run(document_count, documents(sdl), each_document)
    print(f"documents: {document_count} in {time.monotonic() - started:.0f} s", file=out)
    started = time.monotonic()

    def each_json(body: bytes) -> None:
        http.post_json(body)

    def each_query_string(query: str) -> None:
        http.get(query)
        for path in PERSISTED:
            http.get(query, path=path, transport="GET persisted")

    def each_multipart(value: tuple[list[tuple[str, bytes, str | None]], str, str | None]) -> None:
        parts, boundary, content_type = value
        http.multipart(parts, boundary, content_type=content_type)

    run(body_count, json_bodies(), each_json)
    run(body_count, query_strings(), each_query_string)
    run(body_count, multipart_bodies(), each_multipart)
    run(body_count, frames(), ws.frame)
    fixed_cases(http)
    ws.close()
    http.close()
    print(f"bodies: {body_count} per transport in {time.monotonic() - started:.0f} s", file=out)
    return tally


def fixed_cases(http: Http) -> None:
    """Requests a generator rarely makes: large bodies, methods, missing CSRF tokens."""
    big = b'{"query": "{ __typename }", "variables": {"v": "' + b"a" * 3_000_000 + b'"}}'
    http.post_json(big)
    http.multipart([("operations", b"{}", None), ("map", b"{}", None)], csrf=False)
    http.raw(
        "POST json",
        "POST",
        GRAPHQL,
        b"{}",
        {"Content-Type": "application/json", "Cookie": "sessionid=x"},
    )
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for path in PERSISTED:
            http.raw("persisted methods", method, path, b"", {})
    http.raw("POST json", "PUT", GRAPHQL, b"{}", {"Content-Type": "application/json"})
    http.raw(
        "POST json",
        "POST",
        GRAPHQL,
        b"query=%7Ba%7D",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    http.raw(
        "POST json", "POST", GRAPHQL, b"{ __typename }", {"Content-Type": "application/graphql"}
    )
    http.raw("POST json", "POST", GRAPHQL, b"{}", {"Content-Type": "text/plain"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--bodies", type=int, default=3_000, help="per transport")
    parser.add_argument("--show", type=int, default=20, help="failures to print")
    options = parser.parse_args(argv)
    with live_example() as port:
        tally = fuzz(port, options.documents, options.bodies)
    print(tally.summary())
    for failure in tally.failures[: options.show]:
        print(failure)
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
