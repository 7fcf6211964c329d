"""Where the running `make run` servers of this checkout are, so `make seed-events`,
`make make-admin` and `make stop` find one without being told its PORT again.

Each server writes `.local/run-<port>.json` (port, endpoint, its DynamoDB endpoint, table names
and pid) once it answers, and removes it when it exits; a file whose pid is gone (kill -9) is
ignored and removed. One file per port, so servers on two ports (a test run beside a developer's
`make run`) do not overwrite each other. DEVKIT_RUN_DIR moves the folder (tests use their own)."""

import atexit
import json
import os
import signal
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from devkit.template.reader import ROOT


@dataclass(frozen=True)
class RunInfo:
    port: int
    endpoint: str
    dynamodb_endpoint: str
    tables: dict[str, str]  # environment variable -> table name, as the server uses them
    pid: int
    # The fake Bot API `make run` started (TELEGRAM_API_BASE_URL); `make remind` sends there.
    telegram_api: str = ""
    # The SES endpoint (moto's) the functions send through; `make mails` reads it.
    ses_endpoint: str = ""


class NoServer(Exception):
    """No (single) running server to talk to; the message says what to do."""


def port_from_environment() -> int | None:
    """$PORT if set (`make seed-events PORT=3001` passes it); unset means "the one running"."""
    return int(os.environ["PORT"]) if os.environ.get("PORT") else None


def run_dir() -> Path:
    return Path(os.environ.get("DEVKIT_RUN_DIR") or ROOT / ".local")


def run_file(port: int) -> Path:
    return run_dir() / f"run-{port}.json"


def announce(info: RunInfo) -> None:
    """Write the server's run file, removed however the process ends but SIGKILL."""
    path = run_file(info.port)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(info), indent=2) + "\n")
    temporary.replace(path)  # readers never see half a file

    def remove() -> None:
        if path.exists() and _read(path) == info:  # another server may have the port by now
            path.unlink(missing_ok=True)

    atexit.register(remove)

    def remove_then_terminate(signum: int, _: Any) -> None:
        # atexit does not run on SIGTERM; remove the file, then terminate as before.
        remove()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, remove_then_terminate)


def _read(path: Path) -> RunInfo | None:
    try:
        return RunInfo(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        # An exited server whose parent has not reaped it yet (a container's PID 1 may never).
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def running() -> list[RunInfo]:
    """The servers of this checkout that are running, by port; stale files are removed."""
    found = []
    for path in sorted(run_dir().glob("run-*.json")):
        info = _read(path)
        if info is not None and alive(info.pid):
            found.append(info)
        elif info is not None:
            path.unlink(missing_ok=True)
    return sorted(found, key=lambda info: info.port)


def find(port: int | None) -> RunInfo:
    """The server on `port`, or with no port the only one running. Raises NoServer."""
    servers = running()
    if port is not None:
        for info in servers:
            if info.port == port:
                return info
        raise NoServer(f"no `make run` server on port {port} in this checkout")
    if not servers:
        raise NoServer(
            "no `make run` server is running in this checkout: start one with `make run` "
            "(or `make start` in the background)"
        )
    if len(servers) > 1:
        ports = ", ".join(str(info.port) for info in servers)
        raise NoServer(f"`make run` servers are running on ports {ports}: choose one with PORT=")
    return servers[0]
