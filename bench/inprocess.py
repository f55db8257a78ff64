"""Where a request's time goes, in process: µs per call for each stage of the echo mutation.

Each figure is the best of several interleaved timed loops (noise only ever adds time).
The stages are measured on their own, with the same inputs the view gives
them, so that the sum shows what is left for the view and Django around them.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ECHO = "mutation Echo($text: String!) { echo(text: $text) { message } }"
VARIABLES = {"text": "hello"}
GRAPHQL_BODY = json.dumps({"query": ECHO, "variables": VARIABLES}).encode()
PLAIN_BODY = json.dumps({"text": "hello"}).encode()


class Timer:
    """Times many stages in interleaved rounds, so a busy moment on the machine inflates
    one round of every stage rather than every round of one; each stage keeps its best."""

    def __init__(self, rounds: int = 7) -> None:
        self.rounds = rounds
        self.stages: dict[str, tuple[Callable[[], Any], int]] = {}

    def add(self, label: str, fn: Callable[[], Any], number: int) -> None:
        for _ in range(min(number, 200)):  # warm-up, and the first call builds what is lazy
            fn()
        self.stages[label] = (fn, number)

    def run(self) -> dict[str, float]:
        best = dict.fromkeys(self.stages, float("inf"))
        for _ in range(self.rounds):
            for label, (fn, number) in self.stages.items():
                start = time.perf_counter()
                for _ in range(number):
                    fn()
                best[label] = min(best[label], (time.perf_counter() - start) / number * 1e6)
        return best


def environ(path: str, body: bytes | None) -> dict[str, Any]:
    """A WSGI environ: a JSON POST of ``body``, or a GET of ``path`` (with its query)."""
    if body is None:
        path, _, query = path.partition("?")
        return {**environ(path, b""), "REQUEST_METHOD": "GET", "QUERY_STRING": query}
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
    }


def main(number: int = 2000) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.project.settings")
    import django

    django.setup()

    from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
    from django.core.serializers.json import DjangoJSONEncoder
    from django.urls import resolve
    from graphql import execute, parse, specified_rules, validate
    from strawberry.execution import optimized_is_awaitable
    from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
    from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
    from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

    from bench.project.hand_written import schema as strawberry_schema
    from mizan.conf import mizan_settings
    from mizan.runtime import MizanContext, get_runtime

    runtime = get_runtime()
    compiled = runtime.compiled
    graphql_schema = compiled.schema._schema
    rules = (
        *specified_rules,
        *QueryDepthLimiter(max_depth=mizan_settings.MAX_DEPTH).validation_rules,
        *MaxAliasesLimiter(max_alias_count=mizan_settings.MAX_ALIASES).validation_rules,
        MaybeNullValidationRule,
        OneOfInputValidationRule,
    )
    document = parse(ECHO, max_tokens=mizan_settings.MAX_TOKENS)
    assert not validate(graphql_schema, document, rules)
    request = WSGIRequest(environ("/api/mizan/graphql/", GRAPHQL_BODY))
    context = MizanContext(request=request)
    result = execute(graphql_schema, document, context_value=context, variable_values=VARIABLES)
    assert result.data == {"echo": {"message": "hello"}}, result
    encoder = DjangoJSONEncoder(separators=(",", ":"))
    handler = WSGIHandler()
    view = resolve("/api/mizan/graphql/").func

    def through_django(path: str, body: bytes) -> Callable[[], Any]:
        def start_response(status: str, headers: Any) -> None:
            assert status.startswith("200"), status

        return lambda: b"".join(handler(environ(path, body), start_response))

    timer = Timer()
    timer.add(
        "parse (graphql-core, token limit)",
        lambda: parse(ECHO, max_tokens=mizan_settings.MAX_TOKENS),
        number,
    )
    timer.add(
        "validate (specified rules + mizan's limits)",
        lambda: validate(graphql_schema, document, rules),
        number // 10,
    )
    timer.add("document lookup, cached (mizan)", lambda: runtime.documents.get(ECHO), number * 10)
    timer.add(
        "execute (graphql-core, validated document)",
        lambda: execute(
            graphql_schema,
            document,
            context_value=context,
            variable_values=VARIABLES,
            is_awaitable=optimized_is_awaitable,
        ),
        number,
    )
    timer.add("serialise (JSON)", lambda: encoder.encode({"data": result.data}), number * 10)
    timer.add(
        "Strawberry execute_sync, mizan's schema",
        lambda: compiled.schema.execute_sync(
            ECHO, variable_values=VARIABLES, context_value=context
        ),
        number,
    )
    timer.add(
        "Strawberry execute_sync, hand-written schema (b)",
        lambda: strawberry_schema.execute_sync(ECHO, variable_values=VARIABLES),
        number // 10,
    )
    timer.add(
        "(request object alone)",
        lambda: WSGIRequest(environ("/api/mizan/graphql/", GRAPHQL_BODY)),
        number,
    )
    timer.add(
        "mizan view alone (no middleware, no routing)",
        lambda: view(WSGIRequest(environ("/api/mizan/graphql/", GRAPHQL_BODY))),
        number,
    )
    for key, label, path, body, n in (
        ("a", "plain Django view", "/plain/echo/", PLAIN_BODY, number),
        ("b", "Strawberry view, defaults", "/strawberry/", GRAPHQL_BODY, number // 10),
        ("d", "Strawberry view + caches", "/strawberry-tuned/", GRAPHQL_BODY, number),
        ("c", "mizan view", "/api/mizan/graphql/", GRAPHQL_BODY, number),
    ):
        timer.add(f"whole request through Django ({key}) {label}", through_django(path, body), n)
    stages = timer.run()
    stages["mizan view alone (no middleware, no routing)"] -= stages.pop("(request object alone)")
    print_table(stages)
    cached = cached_reads(number)
    return {**stages, **cached}


PRODUCT = "query Product($id: Int!) { product(productId: $id) { id name priceCents tags } }"
PRODUCT_BODY = json.dumps({"query": PRODUCT, "variables": {"id": 5}}).encode()


def cached_reads(number: int) -> dict[str, float]:
    """The stages of the cached reads: a public context over POST and a persisted GET hit."""
    from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
    from django.http import HttpResponse
    from django.urls import resolve

    from mizan.persisted.endpoints import Served, admit
    from mizan.runtime import MizanContext, get_runtime

    runtime = get_runtime()
    handler = WSGIHandler()
    operation = runtime.compiled.operations["Product"]
    served = Served(runtime, operation)
    request = WSGIRequest(environ("/api/mizan/q/Product/?product_id=5", None))
    path = "/api/mizan/q/Product/"
    admitted = admit(runtime, operation, "GET", path, "product_id=5")
    assert isinstance(admitted, tuple)
    variables, canonical = admitted
    slot = served.slot(variables, canonical)
    assert slot is not None
    q_view = resolve(path).func
    x_view = resolve("/api/mizan/graphql/").func

    def through_django(path: str, body: bytes | None) -> Callable[[], Any]:
        def start_response(status: str, headers: Any) -> None:
            assert status.startswith("200"), status

        return lambda: b"".join(handler(environ(path, body), start_response))

    def hit_response() -> Any:
        stored, _ = runtime.cache.lookup_or_miss(slot)
        body, etag, keys = stored
        return served.headers(
            request, HttpResponse(body, content_type="application/json"), etag, keys, hit=True
        )

    timer = Timer()
    for key, label, url, body in (
        ("p", "plain Django view, GET", "/plain/product/?product_id=5", None),
        ("q", "q/ GET, a hit", "/api/mizan/q/Product/?product_id=5", None),
        ("x", "graphql/ POST, a cached context read", "/api/mizan/graphql/", PRODUCT_BODY),
    ):
        timer.add(
            f"whole request through Django ({key}) {label}", through_django(url, body), number
        )
    timer.add(
        "(request object alone, GET)",
        lambda: WSGIRequest(environ(path + "?product_id=5", None)),
        number,
    )
    timer.add(
        "q/ view alone (no middleware, no routing)",
        lambda: q_view(WSGIRequest(environ(path + "?product_id=5", None)), operation="Product"),
        number,
    )
    timer.add(
        "  admit (gate, canonical query string)",
        lambda: admit(runtime, operation, "GET", path, "product_id=5"),
        number,
    )
    timer.add(
        "  the slot (reads, remembered digests)", lambda: served.slot(variables, canonical), number
    )
    timer.add(
        "  cache lookup (entry + tokens, one get_many)",
        lambda: runtime.cache.lookup_or_miss(slot),
        number,
    )
    timer.add("  lookup + response + its headers", hit_response, number)
    timer.add(
        "(request object alone, POST)",
        lambda: WSGIRequest(environ("/api/mizan/graphql/", PRODUCT_BODY)),
        number,
    )
    timer.add(
        "graphql/ view alone, cached context read",
        lambda: x_view(WSGIRequest(environ("/api/mizan/graphql/", PRODUCT_BODY))),
        number,
    )
    timer.add(
        "  runtime.execute_sync (document cached, context hit)",
        lambda: runtime.execute_sync(MizanContext(request=request), PRODUCT, {"id": 5}, None, None),
        number,
    )
    stages = timer.run()
    stages["q/ view alone (no middleware, no routing)"] -= stages.pop("(request object alone, GET)")
    stages["graphql/ view alone, cached context read"] -= stages.pop("(request object alone, POST)")
    print("\nIn process: µs per call, cached reads (best of 7 interleaved rounds)")
    for label, us in stages.items():
        print(f"  {label:<58}{us:>9.1f}")
    return stages


def print_table(stages: dict[str, float]) -> None:
    print("\nIn process: µs per call, echo mutation (best of 7 interleaved rounds)")
    for label, us in stages.items():
        print(f"  {label:<58}{us:>9.1f}")
    view = stages["mizan view alone (no middleware, no routing)"]
    around = stages["whole request through Django (c) mizan view"] - view
    graphql = (
        stages.get("document lookup, cached (mizan)", 0.0)
        + stages["execute (graphql-core, validated document)"]
        + stages["serialise (JSON)"]
    )
    print(f"  {'= Django around the view (WSGI, middleware, routing)':<58}{around:>9.1f}")
    print(f"  {'= the view beyond lookup + execute + serialise':<58}{view - graphql:>9.1f}")


if __name__ == "__main__":
    main()
