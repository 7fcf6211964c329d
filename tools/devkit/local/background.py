"""`make start` / `make stop`: `make run`'s server in the background, for a walk-through in one
terminal. `start` returns once the server answers (its run file exists), or fails with the end
of its log; the server's output is appended to .local/run.log and nothing holds the terminal.
A second `start` on the same port says the server already runs.
`stop` ends the server on $PORT, or the only one running."""

import argparse
import os
import signal
import sys
import time

from devkit.local import processes
from devkit.local.runstate import NoServer, alive, find, port_from_environment, run_dir

START_TIMEOUT_SECONDS = 120  # moto's first import and the sample events take ~10 s on 2 cores


def log_tail(path: os.PathLike[str], lines: int = 20) -> str:
    with open(path, errors="replace") as log:
        return "".join(log.readlines()[-lines:])


def start(port: int) -> int:
    try:
        running = find(port)
        print(f"already running: {running.endpoint}, pid {running.pid} (`make stop` stops it)")
        return 0
    except NoServer:
        pass
    log_path = run_dir() / "run.log"
    # Appended: a server started on another port may still be writing to it.
    command = [sys.executable, "-m", "devkit.local.server", "--port", str(port)]
    server = processes.start(command, log_path, append=True)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            print(f"the server did not start:\n{log_tail(log_path)}", end="", file=sys.stderr)
            return 1
        try:
            if find(port).pid == server.pid:
                endpoint = find(port).endpoint
                print(f"API on {endpoint} (docs: {endpoint}/docs), pid {server.pid}")
                print(f"log: {log_path}; stop it with `make stop`")
                return 0
        except NoServer:
            pass
        time.sleep(0.2)
    server.terminate()
    print(
        f"the server did not answer in {START_TIMEOUT_SECONDS} s; see {log_path}", file=sys.stderr
    )
    return 1


def stop(port: int | None) -> int:
    try:
        server = find(port)
    except NoServer as error:
        print(f"nothing to stop: {error}")
        return 0
    os.kill(server.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while alive(server.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(server.pid):
        os.kill(server.pid, signal.SIGKILL)
    print(f"stopped the API on port {server.port} (pid {server.pid})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--port", type=int, default=port_from_environment())
    args = parser.parse_args()
    if args.action == "start":
        return start(args.port or 3000)
    return stop(args.port)


if __name__ == "__main__":
    sys.exit(main())
