"""The import graph is the architecture: bytes -> events -> state -> frames -> pixels, one way.

Every ``import`` in the package is read from the source (top-level and lazy ones inside functions
alike) and checked against the layers of ``shared/DESIGN.md``:

    _secrets, _aio  <-  errors  <-  i18n, market  <-  protocol  <-  client  <-  feed  <-  studies, practice  <-  classroom  <-  widgets
                                                    protocol  <-  _web  <-  sim (its server)
                                      protocol, _web, client  <-  relay
    and on top the package face (``iw.*``) and the command line, which wire them together.

A module may import its own package and the layers below it, never one above; the graph of modules has
no cycle. The documented exceptions are listed below with their reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "infoway_widgets"
NAME = "infoway_widgets"

#: layer of each top-level part of the package (higher may import lower)
LAYERS: dict[str, int] = {
    "_secrets": 0,
    "_aio": 0,
    "errors": 1,
    # labels and number formats; raises BadParameterError
    "i18n": 2,
    "market": 2,
    "protocol": 3,
    # the aiohttp pieces both protocol servers (simulated, relay) share
    "_web": 4,
    "client": 5,
    "sim": 5,
    "relay": 6,
    "feed": 7,
    "studies": 8,
    # practice rounds: rules and accounting (pure), rounds drawn from the simulated market
    "practice": 8,
    # the classroom server and its clients; practice markets from recordings
    "classroom": 9,
    "widgets": 10,
    # the package's face and its command line wire everything together
    "__init__": 11,
    "__main__": 11,
    "cli": 11,
    # the old paths of the controls and the bqplot binding, kept as re-exports of widgets/
    "controls": 11,
    "bqplot_live": 11,
}

#: (importer, imported) pairs allowed against the layers, and why
ALLOWED_UPWARD = {
    # the relay's command line can run a simulated upstream (infoway-widgets serve --upstream simulated)
    ("infoway_widgets.relay.cli", "infoway_widgets.sim"),
    # the embedded default: with no key the feed starts the simulated market's server in-process
    ("infoway_widgets.feed", "infoway_widgets.sim"),
}

#: cycles allowed: the relay's Redis coordinator is a plugin the server loads only when configured
ALLOWED_CYCLE_EDGES = {
    ("infoway_widgets.relay.server", "infoway_widgets.relay.coord_redis"),
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(importer: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    if not is_pkg:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _known(name: str) -> str | None:
    """The package module ``name`` refers to (a module, or the package holding a name)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:`` (annotations only: never executed)."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if (
                isinstance(child, ast.If)
                and getattr(child.test, "id", getattr(child.test, "attr", "")) == "TYPE_CHECKING"
            ):
                todo.extend(child.orelse)
                continue
            todo.append(child)
    return out


def _edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        is_pkg = path.name == "__init__.py"
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, is_pkg, node)
                # `from pkg import sub` is an edge to the submodule; `from pkg import name`
                # to the package that defines (or re-exports) the name
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                    for a in node.names
                ]
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                # importlib.import_module(f".{name}", __name__)-style seams are lazy edges too
                continue
            for t in targets:
                if t == NAME or t.startswith(NAME + "."):
                    k = _known(t)
                    if k is not None and k != mod:
                        graph[mod].add(k)
    return graph


GRAPH = _edges()


def _part(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(mod: str) -> int:
    part = _part(mod)
    if part not in LAYERS:
        pytest.fail(f"{mod}: its part {part!r} has no layer in tests/test_layers.py; add it")
    return LAYERS[part]


def _allowed_upward(a: str, b: str) -> bool:
    return any(
        (a == x or a.startswith(x + ".")) and (b == y or b.startswith(y + "."))
        for x, y in ALLOWED_UPWARD
    )


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for a, targets in GRAPH.items():
        for b in targets:
            if _part(a) == _part(b):
                continue
            if _layer(b) >= _layer(a) and not _allowed_upward(a, b):
                wrong.append(f"{a} -> {b}")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles_lazy_ones_included() -> None:
    graph = {a: {b for b in bs if (a, b) not in ALLOWED_CYCLE_EDGES} for a, bs in GRAPH.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_pure_layers_do_no_io() -> None:
    """protocol/, market/ and practice/ parse and decide; they import no socket, HTTP or asyncio library."""
    io = {"asyncio", "socket", "websockets", "aiohttp", "httpx", "ipywidgets", "anywidget", "redis"}
    bad = []
    for mod, path in MODULES.items():
        if _part(mod) not in ("protocol", "market", "practice"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            bad += [f"{mod} imports {n}" for n in names if n.split(".")[0] in io]
    assert not bad, "\n".join(bad)
