"""Which running `make run` a command talks to (devkit.local.runstate), from the run files alone."""

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from devkit.local.runstate import NoServer, RunInfo, find, running


def write(run_dir: Path, port: int, pid: int) -> None:
    info = RunInfo(port, f"http://127.0.0.1:{port}", "http://127.0.0.1:1", {}, pid)
    (run_dir / f"run-{port}.json").write_text(json.dumps(asdict(info)))


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEVKIT_RUN_DIR", str(tmp_path))
    return tmp_path


def test_the_only_running_server_is_found_and_a_dead_ones_file_is_removed(run_dir: Path) -> None:
    write(run_dir, 3001, os.getpid())
    write(run_dir, 3002, dead_pid())  # killed with -9: its file stayed

    assert find(None).port == 3001
    assert find(3001).port == 3001
    assert not (run_dir / "run-3002.json").exists()
    with pytest.raises(NoServer, match="no `make run` server on port 3002"):
        find(3002)


def test_two_running_servers_need_a_port(run_dir: Path) -> None:
    write(run_dir, 3001, os.getpid())
    write(run_dir, 3005, os.getpid())

    with pytest.raises(NoServer, match="running on ports 3001, 3005: choose one with PORT="):
        find(None)
    assert find(3005).port == 3005
    assert [info.port for info in running()] == [3001, 3005]


def test_no_server_says_how_to_start_one(run_dir: Path) -> None:
    with pytest.raises(NoServer, match=r"start one with `make run` \(or `make start`"):
        find(None)
