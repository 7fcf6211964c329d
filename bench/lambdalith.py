"""The lambdalith: every route of every function in one FastAPI app, as one Lambda would
hold them. LAMBDALITH_FUNCTIONS names the folder holding the functions' folders (bench/run.py
points it at the build); by default, the sources."""

import importlib.util
import os
from pathlib import Path

from mangum import Mangum

from community.http.app import create_app

app = create_app("lambdalith")
FUNCTIONS = (
    os.environ.get("LAMBDALITH_FUNCTIONS") or Path(__file__).resolve().parents[1] / "functions"
)
for app_file in sorted(Path(FUNCTIONS).glob("*/app.py")):
    spec = importlib.util.spec_from_file_location(f"lith_{app_file.parent.name}", app_file)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if hasattr(module, "app"):  # the reminder sweep has no routes
        app.include_router(module.app.router)

handler = Mangum(app, lifespan="off")
