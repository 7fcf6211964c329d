"""The README's endpoint table names every route of template.yaml with its function and folder,
and nothing else: the last item of "Adding an endpoint" in docs/contributing.md (the others have
their own tests)."""

import re
from pathlib import Path

from devkit.template.reader import ROOT, routes

ROW = re.compile(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`?]+)[^|]*\| `(\w+)` \(`([^`]+)`\)")


def endpoint_rows() -> list[tuple[str, str, str, str]]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("\n## Endpoints\n", 1)[1].split("\n## ", 1)[0]
    return [match.groups() for line in table.splitlines() if (match := ROW.match(line))]


def test_the_endpoint_table_has_one_row_per_route_with_its_function_and_folder() -> None:
    rows = endpoint_rows()
    documented = {
        (method, path.strip()): (function, folder) for method, path, function, folder in rows
    }

    expected = {
        (route.method, route.path): (route.function, route.code_dir.relative_to(ROOT).as_posix())
        for route in routes()
    }

    assert len(rows) == len(documented), "a route has two rows"
    assert set(expected) - set(documented) == set(), "routes missing from README's endpoint table"
    assert set(documented) - set(expected) == set(), "README documents routes the template lacks"
    for route, (function, folder) in expected.items():
        assert documented[route] == (function, folder.rstrip("/")), route
        assert (ROOT / folder / "app.py").exists(), folder


def test_adding_an_endpoint_names_each_step_and_its_test() -> None:
    guide = (ROOT / "docs" / "contributing.md").read_text()
    section = guide.split("\n## Adding an endpoint\n", 1)[1].split("\n## ", 1)[0]

    for step in ("functions/", "template.yaml", "alarm", "events_fixtures/", "make openapi"):
        assert step in section, step
    for test in re.findall(r"`(tests/[\w/]+\.py)`", section):
        assert Path(ROOT / test).exists(), test
