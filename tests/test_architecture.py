"""The arrows between the apps run one way, and no import hides a cycle.

Every module of the project's own packages is parsed (with `ast`, nothing is
imported), its imports at module level and inside functions alike. From them:
the module graph, which must have no cycle, and the app graph, whose every
edge must be in `ALLOWED_APP_EDGES`. An import inside a function that reaches
another app is refused as well: a lazy import that dodges a cycle is the cycle.
Migrations are not app code (Django writes their imports); tests are not app
code either.
"""

import ast
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Cross-cutting HTTP plumbing: imports no app.
PLUMBING = "api"
# One Django app per concept, people at the bottom.
APPS = ("accounts", "teams", "apikeys", "sites", "sharedlinks")
# Composition roots (settings, URLconf, servers; the benchmark's settings and
# URLconf): they may import every app, and may import lazily (after setup).
ROOTS = ("config", "benchmarks")
PACKAGES = (PLUMBING, *APPS, *ROOTS)

# An app may import the apps below it and the plumbing package, nothing else:
# accounts (people) ← teams ← apikeys ← sites ← sharedlinks. So `teams` and
# `accounts` know nothing of sites, keys or links, `apikeys` nothing of sites
# or links, `sites` nothing of shared links, and everything may know people.
_LAYERS = ("accounts", "teams", "apikeys", "sites", "sharedlinks")
ALLOWED_APP_EDGES = frozenset(
    {(upper, lower) for i, upper in enumerate(_LAYERS) for lower in _LAYERS[:i]}
    | {(app, PLUMBING) for app in APPS}
    | {(root, other) for root in ROOTS for other in PACKAGES if other != root}
)

# Imports that break the rules today, as (importing module, imported module).
# Each is removed by a later step of the restructuring (issue 13); this list
# may only shrink: the test fails if one of them no longer exists.
KNOWN_VIOLATIONS: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported project module
    path: Path
    line: int
    lazy: bool  # inside a function

    def where(self) -> str:
        kind = "lazy import" if self.lazy else "import"
        return f"{self.path.relative_to(ROOT)}:{self.line}: {kind} of {self.target}"


def app_of(module: str) -> str:
    return module.split(".", 1)[0]


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module `name` denotes: itself, else its nearest parent."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


class _ImportVisitor(ast.NodeVisitor):
    def __init__(self, module: str, path: Path, modules: dict[str, Path]):
        self.module, self.path, self.modules = module, path, modules
        self.is_package = path.name == "__init__.py"
        self.depth = 0
        self.found: list[Import] = []

    def _add(self, name: str, node: ast.AST) -> None:
        target = _resolve(name, self.modules)
        if target is not None and target != self.module:
            self.found.append(Import(self.module, target, self.path, node.lineno, self.depth > 0))

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Import(self, node):
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node):
        base = node.module or ""
        if node.level:
            package = self.module if self.is_package else self.module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        for alias in node.names:
            # `from sites import services` imports the module sites.services.
            self._add(f"{base}.{alias.name}" if base else alias.name, node)


def all_imports() -> list[Import]:
    modules = project_modules()
    found = []
    for module, path in modules.items():
        visitor = _ImportVisitor(module, path, modules)
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        found.extend(visitor.found)
    return found


def _is_violation(edge: Import) -> bool:
    source_app, target_app = app_of(edge.source), app_of(edge.target)
    if source_app == target_app:
        return False
    if (source_app, target_app) not in ALLOWED_APP_EDGES:
        return True
    return edge.lazy and source_app not in ROOTS


def _cycles(edges: list[Import]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                connect(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


def app_edges(imports: list[Import] | None = None) -> Counter:
    """(importing app, imported app) → how many module pairs make that edge."""
    imports = all_imports() if imports is None else imports
    pairs = {(i.source, i.target) for i in imports if app_of(i.source) != app_of(i.target)}
    return Counter((app_of(source), app_of(target)) for source, target in pairs)


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return all_imports()


def test_the_parser_sees_the_project(imports):
    # Guards the guard: a broken walk would find no edges and pass everything.
    assert {app_of(i.source) for i in imports} >= {"config", "sites", "apikeys"}
    assert any(i.lazy for i in imports)


def test_no_module_imports_itself_through_others(imports):
    edges = [i for i in imports if (i.source, i.target) not in KNOWN_VIOLATIONS]
    cycles = _cycles(edges)
    lines = []
    for component in cycles:
        members = set(component)
        lines.append("cycle between " + ", ".join(component) + ":")
        lines.extend(
            f"  {edge.where()}"
            for edge in edges
            if edge.source in members and edge.target in members
        )
    assert not cycles, "\n".join(lines)


def test_every_import_between_apps_runs_along_an_allowed_arrow(imports):
    offending = [
        i for i in imports if _is_violation(i) and (i.source, i.target) not in KNOWN_VIOLATIONS
    ]
    lines = []
    for edge in offending:
        source_app, target_app = app_of(edge.source), app_of(edge.target)
        if (source_app, target_app) in ALLOWED_APP_EDGES:
            why = f"an import inside a function hides {source_app} → {target_app}"
        else:
            why = f"{source_app} may not import {target_app}"
        lines.append(f"{edge.where()} ({why})")
    assert not offending, "Imports against the arrows (tests/test_architecture.py):\n" + "\n".join(
        lines
    )


def test_every_known_violation_still_exists(imports):
    # Fixed ones must leave the list, so that it says what is left to do.
    violations = {(i.source, i.target) for i in imports if _is_violation(i)}
    gone = sorted(KNOWN_VIOLATIONS - violations)
    assert not gone, "No longer violations; remove them from KNOWN_VIOLATIONS: " + ", ".join(
        f"{source} → {target}" for source, target in gone
    )


def test_the_plumbing_package_imports_no_app(imports):
    reached = sorted(
        i.where() for i in imports if app_of(i.source) == PLUMBING and app_of(i.target) != PLUMBING
    )
    assert not reached, "\n".join(reached)
