"""The figures of a `make bench` run: each function's row, the Mini App's first open, and the
printed table."""

import statistics
from collections.abc import Iterable
from typing import Any


def function_row(
    function: str, cold: dict[str, list[dict[str, Any]]], warm: dict[str, Any], floor_ms: float
) -> dict[str, Any]:
    """A function's figures: medians of its cold runs (as built, without bytecode, in the
    lambdalith) and its warm ones, with the ratios the table prints. A function measured as
    built only (bench --compare) has None for the source and lambdalith figures."""
    cold_ms = statistics.median(r["first_response_ms"] for r in cold[function])
    import_ms = statistics.median(r["import_ms"] for r in cold[function])
    after_init_ms = statistics.median(r["after_init_ms"] for r in cold[function])
    source_runs = cold.get(f"source:{function}", [])
    source_ms = median_or_none(r["first_response_ms"] for r in source_runs)
    lith_ms = median_or_none(r["first_response_ms"] for r in cold.get(f"lambdalith:{function}", []))
    statuses = {r["status"] for r in cold[function] + source_runs}
    statuses |= {warm[function]["status"]}
    return {
        "function": function,
        "statuses": sorted(statuses),
        "cold_ms": round(cold_ms, 1),
        "import_ms": round(import_ms, 1),
        "after_init_ms": round(after_init_ms, 1),
        "source_ms": rounded(source_ms, 1),
        "vs_source": rounded(source_ms and cold_ms / source_ms, 3),
        "lambdalith_ms": rounded(lith_ms, 1),
        "vs_floor": round(cold_ms / floor_ms, 3),
        "vs_lambdalith": rounded(lith_ms and cold_ms / lith_ms, 3),
        "warm_p50_ms": round(warm[function]["handler_p50_ms"], 3),
        "warm_p99_ms": round(warm[function]["handler_p99_ms"], 3),
        "raw_p50_ms": round(warm[function]["raw_p50_ms"], 3),
        "overhead_p50_ms": round(
            warm[function]["handler_p50_ms"] - warm[function]["raw_p50_ms"], 3
        ),
        "dynamodb_calls": warm[function]["dynamodb_calls"],
    }


def median_or_none(values: Iterable[float]) -> float | None:
    listed = list(values)
    return statistics.median(listed) if listed else None


def rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def cell(value: float | None, width: int, digits: int) -> str:
    """A table cell, "-" where the figure was not measured (bench --compare)."""
    return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"


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
            f"{cell(row['source_ms'], 7, 1)} {cell(row['vs_source'], 5, 2)} "
            f"{row['after_init_ms']:7.1f} "
            f"{cell(row['lambdalith_ms'], 8, 1)} {cell(row['vs_lambdalith'], 6, 2)} "
            f"{row['warm_p50_ms']:9.3f} "
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
