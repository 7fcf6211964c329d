"""`make openapi`: one OpenAPI document for the whole API, merged from every function's own
FastAPI app (each serves one route, with `openapi_url=None`: the document is not published by
the functions, `app.openapi()` still builds it). Printed to stdout; `make openapi` writes it
to openapi.json, and a test checks the committed file is current."""

import json
from typing import Any

from devkit.functions.handlers import load_module
from devkit.local.env import table_names, use_local_defaults
from devkit.template.reader import routes

TITLE = "Community API"
VERSION = "1.0.0"


class SchemaConflict(Exception):
    pass


def combined_document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    openapi_version = "3.1.0"
    for function in sorted({route.function for route in routes()}):
        document = load_module(function).app.openapi()
        openapi_version = document["openapi"]
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                if method in paths.get(path, {}):
                    raise SchemaConflict(f"{method.upper()} {path} is served by two functions")
                paths.setdefault(path, {})[method] = {**operation, "x-function": function}
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            # Two functions may share a schema (ErrorBody, UserPublic...), never disagree on it.
            if name in schemas and schemas[name] != schema:
                raise SchemaConflict(f"schema {name} differs between functions ({function})")
            schemas[name] = schema
    return {
        "openapi": openapi_version,
        "info": {"title": TITLE, "version": VERSION},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.items()))},
    }


def render() -> str:
    return json.dumps(combined_document(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    # Importing a function reads its settings; the local defaults are enough to build a schema.
    use_local_defaults(table_names())
    print(render(), end="")


if __name__ == "__main__":
    main()
