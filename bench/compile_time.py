"""Schema compilation time: mizan vs Strawberry's pydantic conversion, N generated functions.

Each measurement runs in a fresh interpreter. The pydantic models are imported
first and not timed; what is timed is what each tool does with them: for
mizan, importing the ``@client`` functions and compiling the schema; for
Strawberry, importing the module that converts every model with
``strawberry.experimental.pydantic`` and builds ``strawberry.Schema``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (50, 200, 1000)
TOOLS = ("mizan", "strawberry")


def models_source(n: int) -> str:
    lines = ["from pydantic import BaseModel, Field", ""]
    for i in range(n):
        lines += [
            f"class In{i}(BaseModel):",
            "    name: str",
            "    count: int = 0",
            "    tags: list[str] = []",
            "    note: str | None = Field(default=None, description='A note.')",
            "",
            f"class Out{i}(BaseModel):",
            "    id: int",
            "    name: str",
            "    score: float",
            "    active: bool",
            "    tags: list[str]",
            "",
        ]
    return "\n".join(lines)


def mizan_source(n: int) -> str:
    lines = ["from mizan.client import client", "from gen_models import *", ""]
    for i in range(n):
        lines += [
            "@client",
            f"def fn{i}(request, data: In{i}, limit: int = 10) -> Out{i}:",
            f'    """Function {i}."""',
            f"    return Out{i}(id={i}, name=data.name, score=1.0, active=True, tags=data.tags)",
            "",
        ]
    return "\n".join(lines)


def strawberry_source(n: int) -> str:
    lines = [
        "import strawberry",
        "import strawberry.experimental.pydantic",
        "from gen_models import *",
        "",
    ]
    for i in range(n):
        lines += [
            f"@strawberry.experimental.pydantic.input(model=In{i}, all_fields=True)",
            f"class In{i}Input:",
            "    pass",
            "",
            f"@strawberry.experimental.pydantic.type(model=Out{i}, all_fields=True)",
            f"class Out{i}Type:",
            "    pass",
            "",
        ]
    lines += [
        "@strawberry.type",
        "class Query:",
        "    @strawberry.field",
        "    def ok(self) -> bool:",
        "        return True",
        "",
        "@strawberry.type",
        "class Mutation:",
    ]
    for i in range(n):
        lines += [
            f"    @strawberry.mutation(description='Function {i}.')",
            f"    def fn{i}(self, data: In{i}Input, limit: int = 10) -> Out{i}Type:",
            "        m = data.to_pydantic()",
            f"        return Out{i}Type.from_pydantic(",
            f"            Out{i}(id={i}, name=m.name, score=1.0, active=True, tags=m.tags))",
            "",
        ]
    lines += ["schema = strawberry.Schema(query=Query, mutation=Mutation)", ""]
    return "\n".join(lines)


CHILD = """
import time
began = time.perf_counter()
import sys
sys.path.insert(0, {work!r}); sys.path.insert(0, {root!r})
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["mizan"], USE_TZ=True)
django.setup()
import strawberry, strawberry.experimental.pydantic, mizan.client, mizan.schema.compiler
import gen_models
start = time.perf_counter()
import gen_{tool}
if {tool!r} == "mizan":
    from mizan.registry import get_registry
    from mizan.schema import get_schema
    sdl = get_schema(get_registry()).sdl()
else:
    sdl = gen_strawberry.schema.as_str()
elapsed = time.perf_counter() - start
assert sdl.count("fn") >= {n}, "the schema lacks the generated functions"
if {tool!r} == "mizan":  # what the first request (or manage.py check) adds: the runtime
    from mizan.runtime import get_runtime
    get_runtime()
print(elapsed, time.perf_counter() - began)
"""


def measure(tool: str, n: int, work: Path) -> tuple[float, float]:
    """(compile time, start-up time): decorate + build the schema, and everything from the
    interpreter's first line to a schema ready to serve (Django set up, the models
    imported, for mizan its runtime built)."""
    code = CHILD.format(work=str(work), root=str(ROOT), tool=tool, n=n)
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=600
    )
    compile_time, startup = out.stdout.strip().splitlines()[-1].split()
    return float(compile_time), float(startup)


def main(rounds: int = 3) -> dict[int, dict[str, float]]:
    results: dict[int, dict[str, list[float]]] = {n: {t: [] for t in TOOLS} for n in SIZES}
    startups: dict[int, dict[str, list[float]]] = {n: {t: [] for t in TOOLS} for n in SIZES}
    with tempfile.TemporaryDirectory(prefix="mizan-bench-") as tmp:
        for n in SIZES:
            work = Path(tmp) / f"n{n}"
            work.mkdir()
            (work / "gen_models.py").write_text(models_source(n))
            (work / "gen_mizan.py").write_text(mizan_source(n))
            (work / "gen_strawberry.py").write_text(strawberry_source(n))
            for r in range(rounds):
                order = TOOLS if r % 2 == 0 else TOOLS[::-1]  # interleaved
                for tool in order:
                    compile_time, startup = measure(tool, n, work)
                    results[n][tool].append(compile_time)
                    startups[n][tool].append(startup)
    medians = {n: {t: statistics.median(v) for t, v in by.items()} for n, by in results.items()}
    started = {n: {t: statistics.median(v) for t, v in by.items()} for n, by in startups.items()}
    print_table(medians, started)
    return medians


def print_table(medians: dict[int, dict[str, float]], started: dict[int, dict[str, float]]) -> None:
    print("\nSchema compile time (median of fresh interpreters, timed: decorate + build)")
    print(f"{'functions':>10} {'mizan':>10} {'strawberry':>12} {'mizan/strawberry':>17}")
    for n, m in medians.items():
        ratio = m["mizan"] / m["strawberry"]
        print(
            f"{n:>10} {m['mizan'] * 1000:>8.0f}ms {m['strawberry'] * 1000:>10.0f}ms {ratio:>17.2f}"
        )
    print("Start-up: interpreter start to ready to serve (Django, the models, mizan's runtime)")
    for n, m in started.items():
        print(f"{n:>10} {m['mizan'] * 1000:>8.0f}ms {m['strawberry'] * 1000:>10.0f}ms")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    main(parser.parse_args().rounds)
