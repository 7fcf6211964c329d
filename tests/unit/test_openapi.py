"""openapi.json is the combined document of every function, as `make openapi` writes it."""

import pytest

from devkit.template.openapi import SchemaConflict, combined_document, render
from devkit.template.reader import routes


def test_the_committed_openapi_json_is_current(repo_root) -> None:  # type: ignore[no-untyped-def]
    committed = (repo_root / "openapi.json").read_text()

    assert committed == render(), "openapi.json is stale: run `make openapi` and commit it"


def test_every_route_of_the_template_is_in_the_document() -> None:
    paths = combined_document()["paths"]

    for route in routes():
        assert route.method.lower() in paths[route.path], route


def test_two_functions_disagreeing_on_a_schema_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from devkit.template import openapi

    documents = iter(
        [
            {"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"A": {"type": "string"}}}},
            {
                "openapi": "3.1.0",
                "paths": {},
                "components": {"schemas": {"A": {"type": "integer"}}},
            },
        ]
    )

    class Module:
        class app:
            @staticmethod
            def openapi() -> dict[str, object]:
                return next(documents)

    monkeypatch.setattr(openapi, "load_module", lambda _: Module)
    with pytest.raises(SchemaConflict, match="schema A differs"):
        combined_document()
