"""openapi.json is the combined document of every function, as `make openapi` writes it, and the
Mini App's API types are generated from it."""

import subprocess

import pytest

from devkit.template.openapi import SchemaConflict, combined_document, render
from devkit.template.reader import routes


def test_the_committed_openapi_json_is_current(repo_root) -> None:  # type: ignore[no-untyped-def]
    committed = (repo_root / "openapi.json").read_text()

    assert committed == render(), "openapi.json is stale: run `make openapi` and commit it"


def test_the_mini_apps_api_types_are_generated_from_the_committed_document(repo_root) -> None:  # type: ignore[no-untyped-def]
    miniapp = repo_root / "miniapp"
    if not (miniapp / "node_modules/.bin/openapi-typescript").exists():
        pytest.fail("miniapp/node_modules is missing: `make miniapp` installs it (npm ci)")

    # openapi-typescript's own --check: it generates from openapi.json as `make openapi` does
    # (the flags are in package.json's api-types script) and compares with the committed file.
    check = subprocess.run(
        ["npm", "run", "--silent", "api-types", "--", "--check"],
        cwd=miniapp,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )

    assert check.returncode == 0, (
        "miniapp/src/api-types.ts is stale: run `make openapi` and commit it\n"
        + check.stdout
        + check.stderr
    )


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
