"""Loading the functions' Lambda handlers exactly as template.yaml names them."""

import asyncio
import importlib.util
import json
import sys
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from devkit.functions.apigw import LambdaContext
from devkit.template.reader import ROOT, Route, resources, routes

_thread_state = threading.local()
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@cache
def _load(route_function: str, code_dir: str, module: str, attribute: str) -> Handler:
    path = f"{code_dir}/{module}.py"
    # Every function has an app.py; a distinct module name keeps them apart in one process.
    spec = importlib.util.spec_from_file_location(f"functions_{route_function}_{module}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = loaded  # so load_module finds it
    spec.loader.exec_module(loaded)
    handler: Handler = getattr(loaded, attribute)
    return handler


def load_handler(route: Route) -> Handler:
    return _load(route.function, str(route.code_dir), route.module, route.attribute)


def function_route(function: str) -> Route:
    """The function's route; a function without one (the scheduled reminder sweep) gets a
    route-like record of its handler, so it loads and runs the same way."""
    found = next((route for route in routes() if route.function == function), None)
    if found is not None:
        return found
    properties = resources("AWS::Serverless::Function")[function]["Properties"]
    module, attribute = properties["Handler"].rsplit(".", 1)
    return Route(function, "", "", ROOT / properties["CodeUri"], module, attribute)


def handler_for(function: str) -> Handler:
    return load_handler(function_route(function))


def load_module(function: str) -> Any:
    """The imported module of a function (its FastAPI `app` lives there)."""
    route = function_route(function)
    load_handler(route)
    return sys.modules[f"functions_{route.function}_{route.module}"]


def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
    """Call a function's handler as Lambda would, from any thread."""
    if threading.current_thread() is not threading.main_thread() and not hasattr(
        _thread_state, "loop"
    ):
        # Mangum runs each request on the thread's event loop; worker threads have none.
        _thread_state.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_thread_state.loop)
    response = handler_for(function)(json.loads(json.dumps(event)), LambdaContext(function))
    return response
