"""A lint rule: nothing an ``async def`` in ``belfort.api`` or ``belfort.portal`` runs
on the event loop may block it.

An async handler runs on the event loop itself; one blocking call there (a catalogue
write waiting up to the 30 s SQLite busy timeout, a file written to disk) freezes every
request the worker serves. Blocking work belongs in plain ``def`` handlers (FastAPI
runs them in its thread pool) or inside ``run_in_threadpool``/``anyio.to_thread``.

The rule, precisely. A call is *blocking* when it is not directly awaited and

1. its callee's dotted name reaches the catalogue database, the query engine or the data
   directory: it goes through an attribute ``db``, ``engine`` or ``lake`` (``platform.db.
   session()``, ``platform.lake.new_staging_dir()``), opens a database session (the name
   ends in ``.session``) or uses one (it starts with ``session.``);
2. it does file or process I/O: the builtin ``open``, ``os``/``shutil``/``subprocess``
   file and process functions, ``time.sleep``, or a path method that reads, writes or
   lists (``.open()``, ``.read_text()``, ``.write_bytes()``, ``.mkdir()``, ``.iterdir()``, …);
3. or it resolves (through the module's own functions and its ``from belfort… import``
   names) to a plain function anywhere in ``belfort`` whose body makes a blocking call,
   followed transitively (``publishing.update_dataset_metadata`` → ``platform.db.session``).

Inside an ``async def`` every blocking call is an error, except inside a ``lambda`` or a
nested ``def`` (their bodies run wherever they are sent, normally the thread pool;
calling such a nested function directly is rule 3 again). A call that is awaited is
asynchronous by definition and never blocking. Stat-like path checks (``exists``,
``is_dir``) are not counted: on a local disk they are a system call, not a wait.
Methods of classes are not followed (their receivers' types are unknown); rule 1 covers
the platform's objects, which are where the waiting happens.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

THROUGH = frozenset({"db", "engine", "lake"})
PATH_IO = frozenset(
    {
        "open",
        "read_text",
        "write_text",
        "read_bytes",
        "write_bytes",
        "mkdir",
        "iterdir",
        "unlink",
        "rmdir",
        "rename",
        "touch",
        "glob",
        "rglob",
        "rmtree",
        "copyfile",
    }
)
OS_IO = frozenset(
    {
        "remove",
        "unlink",
        "rename",
        "replace",
        "makedirs",
        "mkdir",
        "rmdir",
        "listdir",
        "scandir",
        "walk",
        "fsync",
        "open",
        "read",
        "write",
        "system",
        "popen",
    }
)
SCOPE = ("belfort.api", "belfort.portal")


@dataclass(frozen=True)
class Finding:
    module: str
    line: int
    function: str
    call: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.module}:{self.line} in async {self.function}()"
        return f"{where}: {self.call}() blocks ({self.reason})"


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a name or attribute chain; the chain's tail for ``f().b.c``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif not parts:
        return None
    else:
        parts.append("…")
    return ".".join(reversed(parts))


def seed_reason(name: str, qualified: str) -> str | None:
    """Why a call by this name blocks by rules 1 and 2, or None."""
    parts = name.split(".")
    if any(p in THROUGH for p in parts[:-1]):
        return (
            f"reaches {'.'.join(parts[: [i for i, p in enumerate(parts) if p in THROUGH][0] + 1])}"
        )
    if len(parts) > 1 and parts[-1] == "session":
        return "opens a database session"
    if parts[0] == "session" and len(parts) > 1:
        return "uses a database session"
    if qualified in {"open", "io.open", "time.sleep"}:
        return "does file I/O" if qualified != "time.sleep" else "sleeps"
    root, _, rest = qualified.partition(".")
    if root in {"shutil", "subprocess"} or (root == "os" and rest in OS_IO):
        return f"does {root} I/O"
    if len(parts) > 1 and parts[-1] in PATH_IO:
        return "does file I/O"
    return None


@dataclass
class Module:
    name: str
    tree: ast.Module
    bindings: dict[str, str] = field(default_factory=dict)  # local name → qualified name

    def qualify(self, name: str) -> str:
        head, _, rest = name.partition(".")
        bound = self.bindings.get(head)
        if bound is None:
            return name
        return f"{bound}.{rest}" if rest else bound


def _bindings(name: str, tree: ast.Module, is_package: bool) -> dict[str, str]:
    package = name if is_package else name.rpartition(".")[0]
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                found[alias.asname or alias.name] = f"{base}.{alias.name}"
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found[node.name] = f"{name}.{node.name}"
    return found


def _own_calls(body: Iterable[ast.AST]) -> Iterator[ast.Call]:
    """Calls a function body makes itself: not those of nested lambdas or functions, and
    not calls that are awaited."""
    awaited: set[int] = set()
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            awaited.add(id(node.value))
        if isinstance(node, ast.Call) and id(node) not in awaited:
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _functions(module: Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function of a module with its qualified name (nested ones under their own
    name in the module, so a direct call to a nested helper resolves)."""

    def walk(
        nodes: Iterable[ast.AST], in_class: bool
    ) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for node in nodes:
            if isinstance(node, ast.ClassDef):
                yield from walk(node.body, True)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield (
                    (
                        f"{module.name}.<method>.{node.name}"
                        if in_class
                        else f"{module.name}.{node.name}"
                    ),
                    node,
                )
                yield from walk(node.body, False)
            else:
                yield from walk(ast.iter_child_nodes(node), in_class)

    yield from walk(module.tree.body, False)


class Checker:
    """The rule over a set of modules (name → source)."""

    def __init__(self, sources: dict[str, str], packages: Iterable[str] = ()) -> None:
        self.modules = {
            name: Module(
                name, tree := ast.parse(text), _bindings(name, tree, name in set(packages))
            )
            for name, text in sources.items()
        }
        for module in self.modules.values():  # nested helpers resolve by their own name too
            for qualified, _ in _functions(module):
                if ".<method>." not in qualified:
                    module.bindings.setdefault(qualified.rpartition(".")[2], qualified)
        self.sync: dict[str, tuple[Module, ast.FunctionDef]] = {}
        for module in self.modules.values():
            for qualified, node in _functions(module):
                if isinstance(node, ast.FunctionDef):
                    self.sync.setdefault(qualified, (module, node))
        self.blocking = self._blocking_functions()

    def call_reason(self, module: Module, call: ast.Call) -> tuple[str, str] | None:
        name = dotted(call.func)
        if name is None:
            return None
        qualified = module.qualify(name)
        reason = seed_reason(name, qualified)
        if reason is None and qualified in self.blocking:
            reason = f"calls {qualified}, which {self.blocking[qualified]}"
        return (name, reason) if reason else None

    def _blocking_functions(self) -> dict[str, str]:
        blocking: dict[str, str] = {}
        changed = True
        while changed:
            changed = False
            for qualified, (module, node) in self.sync.items():
                if qualified in blocking:
                    continue
                for call in _own_calls(node.body):
                    name = dotted(call.func)
                    if name is None:
                        continue
                    callee = module.qualify(name)
                    reason = seed_reason(name, callee)
                    if reason is None and callee in blocking and callee != qualified:
                        reason = f"calls {callee}"
                    if reason:
                        blocking[qualified] = (
                            reason
                            if reason.startswith("calls")
                            else f"{reason} (line {call.lineno})"
                        )
                        changed = True
                        break
        return blocking

    def findings(self, scope: tuple[str, ...] = SCOPE) -> list[Finding]:
        found: list[Finding] = []
        for module in self.modules.values():
            if not module.name.startswith(scope):
                continue
            for _, node in _functions(module):
                if not isinstance(node, ast.AsyncFunctionDef):
                    continue
                for call in _own_calls(node.body):
                    hit = self.call_reason(module, call)
                    if hit:
                        found.append(Finding(module.name, call.lineno, node.name, *hit))
                # the defaults and decorators run where the function is defined, not here
        return sorted(found, key=lambda f: (f.module, f.line))


def package_sources(root: Path, package: str = "belfort") -> tuple[dict[str, str], set[str]]:
    """Every module of the package under ``root`` (the ``src`` folder): name → source."""
    sources: dict[str, str] = {}
    packages: set[str] = set()
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
            packages.add(".".join(parts))
        sources[".".join(parts)] = path.read_text(encoding="utf-8")
    return sources, packages
