"""`make bench`: cold starts, warm overhead, DynamoDB calls and package sizes, measured in one
run on this machine. Prints a table and writes bench/results.json. Run by `make bench` (and
bench-short), whose PYTHONPATH gives it the shared package and the dev tools.

Cold start = a fresh interpreter importing the handler and answering its fixture event, with
DynamoDB on moto's server over loopback (interpreter start-up itself, equal for all, is not
counted). The floor is a bare FastAPI + Mangum + PynamoDB one-route handler doing one GetItem;
the lambdalith is every route in one FastAPI app answering the same event. All targets are
measured round-robin in the same run, so machine noise hits them alike; compare ratios."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from layout import BENCH, BUILD, LAMBDA_FLAGS, ROOT, lambda_layout, sizes, without_bytecode
from report import first_open, function_row, print_table

from devkit.local.env import LOCAL_DEFAULTS, table_names
from devkit.local.processes import free_port, running


def environment() -> dict[str, str]:
    """The local defaults (devkit.local.env), with tables and a Powertools service of the
    bench's own; the children get the shared package and the dev tools on their path."""
    return {
        **LOCAL_DEFAULTS,
        **table_names("bench"),
        "POWERTOOLS_METRICS_NAMESPACE": "Bench",
        "POWERTOOLS_SERVICE_NAME": "bench",
        # Production's level: the per-request access line is part of the overhead measured.
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "PYTHONPATH": f"{ROOT / 'layers/shared'}:{ROOT / 'tools'}",
        "PYTHONDONTWRITEBYTECODE": "",
    }


def run_child(
    script: str, *args: str, env: dict[str, str], flags: tuple[str, ...] = ()
) -> dict[str, Any]:
    finished = subprocess.run(
        [sys.executable, *flags, str(BENCH / script), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if finished.returncode != 0:
        # The child's own error, not just its exit status: a bench that fails says why.
        raise RuntimeError(f"{script} {' '.join(args)} failed:\n{finished.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


# Functions fed by a DynamoDB Stream, measured with their fixture like the API's.
STREAM_FUNCTIONS = {"NoticeSenderFunction"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per target")
    parser.add_argument("--warm", type=int, default=2000, help="warm invocations per function")
    parser.add_argument(
        "--compare",
        type=int,
        metavar="N",
        help="measure the source build and the lambdalith for the first N functions only "
        "(default: every function; bench-short uses 1, which still runs every kind of target)",
    )
    parser.add_argument("--trace", action="store_true", help="with Powertools Tracer enabled")
    parser.add_argument(
        "--results", type=Path, default=BENCH / "results.json", help="where the JSON goes"
    )
    args = parser.parse_args()

    os.environ.update(environment())
    os.environ["POWERTOOLS_TRACE_DISABLED"] = "false" if args.trace else "true"
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    moto = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with running(moto, workdir / "moto.log", f"{url}/moto-api/"):
        os.environ["DYNAMODB_ENDPOINT_URL"] = url
        return measure(args, workdir)


def measure(args: argparse.Namespace, workdir: Path) -> int:
    from community import startup
    from devkit.functions.fixtures import load_event
    from devkit.functions.placeholders import fixture_for, values_for
    from devkit.template.dynamo import (
        configured_table_names,
        create_missing_tables,
        dynamodb_client,
    )
    from devkit.template.reader import resources, routes

    create_missing_tables(
        dynamodb_client(os.environ["DYNAMODB_ENDPOINT_URL"]), configured_table_names()
    )
    # The fixtures' placeholders are made through the services in this process, on its tables.
    startup.start()
    # The API's functions, and the stream-fed notice sender (its fixture: a notice of an unknown
    # event, which reads the event and sends nothing); the scheduled reminder sweep answers no
    # request (and sends messages).
    http_functions = {route.function for route in routes()}
    functions = {
        name: fixture_for(resource["Properties"]["CodeUri"])
        for name, resource in sorted(resources("AWS::Serverless::Function").items())
        if name in http_functions or name in STREAM_FUNCTIONS
    }
    values_for("users_me")  # a returning member, so logins measure the common path
    env = dict(os.environ)

    def fresh_event(fixture: str) -> str:
        path = workdir / f"{fixture}-{time.monotonic_ns()}.json"
        path.write_text(json.dumps(load_event(fixture, **values_for(fixture))))
        return str(path)

    floor_event = workdir / "floor.json"
    floor_event.write_text(
        json.dumps(
            {
                **load_event("events_upcoming"),
                "rawPath": "/hello",
                "routeKey": "GET /hello",
                "rawQueryString": "",
            }
        )
    )
    floor_event_data = json.loads(floor_event.read_text())
    floor_event_data["requestContext"]["http"]["path"] = "/hello"
    floor_event.write_text(json.dumps(floor_event_data))

    # Cold starts run what `sam build` made, as Lambda lays it out (the function's folder,
    # then the layers' python/ folders), isolated from this venv (-I -S: no site-packages, no
    # PYTHONPATH) and unable to write bytecode (-B: Lambda's file system is read-only). The
    # floor and the lambdalith are compiled the same way; "source" is the same build with its
    # bytecode removed, which is what SAM's own python3.13 builder ships.
    built = lambda_layout(BUILD, workdir / "built-extras")
    source = lambda_layout(without_bytecode(BUILD, workdir / "source"), workdir / "source-extras")
    env["LAMBDALITH_FUNCTIONS"] = str(BUILD)
    # The lambdalith holds routes only: a stream function is never compared with it.
    compared = set([f for f in functions if f in http_functions][: args.compare])
    cold: dict[str, list[dict[str, Any]]] = {}
    for run in range(args.runs):
        targets = [("floor", *built.target("floor_app.py"), str(floor_event))]
        for function, fixture in functions.items():
            targets.append((function, *built.function(function), fresh_event(fixture)))
            if function not in compared:
                continue
            targets.append((f"source:{function}", *source.function(function), fresh_event(fixture)))
            targets.append(
                (f"lambdalith:{function}", *built.target("lambdalith.py"), fresh_event(fixture))
            )
        for name, module, paths, event in targets:
            cold.setdefault(name, []).append(
                run_child("cold_child.py", module, event, *paths, env=env, flags=LAMBDA_FLAGS)
            )
        print(f"cold run {run + 1}/{args.runs}", file=sys.stderr)

    warm = {
        function: run_child(
            "warm_child.py",
            str(ROOT / "functions" / fixture / "app.py"),
            fresh_event(fixture),
            str(args.warm),
            env=env,
        )
        for function, fixture in functions.items()
    }
    floor_ms = statistics.median(r["first_response_ms"] for r in cold["floor"])
    rows = [function_row(function, cold, warm, floor_ms) for function in functions]
    results = {
        "first_open": first_open(cold, warm),
        "runs": args.runs,
        "warm_iterations": args.warm,
        "tracer_enabled": args.trace,
        "python": sys.version.split()[0],
        "floor_cold_ms": round(floor_ms, 1),
        "functions": rows,
        "sizes": sizes(),
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
