"""The layers point down: no import cycle among mizan's modules, the plug-ins imported by
nobody in the core, the package root by no module inside it.

What counts as an import (docs/reference/architecture.md, "Import directions"): every
``import`` and ``from ... import`` in a module, at module level or inside a function or
class; not those under ``if TYPE_CHECKING:``. ``from pkg import name`` imports the module
``pkg.name`` when there is one, and ``pkg`` otherwise.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "mizan"
PLUG_INS = ("mizan.channels", "mizan.forms")
# Plug-ins may build on each other: contrib's allauth forms are mizan forms.
PLUG_IN_USERS = (*PLUG_INS, "mizan.contrib")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported mizan module
    line: int

    def __str__(self) -> str:
        return f"{self.source} imports {self.target} (line {self.line})"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules(root: Path = ROOT) -> dict[str, Path]:
    paths = sorted(root.rglob("*.py"))
    return {module_name(p, root): p for p in paths if "__pycache__" not in p.parts}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Collector(ast.NodeVisitor):
    def __init__(self, name: str, is_package: bool, modules: dict[str, Path]) -> None:
        self.name = name
        self.package = name if is_package else name.rpartition(".")[0]
        self.modules = modules
        self.found: list[Import] = []

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:  # an `else:` still runs
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - (node.level - 1)]
            module = ".".join([*base, *([node.module] if node.module else [])])
        else:
            module = node.module or ""
        for alias in node.names:
            submodule = f"{module}.{alias.name}"
            self._add(submodule if submodule in self.modules else module, node.lineno)

    def _add(self, target: str, line: int) -> None:
        if target == "mizan" or target.startswith("mizan."):
            self.found.append(Import(self.name, target, line))


def imports(modules: dict[str, Path] | None = None) -> list[Import]:
    modules = modules or all_modules()
    found: list[Import] = []
    for name, path in modules.items():
        collector = _Collector(name, path.name == "__init__.py", modules)
        collector.visit(ast.parse(path.read_text(), str(path)))
        seen: set[str] = set()
        for edge in collector.found:  # the first line that imports each module
            if edge.target not in seen:
                seen.add(edge.target)
                found.append(edge)
    return found


def cycles(edges: list[Import]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if edge.source != edge.target:
            graph.setdefault(edge.source, set()).add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _explain(component: list[str], edges: list[Import]) -> Iterator[str]:
    members = set(component)
    for edge in edges:
        if edge.source in members and edge.target in members:
            yield f"  {edge}"


def test_no_import_cycle() -> None:
    edges = imports()
    found = cycles(edges)
    report = [
        f"{len(c)} modules import each other: {', '.join(c)}\n" + "\n".join(_explain(c, edges))
        for c in found
    ]
    assert not found, "\n".join(report)


def test_nothing_in_the_core_imports_a_plug_in() -> None:
    wrong = [
        str(edge)
        for edge in imports()
        if _within(edge.target, PLUG_INS)
        and not _within(edge.source, PLUG_IN_USERS)
        # The composition points: the public API lazily re-exports wrap_asgi; the AppConfig
        # wires the plug-ins' checks.
        and edge.source not in ("mizan", "mizan.apps")
    ]
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_the_package_root() -> None:
    wrong = [str(edge) for edge in imports() if edge.target == "mizan" and edge.source != "mizan"]
    assert not wrong, "\n".join(wrong)


def test_the_compiler_builds_graphql_only() -> None:
    # It may build the persisted operations' documents (mizan.persisted.operations), which
    # are GraphQL validated against the schema it made; nothing that runs or serves them.
    above = ("mizan.runtime", "mizan.views", "mizan.persisted.endpoints", *PLUG_INS)
    wrong = [
        str(edge)
        for edge in imports()
        if _within(edge.source, ("mizan.schema",)) and _within(edge.target, above)
    ]
    assert not wrong, "\n".join(wrong)


def test_definitions_and_the_registry_know_no_schema() -> None:
    below = ("mizan.definitions", "mizan.registry", "mizan.naming", "mizan.canonical")
    allowed = ("mizan.definitions", "mizan.exceptions", "mizan.naming", "mizan.canonical")
    wrong = [
        str(edge)
        for edge in imports()
        if edge.source in below and not _within(edge.target, allowed)
    ]
    assert not wrong, "\n".join(wrong)


# --- the checker itself ------------------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for relative, text in files.items():
        path = tmp_path / "mizan" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return all_modules(tmp_path / "mizan")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (  # module level both ways
            {"__init__.py": "", "a.py": "import mizan.b\n", "b.py": "from mizan import a\n"},
            [["mizan.a", "mizan.b"]],
        ),
        (  # inside a function, and relative
            {
                "__init__.py": "",
                "a.py": "def f():\n    from mizan.b import x\n",
                "b.py": "from .a import y\n",
            },
            [["mizan.a", "mizan.b"]],
        ),
        (  # TYPE_CHECKING does not count
            {
                "__init__.py": "",
                "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import mizan.b\n",
                "b.py": "import mizan.a\n",
            },
            [],
        ),
        (  # `from pkg import name` is pkg.name when that is a module, else pkg
            {
                "__init__.py": "",
                "pkg/__init__.py": "x = 1\n",
                "pkg/sub.py": "import mizan.a\n",
                "a.py": "from mizan.pkg import sub\nfrom mizan.pkg import x\n",
            },
            [["mizan.a", "mizan.pkg.sub"]],
        ),
    ],
)
def test_the_checker_sees_every_kind_of_import(
    tmp_path: Path, files: dict[str, str], expected: list[list[str]]
) -> None:
    modules = _tree(tmp_path, files)
    assert cycles(imports(modules)) == expected


# docs/reference/architecture.md, "Import directions": a module imports only modules of its
# own rank or below. The first prefix that matches a module gives its rank.
RANKS: list[tuple[int, tuple[str, ...]]] = [
    (7, ("mizan.apps",)),
    (6, ("mizan.forms", "mizan.channels", "mizan.contrib")),
    (3, ("mizan.schema", "mizan.persisted.operations", "mizan.persisted.canonical")),
    (4, ("mizan.runtime", "mizan.cache", "mizan.invalidation", "mizan.ratelimit")),
    (0, ("mizan.canonical", "mizan.naming", "mizan.exceptions", "mizan.conf")),
    (1, ("mizan.definitions", "mizan.registry", "mizan.auth")),
    (2, ("mizan.client", "mizan.contexts", "mizan.setup")),
    (5, ("mizan.",)),  # transports, edge, typescript, management, checks, middleware...
]


def rank(module: str) -> int:
    if module == "mizan":
        return 7
    return next(
        r
        for r, prefixes in RANKS
        if _within(module, prefixes)
        or any(module.startswith(p) for p in prefixes if p.endswith("."))
    )


def test_every_import_points_down_the_layers() -> None:
    wrong = [
        f"{edge} (layer {rank(edge.source)} importing layer {rank(edge.target)})"
        for edge in imports()
        if rank(edge.target) > rank(edge.source)
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("mizan.canonical", 0),
        ("mizan.registry", 1),
        ("mizan.setup.registry", 2),
        ("mizan.schema.compiler", 3),
        ("mizan.persisted.operations", 3),
        ("mizan.runtime.engine", 4),
        ("mizan.invalidation", 4),
        ("mizan.persisted.endpoints", 5),
        ("mizan.views", 5),
        ("mizan.channels.consumer", 6),
        ("mizan", 7),
    ],
)
def test_each_module_has_its_layer(module: str, expected: int) -> None:
    assert rank(module) == expected
