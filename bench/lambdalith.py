"""The lambdalith: every route of every function in one FastAPI app, as one Lambda would
hold them."""

import importlib.util
from pathlib import Path

from mangum import Mangum

from community.http.app import create_app

app = create_app("lambdalith")
for app_file in sorted((Path(__file__).resolve().parents[1] / "functions").glob("*/app.py")):
    spec = importlib.util.spec_from_file_location(f"lith_{app_file.parent.name}", app_file)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if hasattr(module, "app"):  # the reminder sweep has no routes
        app.include_router(module.app.router)

handler = Mangum(app, lifespan="off")
