"""The import graphs of the shared package, the dev tools and the benchmark. No import loop in
the dev tools (tools/) or the benchmark (bench/): the graph of their modules' imports of each
other has no cycle. The shared package (`community`) is layered, and its imports only point
down the layers:

    handlers (functions/*/app.py) -> http -> services -> data | gateways | schemas -> core

- http: the FastAPI app factory, bearer auth, caching, HTML pages;
- services: the business rules;
- data: DynamoDB (the only place PynamoDB is imported); gateways: the outside services (SES,
  CloudFront, the Telegram Bot API, Secrets Manager). Neither imports the other;
- schemas: the API's request and response bodies. Core to http, services and the handlers, but
  not to data or gateways: they store and send by the rules in `values`, never by the API's
  shapes;
- core: every other module (values, entities, errors, settings, observability, signed tokens,
  telegram...), which imports only core.

A layer imports its own modules and those below it (MAY_IMPORT), and nothing above services
reaches data or gateways but through services, with one exception: `community.startup` binds
and primes the data layer, so it may import data (and core), and only http and the handlers
import it. Imports inside functions count too: a lazy import only hides a loop (or a wrong turn)
until someone moves it to the top of the file."""

import ast
from pathlib import Path

import pytest

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


LAYERS = ("handlers", "http", "services", "startup", "data", "gateways", "schemas", "core")
# What each layer may import besides its own modules.
MAY_IMPORT = {
    "handlers": {"http", "services", "startup", "schemas", "core"},
    "http": {"services", "startup", "schemas", "core"},
    "services": {"data", "gateways", "schemas", "core"},
    "startup": {"data", "core"},
    "data": {"core"},
    "gateways": {"core"},
    "schemas": {"core"},
    "core": set(),
}
# Third-party packages only one layer may import (boto3 and botocore: ruff's TID251 rule).
OWNED_BY = {"pynamodb": "data"}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "community":
        return "handlers"
    if module == "community.startup":
        return "startup"
    if len(parts) > 1 and parts[1] in ("http", "services", "data", "gateways", "schemas"):
        return parts[1]
    return "core"


def third_party(path: Path) -> set[str]:
    """The top-level names of what `path` imports absolutely (lazy imports too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.partition(".")[0])
    return names


def wrong_turns(graph: Graph, paths: dict[str, Path]) -> list[str]:
    """Every import that points up or sideways, or reaches a layer it must not, sorted."""
    found = []
    for module, targets in sorted(graph.items()):
        layer = layer_of(module)
        allowed = MAY_IMPORT[layer] | {layer}
        found += [
            f"{module} ({layer}) -> {target} ({layer_of(target)})"
            for target in sorted(targets)
            if layer_of(target) not in allowed
        ]
        found += [
            f"{module} ({layer}) -> {package} (only {owner} may)"
            for package, owner in sorted(OWNED_BY.items())
            if package in third_party(paths[module]) and layer != owner
        ]
    return found


def community_graph(top: Path, functions: Path | None = None) -> tuple[Graph, dict[str, Path]]:
    """The import graph of the `community` package under `top`, plus each handler of
    `functions` (functions/<name>/app.py) as `functions.<name>`, with the files they are in."""
    paths = modules_under(top)
    known = set(paths)
    for handler in sorted(functions.glob("*/app.py")) if functions else ():
        paths[f"functions.{handler.parent.name}"] = handler
    graph = {name: imported_modules(name, path, known) for name, path in paths.items()}
    return graph, paths


def test_the_shared_package_imports_only_down_its_layers() -> None:
    # Given the graph of community and of the functions' handlers
    graph, paths = community_graph(ROOT / "layers" / "shared", ROOT / "functions")

    # Then it is read (each layer is present, lazy imports included), has no loop, and every
    # import points down the layers
    assert {layer_of(module) for module in graph} == set(LAYERS)
    assert "community.data.models" in graph["community.startup"]
    assert "community.startup" in graph["community.http.app"]
    assert "community.gateways.mail" in graph["community.services.email"]
    assert loops(graph) == [], describe(graph)
    turns = wrong_turns(graph, paths)
    assert turns == [], "imports against the layers:\n  " + "\n  ".join(turns)


@pytest.mark.parametrize(
    ("module", "source", "turn"),
    [
        (
            "data/events.py",
            "def later():\n    from community.services import users\n",
            "community.data.events (data) -> community.services.users (services)",
        ),
        (
            "data/events.py",
            "from community.gateways import mail\n",
            "community.data.events (data) -> community.gateways.mail (gateways)",
        ),
        (
            "schemas/events.py",
            "from ..data import events\n",
            "community.schemas.events (schemas) -> community.data.events (data)",
        ),
        (
            "data/models.py",
            "from community.schemas.events import EventPublic\n",
            "community.data.models (data) -> community.schemas.events (schemas)",
        ),
        (
            "http/app.py",
            "from community.data.models import prime\n",
            "community.http.app (http) -> community.data.models (data)",
        ),
        (
            "services/users.py",
            "from community import startup\n",
            "community.services.users (services) -> community.startup (startup)",
        ),
        (
            "gateways/mail.py",
            "import pynamodb.models\n",
            "community.gateways.mail (gateways) -> pynamodb (only data may)",
        ),
    ],
)
def test_the_layer_check_finds_an_import_that_points_the_wrong_way(
    tmp_path: Path, module: str, source: str, turn: str
) -> None:
    # Given a copy of community's layout whose modules import down the layers, and one module
    # that also imports the wrong way (lazily, relatively, or a library it must not)
    package = tmp_path / "community"
    for name, text in {
        "__init__.py": "",
        "startup.py": "from community.data import models\n",
        "values.py": "",
        "schemas/__init__.py": "",
        "schemas/events.py": "from community import values\n",
        "data/__init__.py": "",
        "data/models.py": "import pynamodb.models\nfrom community import values\n",
        "data/events.py": "from community.data import models\n",
        "gateways/__init__.py": "",
        "gateways/mail.py": "import boto3\n",
        "gateways/cdn.py": "",
        "services/__init__.py": "",
        "services/users.py": "from community.data import events\nimport community.gateways.cdn\n",
        "http/__init__.py": "",
        "http/app.py": "from community import startup\nfrom community.schemas import events\n",
    }.items():
        (package / name).parent.mkdir(exist_ok=True)
        (package / name).write_text(text)
    graph, paths = community_graph(tmp_path)
    assert wrong_turns(graph, paths) == []

    # When that module imports the wrong way too
    (package / module).write_text((package / module).read_text() + source)
    graph, paths = community_graph(tmp_path)

    # Then the check names that import, and only it
    assert wrong_turns(graph, paths) == [turn]


def test_the_dev_tools_and_the_bench_import_each_other_without_a_loop() -> None:
    # Given the import graphs of tools/ (devkit.*) and bench/ (run with bench/ on sys.path)
    tools, bench = import_graph(ROOT / "tools"), import_graph(ROOT / "bench")

    # Then they are read (lazy imports included), and neither has a loop
    server, openapi = tools["devkit.local.server"], tools["devkit.template.openapi"]
    assert "devkit.local.env" in server, server
    assert "devkit.functions.handlers" in openapi, openapi
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
