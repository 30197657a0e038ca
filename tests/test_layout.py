"""The package's layout rules (docs/internals.md): the folder list is the pipeline.

- The stages (`store`, `site`, `render`, `search`) import nothing from the machinery that
  wraps or drives them (`incremental`, `build`, `write`, `commands`), nor `cli`.
- `model`, `urls`, `site` do no I/O: they import no file, process or network module.
- Only `sources/` imports httpx; only `render/templates.py` imports jinja2 at module level
  (other render modules may name it for type hints only).
- No import circle between modules (lazy imports inside functions count too).
- No module over 400 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sitegen"
STAGES = ("store", "site", "render", "search")
WRAPPERS = ("incremental", "build", "write", "commands", "cli")
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, typing: bool = False) -> list[tuple[str, bool]]:
    """(imported module, at module level) for every import of sitegen or a library; with
    `typing`, the imports made for type hints only (`if TYPE_CHECKING:`) count too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_nodes = {id(sub) for node in tree.body
                    if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                    for sub in ast.walk(node)}
    top_level = {id(node) for node in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if id(node) in typing_nodes and not typing:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, id(node) in top_level))
            if node.module == "sitegen" or node.module.startswith("sitegen."):
                found += [(f"{node.module}.{alias.name}", id(node) in top_level)
                          for alias in node.names]
    return found


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _sitegen_deps(name: str, typing: bool = False) -> set[str]:
    """The sitegen modules `name` imports (at run time; with `typing`, for hints too)."""
    return {imported for imported, _ in _imports(MODULES[name], typing)
            if imported in MODULES and imported != name}


def test_stages_import_nothing_that_wraps_them():
    bad = []
    for name in MODULES:
        parts = name.split(".")
        if len(parts) > 1 and parts[1] in STAGES:
            for dep in _sitegen_deps(name):
                dep_parts = dep.split(".")
                if len(dep_parts) > 1 and dep_parts[1] in WRAPPERS:
                    bad.append(f"{name} -> {dep}")
    assert bad == []


def test_pure_modules_do_no_io():
    io_modules = {"os", "io", "pathlib", "shutil", "subprocess", "socket", "httpx",
                  "multiprocessing", "tempfile"}
    bad = []
    for name, path in MODULES.items():
        if name in ("sitegen.model", "sitegen.urls") or name.startswith("sitegen.site."):
            bad += [f"{name} -> {m}" for m, _ in _imports(path) if m.split(".")[0] in io_modules]
    assert bad == []


def test_only_sources_use_the_network_and_only_templates_jinja():
    bad = []
    for name, path in MODULES.items():
        for imported, top in _imports(path):
            root = imported.split(".")[0]
            if root == "httpx" and not name.startswith("sitegen.sources."):
                bad.append(f"{name} -> httpx")
            if root == "jinja2" and top and name != "sitegen.render.templates":
                bad.append(f"{name} -> jinja2 (at module level)")
    assert bad == []


def test_no_import_circles():
    # type hints count: a circle through them is a sign that a module owns what should
    # wrap it (a stage importing its cache for a type)
    graph = {name: _sitegen_deps(name, typing=True) for name in MODULES}
    circles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                circles.append(" -> ".join(stack[stack.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert circles == []


def test_no_module_is_over_400_lines():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
