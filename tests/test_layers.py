"""The layer table of docs/architecture.md holds: every import in src/belfort is allowed by it,
and no units import each other through any chain.

The table is read from the document itself (the section "Layers"), so the document cannot
drift from what is enforced. Every ``import`` and ``from … import`` counts — at module level,
inside functions, under ``TYPE_CHECKING`` — and so does ``importlib.import_module("belfort…")``
with a literal name.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"
PACKAGE_DIR = ROOT / "src" / "belfort"

_CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Unit:
    name: str
    modules: tuple[str, ...]
    layer: int
    may_import: frozenset[str]


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module
    line: int


def parse_table(markdown: str) -> dict[str, Unit]:
    """The units of the first table whose header begins
    ``| unit | modules | layer | may import``."""
    units: dict[str, Unit] = {}
    in_table = False
    for line in markdown.splitlines():
        cells = (
            [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        )
        if not in_table:
            if [c.lower() for c in cells[:4]] == ["unit", "modules", "layer", "may import"]:
                in_table = True
            continue
        if not cells:
            break
        if set(cells[0]) <= {"-", ":"}:
            continue
        name = _CODE.findall(cells[0])
        if len(name) != 1:
            raise ValueError(f"layer table: a unit row names one unit in backticks: {line!r}")
        units[name[0]] = Unit(
            name[0],
            tuple(_CODE.findall(cells[1])),
            int(cells[2]),
            frozenset(_CODE.findall(cells[3])),
        )
    if not units:
        raise ValueError("no layer table (| unit | modules | layer | may import | …) found")
    return units


def module_name(path: Path, package_dir: Path) -> str:
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str, package_dir: Path) -> bool:
    path = package_dir.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path: Path, package_dir: Path) -> list[Import]:
    """Every import of the package's own modules in one file (``from p import m`` is an
    import of module ``p.m`` when that is a module, else of ``p``)."""
    root = package_dir.name
    module = module_name(path, package_dir)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            for alias in node.names:
                sub = f"{name}.{alias.name}"
                targets.append(sub if _is_module(sub, package_dir) else name)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            targets = [node.args[0].value]
        found.extend(
            Import(module, t, node.lineno) for t in targets if t == root or t.startswith(root + ".")
        )
    return found


def unit_of(module: str, units: dict[str, Unit], root: str) -> str | None:
    """The unit naming the longest prefix of ``module`` (the root package names only itself)."""
    best: tuple[int, str] | None = None
    for unit in units.values():
        for prefix in unit.modules:
            matches = module == prefix or (prefix != root and module.startswith(prefix + "."))
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), unit.name)
    return best[1] if best else None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def check(package_dir: Path, units: dict[str, Unit]) -> list[str]:
    """Every problem: a table that is not layered, a module no unit names, an import the
    table does not allow, a cycle between units."""
    root = package_dir.name
    problems: list[str] = []
    for unit in units.values():
        for other in sorted(unit.may_import):
            if other not in units:
                problems.append(f"table: {unit.name} may import unknown unit {other}")
            elif units[other].layer >= unit.layer:
                problems.append(
                    f"table: {unit.name} (layer {unit.layer}) may import {other} "
                    f"(layer {units[other].layer}), which is not lower"
                )
    graph: dict[str, set[str]] = {}
    for path in sorted(package_dir.rglob("*.py")):
        module = module_name(path, package_dir)
        source = unit_of(module, units, root)
        if source is None:
            problems.append(f"{module}: no unit of the layer table names it")
            continue
        graph.setdefault(source, set())
        for imp in imports_of(path, package_dir):
            target = unit_of(imp.target, units, root)
            if target is None or target == source:
                continue
            graph[source].add(target)
            if target not in units[source].may_import:
                problems.append(
                    f"{path.relative_to(package_dir.parent)}:{imp.line}: {source} imports "
                    f"{target} ({imp.target}), which the layer table does not allow"
                )
    problems.extend("import cycle between units: " + " ↔ ".join(c) for c in cycles(graph))
    return list(dict.fromkeys(problems))  # once each (``from m import a, b`` is one import)


# ── The real tree ─────────────────────────────────────────────────────────────────────


def test_every_import_in_belfort_is_allowed_by_the_layer_table() -> None:
    units = parse_table(ARCHITECTURE.read_text(encoding="utf-8"))
    assert check(PACKAGE_DIR, units) == []


def test_the_table_names_every_package_and_top_level_module() -> None:
    units = parse_table(ARCHITECTURE.read_text(encoding="utf-8"))
    listed = {m for u in units.values() for m in u.modules}
    top = {f"belfort.{p.stem}" for p in PACKAGE_DIR.glob("*.py") if p.stem != "__init__"}
    top |= {f"belfort.{p.name}" for p in PACKAGE_DIR.iterdir() if (p / "__init__.py").is_file()}
    assert top - listed == set()


# ── The checker itself, on a small fake tree ──────────────────────────────────────────

TABLE = """
| unit | modules | layer | may import | owns |
|---|---|---|---|---|
| `version` | `pkg` | 0 | — | |
| `base` | `pkg.base` | 0 | — | |
| `model` | `pkg.mid.model` | 1 | `base` | |
| `mid` | `pkg.mid` | 2 | `base`, `model` | |
| `top` | `pkg.top` | 3 | `mid`, `version` | |
"""


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "pkg"
    for name, text in {
        "__init__.py": "",
        "base.py": "",
        "mid/__init__.py": "",
        "mid/model.py": "from pkg import base\n",
        "mid/service.py": "from pkg.mid import model\n",
        "top.py": "from pkg import __version__\nfrom pkg.mid import service\n",
        **files,
    }.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return package


def test_a_tree_that_keeps_its_table_passes(tmp_path: Path) -> None:
    assert check(_tree(tmp_path, {}), parse_table(TABLE)) == []


@pytest.mark.parametrize(
    "text",
    [
        "from pkg.top import something\n",  # upwards, at module level
        "def f():\n    from pkg import top\n",  # inside a function
        # for type checking only
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.top\n",
        "import importlib\nmod = importlib.import_module('pkg.top')\n",  # by name
        "from .. import top\n",  # relative
    ],
)
def test_an_upward_import_fails(tmp_path: Path, text: str) -> None:
    problems = check(_tree(tmp_path, {"mid/service.py": text}), parse_table(TABLE))
    assert any("mid imports top" in p for p in problems), problems
    assert any("cycle" in p and "mid" in p and "top" in p for p in problems), problems


def test_a_sub_unit_may_not_import_its_own_package(tmp_path: Path) -> None:
    problems = check(
        _tree(tmp_path, {"mid/model.py": "from pkg.mid import service\n"}), parse_table(TABLE)
    )
    assert any("model imports mid" in p for p in problems), problems
    assert any(p == "import cycle between units: mid ↔ model" for p in problems), problems


def test_an_unlisted_module_and_a_table_that_is_not_layered_fail(tmp_path: Path) -> None:
    package = _tree(tmp_path, {"extra.py": ""})
    table = TABLE.replace("| `base` | `pkg.base` | 0 | — |", "| `base` | `pkg.base` | 0 | `mid` |")
    problems = check(package, parse_table(table))
    assert "pkg.extra: no unit of the layer table names it" in problems
    assert any(p.startswith("table: base (layer 0) may import mid") for p in problems), problems


def test_cycles_are_found_in_any_chain() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_validating_a_mapping_loads_neither_the_gate_nor_the_platform_nor_the_portal() -> None:
    """The cycle issue 10 found: catalog.metadata → linked.mapping → policy.gate/platform/portal."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom belfort.catalog.metadata import DatasetMetadata\n"
        "DatasetMetadata(title_nl='x', rdf_mapping={'class': 'sosa:Sensor'})\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('belfort'))))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
        ).stdout.split()
    )
    assert "belfort.linked.mapping" in loaded
    assert not {
        m
        for m in loaded
        if m.startswith(
            (
                "belfort.policy",
                "belfort.platform",
                "belfort.portal",
                "belfort.query",
                "belfort.linked.store",
            )
        )
    }
