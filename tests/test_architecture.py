"""The shape of the package, checked: no import cycles, no reaching into another module's
private names, no module too long to read, and docs/ARCHITECTURE.md naming every package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "derive"
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
PACKAGES = sorted(name for name, p in MODULES.items() if p.name == "__init__.py")


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """The absolute module an ImportFrom names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not MODULES[module].name == "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, top_level_only: bool) -> list[tuple[str, str, int]]:
    """(imported module, imported name or '', line) for every import of a derive module."""
    tree = ast.parse(MODULES[module].read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(a.name, "", node.lineno) for a in node.names if a.name.split(".")[0] == "derive"]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            if target.split(".")[0] != "derive":
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.append((sub, "", node.lineno) if sub in MODULES else (target, a.name, node.lineno))
    return found


def test_every_module_is_short_enough_to_read():
    long = {name: n for name, p in MODULES.items() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_module_imports_another_modules_private_names():
    private = [f"{m}:{line} imports {target}.{name}" for m in MODULES
               for target, name, line in _imports(m, top_level_only=False)
               if name.startswith("_") and target != m]
    assert not private, "\n".join(private)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _graph() -> dict[str, set[str]]:
    """Module-level imports between derive's modules (a package's __init__ re-exporting its
    own submodules is not an edge back into the package)."""
    graph: dict[str, set[str]] = {}
    for m in MODULES:
        edges = set()
        for target, _name, _line in _imports(m, top_level_only=True):
            while target not in MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in MODULES and target != m and not m.startswith(target + "."):
                edges.add(target)
        graph[m] = edges
    return graph


def test_module_imports_have_no_cycles():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("package", PACKAGES)
def test_architecture_document_names_every_package(package):
    doc = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    path = package.replace(".", "/") + "/"
    assert path in doc, f"docs/ARCHITECTURE.md does not describe the package {path}"


def test_no_file_points_outside_the_repository():
    import re
    outside = "/".join(("", "wo" + "rk", ""))  # spelled in pieces so that this line does not match itself
    bad = re.compile(r"\.\./shared|" + outside + r"|shared/(LATEX|DESIGN|STYLE)\.md|\bissue #?\d+\b", re.I)
    offenders = []
    for path in ROOT.rglob("*"):
        if (not path.is_file() or any(part in {".git", ".venv", "outputs", "__pycache__", ".pytest_cache",
                                               ".hypothesis"} for part in path.parts)
                or path.suffix not in {".py", ".md", ".toml", ".txt", ".cfg", ""}):
            continue
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if bad.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    assert not offenders, "\n".join(offenders)
