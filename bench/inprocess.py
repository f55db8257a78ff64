"""Where a request's time goes, in process: µs per call for each stage of the echo mutation.

Each figure is the best of several timed loops (noise only ever adds time).
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


def per_call(fn: Callable[[], Any], number: int, repeat: int = 5) -> float:
    """µs per call: the best of ``repeat`` loops of ``number`` calls, after a warm-up."""
    for _ in range(min(number, 200)):
        fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, time.perf_counter() - start)
    return best / number * 1e6


def environ(path: str, body: bytes) -> dict[str, Any]:
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
    from mizan.schema import get_schema
    from mizan.views import MizanContext

    compiled = get_schema()
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

    stages: dict[str, float] = {}
    stages["parse (graphql-core, token limit)"] = per_call(
        lambda: parse(ECHO, max_tokens=mizan_settings.MAX_TOKENS), number
    )
    stages["validate (specified rules + mizan's limits)"] = per_call(
        lambda: validate(graphql_schema, document, rules), number // 4
    )
    executor = getattr(compiled, "executor", None)
    if executor is not None:  # mizan's own document cache, where this checkout has one
        stages["document lookup, cached (mizan)"] = per_call(
            lambda: executor.document(ECHO), number * 10
        )
    stages["execute (graphql-core, validated document)"] = per_call(
        lambda: execute(
            graphql_schema,
            document,
            context_value=context,
            variable_values=VARIABLES,
            is_awaitable=optimized_is_awaitable,
        ),
        number,
    )
    stages["serialise (JSON)"] = per_call(
        lambda: encoder.encode({"data": result.data}), number * 10
    )
    stages["Strawberry execute_sync, mizan's schema"] = per_call(
        lambda: compiled.schema.execute_sync(
            ECHO, variable_values=VARIABLES, context_value=context
        ),
        number,
    )
    stages["Strawberry execute_sync, hand-written schema (b)"] = per_call(
        lambda: strawberry_schema.execute_sync(ECHO, variable_values=VARIABLES),
        number // 10,
    )
    request_only = per_call(
        lambda: WSGIRequest(environ("/api/mizan/graphql/", GRAPHQL_BODY)), number
    )
    stages["mizan view alone (no middleware, no routing)"] = (
        per_call(lambda: view(WSGIRequest(environ("/api/mizan/graphql/", GRAPHQL_BODY))), number)
        - request_only
    )
    full = {
        "a": per_call(through_django("/plain/echo/", PLAIN_BODY), number),
        "b": per_call(through_django("/strawberry/", GRAPHQL_BODY), number // 10),
        "d": per_call(through_django("/strawberry-tuned/", GRAPHQL_BODY), number),
        "c": per_call(through_django("/api/mizan/graphql/", GRAPHQL_BODY), number),
    }
    for key, label in (
        ("a", "plain Django view"),
        ("b", "Strawberry view, defaults"),
        ("d", "Strawberry view + caches"),
        ("c", "mizan view"),
    ):
        stages[f"whole request through Django ({key}) {label}"] = full[key]
    print_table(stages)
    return stages


def print_table(stages: dict[str, float]) -> None:
    print("\nIn process: µs per call, echo mutation (best of 5 loops)")
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
