"""`make bench`: cold starts, warm overhead, DynamoDB calls and package sizes, measured in one
run on this machine. Prints a table and writes bench/results.json.

Cold start = a fresh interpreter importing the handler and answering its fixture event, with
DynamoDB on moto's server over loopback (interpreter start-up itself, equal for all, is not
counted). The floor is a bare FastAPI + Mangum + PynamoDB one-route handler doing one GetItem;
the lambdalith is every route in one FastAPI app answering the same event. All targets are
measured round-robin in the same run, so machine noise hits them alike; compare ratios."""

import argparse
import compileall
import json
import os
import py_compile
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
BUILD = ROOT / ".aws-sam" / "build"

ENVIRONMENT = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "USERS_TABLE": "bench-users",
    "EVENTS_TABLE": "bench-events",
    "AUTH_CODES_TABLE": "bench-auth-codes",
    "ATTENDANCES_TABLE": "bench-attendances",
    "TELEGRAM_BOT_TOKEN": "123456:BENCH-BOT-TOKEN",
    "JWT_SECRET": "bench-jwt-secret-0123456789abcdef0123456789abcdef",
    "TELEGRAM_WEBHOOK_SECRET": "bench-webhook-secret",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "POWERTOOLS_SERVICE_NAME": "bench",
    # Production's level: the per-request access line is part of the overhead measured.
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "PYTHONPATH": f"{ROOT / 'layers/shared'}:{ROOT / 'tools'}",
    "PYTHONDONTWRITEBYTECODE": "",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_moto(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto server did not start")


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


# Isolated (no site-packages, no PYTHONPATH), no bytecode writes: as in a Lambda sandbox.
LAMBDA_FLAGS = ("-I", "-S", "-B")


@dataclass(frozen=True)
class LambdaLayout:
    """Module paths and sys.path of a build, as Lambda would see them."""

    build: Path
    extras: Path

    @property
    def layers(self) -> list[str]:
        return [
            str(self.build / layer / "python") for layer in ("SharedLayer", "DependenciesLayer")
        ]

    def function(self, name: str) -> tuple[str, list[str]]:
        return str(self.build / name / "app.py"), [str(self.build / name), *self.layers]

    def target(self, script: str) -> tuple[str, list[str]]:
        """A bench module (floor, lambdalith) run on the same layers, compiled the same way."""
        return str(self.extras / script), [str(self.extras), *self.layers]


def lambda_layout(build: Path, extras: Path) -> LambdaLayout:
    if not (build / "DependenciesLayer").is_dir():
        raise SystemExit(f"{build} has no DependenciesLayer: run `make build` first")
    extras.mkdir(parents=True, exist_ok=True)
    for script in ("floor_app.py", "lambdalith.py"):
        shutil.copy2(BENCH / script, extras / script)
    if any(build.rglob("__pycache__")):
        compileall.compile_dir(
            extras, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
        )
    return LambdaLayout(build, extras)


def without_bytecode(build: Path, copy: Path) -> Path:
    shutil.copytree(build, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def sizes() -> dict[str, Any]:
    if not BUILD.exists():
        return {}
    built = {d.name: directory_size(d) for d in BUILD.iterdir() if d.is_dir()}
    contributors: dict[str, int] = {}
    for layer in ("DependenciesLayer", "SharedLayer"):
        packages = BUILD / layer / "python"
        for entry in packages.iterdir() if packages.exists() else []:
            size = directory_size(entry) if entry.is_dir() else entry.stat().st_size
            contributors[f"{layer}/{entry.name}"] = size
    largest = dict(sorted(contributors.items(), key=lambda item: -item[1])[:8])
    botocore_copies = sum(1 for name in contributors if name.endswith("/botocore"))
    return {
        "unzipped_bytes": built,
        "total_bytes": sum(built.values()),
        "largest": largest,
        "botocore_copies": botocore_copies,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per target")
    parser.add_argument("--warm", type=int, default=2000, help="warm invocations per function")
    parser.add_argument("--trace", action="store_true", help="with Powertools Tracer enabled")
    parser.add_argument(
        "--results", type=Path, default=BENCH / "results.json", help="where the JSON goes"
    )
    args = parser.parse_args()

    os.environ.update(ENVIRONMENT)
    os.environ["POWERTOOLS_TRACE_DISABLED"] = "false" if args.trace else "true"
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    moto, url = start_moto(workdir / "moto.log")
    os.environ["DYNAMODB_ENDPOINT_URL"] = url
    try:
        return measure(args, workdir)
    finally:
        moto.terminate()
        moto.wait(timeout=10)


def measure(args: argparse.Namespace, workdir: Path) -> int:
    from devkit.dynamo import configured_table_names, create_missing_tables, dynamodb_client
    from devkit.fixtures import load_event
    from devkit.placeholders import fixture_for, values_for
    from devkit.template import resources, routes

    create_missing_tables(
        dynamodb_client(os.environ["DYNAMODB_ENDPOINT_URL"]), configured_table_names()
    )
    # The API's functions: the scheduled reminder sweep answers no request (and sends messages).
    http_functions = {route.function for route in routes()}
    functions = {
        name: fixture_for(resource["Properties"]["CodeUri"])
        for name, resource in sorted(resources("AWS::Serverless::Function").items())
        if name in http_functions
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
    cold: dict[str, list[dict[str, Any]]] = {}
    for run in range(args.runs):
        targets = [("floor", *built.target("floor_app.py"), str(floor_event))]
        for function, fixture in functions.items():
            targets.append((function, *built.function(function), fresh_event(fixture)))
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
    rows = []
    for function in functions:
        cold_ms = statistics.median(r["first_response_ms"] for r in cold[function])
        import_ms = statistics.median(r["import_ms"] for r in cold[function])
        after_init_ms = statistics.median(r["after_init_ms"] for r in cold[function])
        source_ms = statistics.median(r["first_response_ms"] for r in cold[f"source:{function}"])
        lith_ms = statistics.median(r["first_response_ms"] for r in cold[f"lambdalith:{function}"])
        statuses = {r["status"] for r in cold[function] + cold[f"source:{function}"]}
        statuses |= {warm[function]["status"]}
        rows.append(
            {
                "function": function,
                "statuses": sorted(statuses),
                "cold_ms": round(cold_ms, 1),
                "import_ms": round(import_ms, 1),
                "after_init_ms": round(after_init_ms, 1),
                "source_ms": round(source_ms, 1),
                "vs_source": round(cold_ms / source_ms, 3),
                "lambdalith_ms": round(lith_ms, 1),
                "vs_floor": round(cold_ms / floor_ms, 3),
                "vs_lambdalith": round(cold_ms / lith_ms, 3),
                "warm_p50_ms": round(warm[function]["handler_p50_ms"], 3),
                "warm_p99_ms": round(warm[function]["handler_p99_ms"], 3),
                "raw_p50_ms": round(warm[function]["raw_p50_ms"], 3),
                "overhead_p50_ms": round(
                    warm[function]["handler_p50_ms"] - warm[function]["raw_p50_ms"], 3
                ),
                "dynamodb_calls": warm[function]["dynamodb_calls"],
            }
        )
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


# The Mini App's first open: the requests made one after the other before the first screen
# has its data. The events listing needs no login, so it runs alongside.
FIRST_OPEN = {
    "now": ["GenerateCodeFunction", "AuthCallbackFunction"],
    "before": ["GenerateCodeFunction", "AuthCallbackFunction", "UsersMeFunction"],
}
ALONGSIDE = "EventsUpcomingFunction"


def first_open(cold: dict[str, list[dict[str, Any]]], warm: dict[str, Any]) -> dict[str, Any]:
    """Time to the first screen's data with every function cold (paired by run: the k-th cold
    process of each) and with every function warm (handler p50s, DynamoDB excluded)."""
    figures: dict[str, Any] = {}
    for name, chain in FIRST_OPEN.items():
        runs = len(cold[ALONGSIDE])
        cold_totals = [
            max(
                sum(cold[function][run]["first_response_ms"] for function in chain),
                cold[ALONGSIDE][run]["first_response_ms"],
            )
            for run in range(runs)
        ]
        warm_total = max(
            sum(warm[function]["handler_p50_ms"] for function in chain),
            warm[ALONGSIDE]["handler_p50_ms"],
        )
        figures[name] = {
            "in_a_row": len(chain),
            "cold_ms": round(statistics.median(cold_totals), 1),
            "warm_ms": round(warm_total, 3),
        }
    return figures


def print_table(results: dict[str, Any]) -> None:
    print(
        f"\ncold start medians over {results['runs']} fresh processes of the built artifacts "
        "(python -I -S -B, Lambda's sys.path); floor (FastAPI+Mangum+PynamoDB, one GetItem) = "
        f"{results['floor_cold_ms']} ms; 'src ms': the same build without its bytecode; "
        "'1st ms': the first response after import; "
        f"tracer {'on' if results['tracer_enabled'] else 'off'}; "
        f"warm over {results['warm_iterations']} calls"
    )
    header = (
        f"{'function':26} {'cold ms':>8} {'/floor':>7} {'src ms':>7} {'/src':>5} {'1st ms':>7} "
        f"{'lith ms':>8} {'/lith':>6} "
        f"{'warm p50':>9} {'p99':>7} {'raw p50':>8} {'ovh p50':>8} {'ddb':>4}"
    )
    print(header)
    print("-" * len(header))
    for row in results["functions"]:
        print(
            f"{row['function']:26} {row['cold_ms']:8.1f} {row['vs_floor']:7.2f} "
            f"{row['source_ms']:7.1f} {row['vs_source']:5.2f} {row['after_init_ms']:7.1f} "
            f"{row['lambdalith_ms']:8.1f} {row['vs_lambdalith']:6.2f} {row['warm_p50_ms']:9.3f} "
            f"{row['warm_p99_ms']:7.3f} {row['raw_p50_ms']:8.3f} {row['overhead_p50_ms']:8.3f} "
            f"{row['dynamodb_calls']:4.1f}"
        )
    print("\nfirst open of the Mini App (to the first screen's data; upcoming alongside):")
    for name, figures in results["first_open"].items():
        chain = " -> ".join(f.removesuffix("Function") for f in FIRST_OPEN[name])
        print(
            f"  {name:7} {figures['in_a_row']} in a row ({chain}): all cold "
            f"{figures['cold_ms']:.1f} ms, all warm {figures['warm_ms']:.3f} ms (DynamoDB excluded)"
        )
    sizes = results["sizes"]
    if sizes:
        print(
            f"\nunzipped build, total {sizes['total_bytes'] / 1e6:.1f} MB; "
            f"botocore copies: {sizes['botocore_copies']}"
        )
        for name, size in sizes["unzipped_bytes"].items():
            print(f"  {name:28} {size / 1e6:8.2f} MB")
        print("largest contributors:")
        for name, size in sizes["largest"].items():
            print(f"  {name:40} {size / 1e6:8.2f} MB")


if __name__ == "__main__":
    sys.exit(main())
