"""Reliability figures: each case's count tried and count lost or let in, printed at the end of
the run and kept in pytest's cache (.pytest_cache/v/reliability/figures) for docs/reliability.md.
A pytest plugin (tests/conftest.py lists it): tests call `record_figure`, the hooks below add
up the xdist workers' figures on the controller and print them."""

from typing import Any

import pytest

FIGURES: dict[str, dict[str, int]] = {}


def record_figure(case: str, tried: int, lost: int, retried: int = 0) -> None:
    """`retried`: 503 answers the test client retried, as the API tells clients to."""
    entry = FIGURES.setdefault(case, {"tried": 0, "lost": 0, "retried": 0})
    entry["tried"] += tried
    entry["lost"] += lost
    entry["retried"] += retried


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, a worker hands its figures to the controller, which prints them."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["reliability_figures"] = FIGURES


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller adds up each xdist worker's figures as the worker finishes."""
    for case, entry in getattr(node, "workeroutput", {}).get("reliability_figures", {}).items():
        record_figure(case, entry["tried"], entry["lost"], entry["retried"])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    terminalreporter.write_line("| case | tried | lost/let in | 503s retried |")
    terminalreporter.write_line("|---|---|---|---|")
    for case, entry in sorted(FIGURES.items()):
        terminalreporter.write_line(
            f"| {case} | {entry['tried']:,} | {entry['lost']:,} | {entry['retried']:,} |"
        )
    # No `cache` attribute at all when run with -p no:cacheprovider.
    cache = getattr(terminalreporter.config, "cache", None)
    if cache is not None:
        cache.set("reliability/figures", FIGURES)
