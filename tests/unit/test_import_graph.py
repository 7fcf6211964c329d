"""No import loop in the dev tools (tools/) or the benchmark (bench/): the graph of their
modules' imports of each other has no cycle. Imports inside functions count too: a lazy import
only hides a loop until someone moves it to the top of the file."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
Graph = dict[str, set[str]]


def modules_under(top: Path) -> dict[str, Path]:
    """Every module below `top` by the name it is imported as (a package by its __init__.py)."""
    found = {}
    for path in sorted(top.rglob("*.py")):
        parts = path.relative_to(top).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            found[".".join(parts)] = path
    return found


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that module `name` imports: for `from a.b import c` the module
    a.b.c if there is one, else a.b."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            candidates = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


def import_graph(top: Path) -> Graph:
    modules = modules_under(top)
    return {name: imported_modules(name, path, set(modules)) for name, path in modules.items()}


def loops(graph: Graph) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a cycle (the strongly
    connected components of more than one module, by Tarjan's algorithm), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def describe(graph: Graph) -> str:
    """Each loop's modules with what each imports of the others."""
    return "import loops:\n" + "\n".join(
        "  " + "; ".join(f"{m} -> {', '.join(sorted(graph[m] & set(group)))}" for m in group)
        for group in loops(graph)
    )


def test_the_dev_tools_and_the_bench_import_each_other_without_a_loop() -> None:
    # Given the import graphs of tools/ (devkit.*) and bench/ (run with bench/ on sys.path)
    tools, bench = import_graph(ROOT / "tools"), import_graph(ROOT / "bench")

    # Then they are read (lazy imports included), and neither has a loop
    assert "devkit.localenv" in tools["devkit.server"], tools["devkit.server"]
    assert "devkit.handlers" in tools["devkit.openapi"], tools["devkit.openapi"]
    assert {"layout", "report"} <= bench["run"], bench["run"]
    assert loops(tools) == [], describe(tools)
    assert loops(bench) == [], describe(bench)


def test_the_loop_check_finds_a_loop_a_function_level_or_relative_import_makes(
    tmp_path: Path,
) -> None:
    # Given a package whose modules import each other round two cycles: one through an import
    # inside a function, one through relative imports, and a third module outside both
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def later():\n    from pkg.a import thing\n")
    (package / "c.py").write_text("from . import d\nimport pkg.a\n")
    (package / "d.py").write_text("from .c import thing\n")

    # When the graph is read
    graph = import_graph(tmp_path)

    # Then both loops are found, and the module that only imports into one is in neither
    assert graph["pkg.c"] == {"pkg.a", "pkg.d"}
    assert loops(graph) == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.d"]]
