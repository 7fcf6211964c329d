"""Server processes for the tests: the dev tools' process helpers (devkit.local.processes), and a
daemon stopped however the test ends."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from devkit.local.processes import free_port, start, stop, wait_for_http

__all__ = ["daemon", "free_port"]


@contextmanager
def daemon(
    command: list[str], log_path: Path, ready_url: str, timeout: float = 30.0, **popen: Any
) -> Iterator[subprocess.Popen[bytes]]:
    """A server process for the tests: its output goes to `log_path`, never to this run's
    stdout (CI reads that to the end), and it is stopped however the block ends."""
    process = start(command, log_path, **popen)
    try:
        wait_for_http(ready_url, timeout=timeout, process=process)
        yield process
    finally:
        stop(process)
