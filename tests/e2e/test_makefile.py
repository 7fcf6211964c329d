"""The Makefile as a new user meets it: `make help` names every target, and two makes started
at once on a fresh clone (`make run &` then `make dev-init-data`) share one venv set-up."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from support.environment import ROOT


def phony_targets() -> set[str]:
    targets: set[str] = set()
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith(".PHONY:"):
            targets.update(line.removeprefix(".PHONY:").split())
    return targets


def test_make_help_names_every_target_and_that_make_test_includes_test_sam() -> None:
    # Given the Makefile's targets
    targets = phony_targets()
    assert {"run", "test", "test-sam", "start", "stop", "seed-events"} <= targets

    # When a new user asks for help
    result = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )

    # Then each target is named as `make <target>`, and the test line says it runs test-sam
    named = set(re.findall(r"\bmake ([a-z][a-z0-9-]*)", result.stdout))
    assert targets - named == set(), f"missing from make help: {sorted(targets - named)}"
    test_line = result.stdout.split("make test ", 1)[1].split("\nmake ", 1)[0]
    assert "test-sam" in test_line
    assert "Docker" in test_line


def fresh_checkout_without_venv(destination: Path) -> Path:
    """What the venv recipe reads: the Makefile, the interpreter finder and the requirement
    files (empty here, so the test installs nothing from a registry)."""
    (destination / "tools").mkdir(parents=True)
    (destination / "layers/dependencies").mkdir(parents=True)
    shutil.copy(ROOT / "Makefile", destination)
    shutil.copy(ROOT / "tools/python313.sh", destination / "tools")
    (destination / "requirements-dev.txt").write_text("# nothing: the lock is under test\n")
    (destination / "layers/dependencies/requirements.txt").write_text("")
    return destination


def test_two_makes_on_a_fresh_clone_set_the_venv_up_once(tmp_path: Path) -> None:
    # Given a checkout with no .venv
    checkout = fresh_checkout_without_venv(tmp_path / "fresh")
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("VIRTUAL")},
        # Nothing from a registry: this venv's uv, offline, fills the new venv (with nothing).
        "UV": str(ROOT / ".venv/bin/uv"),
        "UV_OFFLINE": "1",
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }

    # When two makes need the venv at the same moment
    makes = [
        subprocess.Popen(
            ["make", "--no-print-directory", ".venv/.installed"],
            cwd=checkout,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [make.communicate(timeout=300)[0] for make in makes]

    # Then both succeed, one of them set the venv up and the other waited and found it done
    assert [make.returncode for make in makes] == [0, 0], outputs
    assert "".join(outputs).count("installing requirements-dev.txt") == 1, outputs
    assert (checkout / ".venv/.installed").exists()
    assert (checkout / ".venv/bin/python").exists()


HOSTILE_NAMES = [
    "Bob $HOME `id -u`",
    "$(shell echo made) $$PATH ${USER} 'quoted' \"double\" \\ back",
    "Zoë O'Brien; echo done & | > out",
]


def dev_init_data(**variables: str) -> dict[str, str]:
    """`make dev-init-data` with the variables on the command line; the signed fields."""
    from urllib.parse import parse_qsl

    result = subprocess.run(
        ["make", "--no-print-directory", "dev-init-data"]
        + [f"{name}={value}" for name, value in variables.items()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(parse_qsl(result.stdout.strip(), strict_parsing=True))


def test_dev_init_data_signs_the_exact_name_given_whatever_it_holds() -> None:
    import json

    for name in HOSTILE_NAMES:
        # When a name that make and the shell would expand is given on the command line
        fields = dev_init_data(NAME=name, TELEGRAM_ID="77")

        # Then the signed user carries it exactly, and the id given
        user = json.loads(fields["user"])
        assert user["first_name"] == name
        assert user["id"] == 77
