"""The processes the dev tools and the benchmark run beside themselves (moto's server, `sam
local start-api`, `make run` in the background): a free port, waiting until one answers HTTP,
starting one with its output in a log file, and stopping it with its children."""

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

# SIGTERM, then SIGKILL when it has not ended 10 s later.
TERMINATE = ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0))


class NotAnswering(RuntimeError):
    """A process that did not answer HTTP: it exited first, or the wait ran out."""


def free_port() -> int:
    """A port nobody listens on now, on loopback (another process could still take it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(
    url: str, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Return once `url` answers, whatever its status; raise NotAnswering when `process` (the
    one expected to answer) exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            if process is not None and process.poll() is not None:
                raise NotAnswering(f"{url}: the process exited ({process.returncode})") from None
            if time.monotonic() > deadline:
                raise NotAnswering(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.1)


def start(
    command: Sequence[str], log_path: Path, *, append: bool = False, **popen: Any
) -> subprocess.Popen[bytes]:
    """`command` with its output in `log_path` (appended to, or replacing it) and no stdin, in
    a session of its own: a Ctrl-C in the terminal is not meant for it, and `stop` can signal
    it with its children."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab" if append else "wb") as log:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **popen,
        )


def stop(process: subprocess.Popen[bytes], steps: Sequence[tuple[int, float]] = TERMINATE) -> None:
    """Signal the process group of a process `start` started, one step at a time (a signal,
    then up to that many seconds), until it has ended."""
    for sig, wait in steps:
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)


@contextlib.contextmanager
def running(
    command: Sequence[str],
    log_path: Path,
    ready_url: str,
    timeout: float = 30.0,
    steps: Sequence[tuple[int, float]] = TERMINATE,
    **popen: Any,
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` started, once `ready_url` answers; stopped however the block ends."""
    process = start(command, log_path, **popen)
    try:
        wait_for_http(ready_url, timeout, process)
        yield process
    finally:
        stop(process, steps)
