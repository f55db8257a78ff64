"""What ``MIZAN["EXTENSIONS"]`` costs: the echo mutation with no extension configured, with
an extension that defines no hook, and with Strawberry's OpenTelemetry extension.

    .venv/bin/python -m bench.extensions          # or make bench BENCH_ARGS="--only extensions"

In process, on the bench project (Django's default middleware, ``DEBUG`` off), best of 15
interleaved rounds (noise only ever adds time), each variant a runtime of its own built
from the same registry and swapped in before each call:

- ``runtime.execute_sync`` alone, and the whole request through Django's WSGI handler;
- "the steps by hand" calls what ``execute_sync`` calls when no extension is configured
  (``begin`` then ``run_sync``): the one step ``execute_sync`` adds is ``Runtime.hooks()``
  returning None, timed on its own too (the difference of two ~70 µs figures is noise);
- OpenTelemetry with the SDK's ``TracerProvider`` and no span processor: spans are made,
  timed and ended, not exported (an exporter's cost belongs to the deployment).

Prints µs per call and each variant's ratio to "no extension" measured in the same run.
Never part of the test suite.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.inprocess import ECHO, GRAPHQL_BODY, ROOT, VARIABLES, Timer, environ


def main(number: int = 2000) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.project.settings")
    import django

    django.setup()

    from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
    from django.test import override_settings
    from opentelemetry.sdk.trace import TracerProvider
    from strawberry.extensions import SchemaExtension
    from strawberry.extensions.tracing import OpenTelemetryExtensionSync

    from mizan.registry import get_registry
    from mizan.runtime import MizanContext, Runtime, build_runtime, get_runtime

    class NoHooks(SchemaExtension):
        """An extension that defines no hook: the per-operation machinery alone."""

    registry = get_registry()
    none = get_runtime(registry)

    def built(extensions: list[Any]) -> Runtime:
        with override_settings(MIZAN={"EXTENSIONS": extensions}):
            return build_runtime(registry)

    variants = {
        "no extension configured": none,
        "an extension without hooks": built([NoHooks]),
        "OpenTelemetry (SDK provider, no exporter)": built(
            [partial(OpenTelemetryExtensionSync, tracer_provider=TracerProvider())]
        ),
    }
    # Building a runtime installs its resolvers on the shared schema: the default runtime's
    # go back in last, as every variant's calls are the same.
    variants["no extension configured"] = none = build_runtime(registry)
    derived: dict[Any, Any] = registry._derived  # the registry's runtime, swapped per call
    request = WSGIRequest(environ("/api/mizan/graphql/", GRAPHQL_BODY))
    handler = WSGIHandler()

    def start_response(status: str, headers: Any) -> None:
        assert status.startswith("200"), status

    def execute_sync(runtime: Runtime) -> Callable[[], Any]:
        def call() -> Any:
            derived[build_runtime] = runtime
            result = runtime.execute_sync(MizanContext(request=request), ECHO, VARIABLES)
            assert result.errors is None, result.errors
            return result

        return call

    def by_hand() -> Any:
        derived[build_runtime] = none
        context = MizanContext(request=request)
        begun = none.begin(ECHO, None, None)
        assert not isinstance(begun, Exception) and isinstance(begun, tuple)
        return none.run_sync(context, *begun, VARIABLES)

    def whole_request(runtime: Runtime) -> Callable[[], Any]:
        def call() -> Any:
            derived[build_runtime] = runtime
            return b"".join(handler(environ("/api/mizan/graphql/", GRAPHQL_BODY), start_response))

        return call

    def hooks() -> Any:
        return none.hooks(MizanContext(request=request), ECHO, VARIABLES, None, None)

    assert hooks() is None
    timer = Timer(rounds=15)  # the differences sought are a few µs: more rounds, less noise
    # The first stage of a round runs on caches the previous round's last stage left: the
    # two compared closely run next to each other, neither of them first.
    for label, runtime in variants.items():
        timer.add(f"execute_sync: {label}", execute_sync(runtime), number)
        if runtime is none:
            timer.add("execute_sync: the steps by hand (begin + run_sync)", by_hand, number)
    for label, runtime in variants.items():
        timer.add(f"whole request: {label}", whole_request(runtime), number)
    timer.add("(a context alone)", lambda: MizanContext(request=request), number * 10)
    timer.add("Runtime.hooks(), none configured: returns None", hooks, number * 10)
    stages = timer.run()
    stages["Runtime.hooks(), none configured: returns None"] -= stages.pop("(a context alone)")
    derived[build_runtime] = none
    print_table(stages)
    return stages


def print_table(stages: dict[str, float]) -> None:
    print(
        "\nStrawberry extensions (MIZAN['EXTENSIONS']), echo mutation, in process: µs per call"
        " (best of 15 interleaved rounds),\nthen the ratio to the same stage with no extension"
    )
    for kind in ("execute_sync", "whole request"):
        base = stages[f"{kind}: no extension configured"]
        for label, us in stages.items():
            if label.startswith(kind):
                print(f"  {label:<66}{us:>9.1f}  {us / base:.2f}")
    hooks = stages["Runtime.hooks(), none configured: returns None"]
    hand = stages["execute_sync: the steps by hand (begin + run_sync)"]
    difference = stages["execute_sync: no extension configured"] - hand
    # The one step execute_sync adds to the steps by hand is the call to Runtime.hooks().
    print(f"  {'Runtime.hooks(), none configured: returns None':<66}{hooks:>9.2f}")
    print(f"  {'  (no extension configured - the steps by hand, this run)':<66}{difference:>9.1f}")


if __name__ == "__main__":
    main()
