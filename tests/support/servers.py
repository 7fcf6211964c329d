"""DynamoDB-compatible servers in processes of their own, spoken to over HTTP on loopback:
one of each per test session (per xdist worker), as fixtures."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.environment import ROOT
from support.processes import daemon, free_port

DYNALITE_CLI = ROOT / ".local/dynalite/node_modules/dynalite/cli.js"
# Tables ACTIVE at once, not after dynalite's default 500 ms: every test creates fresh ones.
TABLES_AT_ONCE = ["--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
SERIALIZED_MOTO_SERVER = Path(__file__).with_name("serialized_moto_server.py")


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's DynamoDB server in its own process, spoken to over HTTP on loopback."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with daemon(command, tmp_path_factory.mktemp("moto") / "moto_server.log", f"{url}/moto-api/"):
        yield url


@pytest.fixture(scope="session")
def dynalite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """dynalite (an independent DynamoDB implementation on Node), in memory, in its own
    process. `make test` installs it (`make .local/dynalite/...`); a missing install fails."""
    if not DYNALITE_CLI.exists():
        pytest.fail(f"{DYNALITE_CLI} is missing: `make test` installs it (npm)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        "node",
        str(DYNALITE_CLI),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *TABLES_AT_ONCE,
    ]
    with daemon(command, tmp_path_factory.mktemp("dynalite") / "dynalite.log", url):
        yield url


@pytest.fixture(scope="session")
def serialized_moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's server handling one request at a time (serialized_moto_server.py says why)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, str(SERIALIZED_MOTO_SERVER), "127.0.0.1", str(port)]
    log = tmp_path_factory.mktemp("moto-serialized") / "moto_server.log"
    with daemon(command, log, f"{url}/moto-api/"):
        yield url
