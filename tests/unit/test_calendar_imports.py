"""`icalendar` (about 5 MB with tzdata, 20-50 ms to import) is paid for only by the
functions that serve or attach calendars: only community/services/calendar.py imports it, and a
fresh interpreter importing each function's handler module, as Lambda's init does, has it in
sys.modules exactly for the functions listed here."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.environment import ROOT

from devkit.template.reader import resources

# The functions that serve or attach calendars; every other one must not import icalendar.
USES_CALENDAR = {"EventCalendarFunction"}
CALENDAR_MODULE = "community.services.calendar"
LIBRARIES = ("icalendar",)
FUNCTIONS = sorted(resources("AWS::Serverless::Function"))

# One interpreter imports what every handler shares (without icalendar: checked), then forks
# once per function, and each fork imports that function's handler as a cold start would: the
# same answer as a fresh interpreter per function, in a fraction of the time.
CHILD = f"""
import json, os, sys
import fastapi, pydantic, pynamodb, community.http.app, community.http.adapter
from community import startup
from devkit.functions.handlers import load_module

# What each create_app does first (settings, the data layer's client): once, before the forks.
startup.start()
startup.prime()

def calendar_modules():
    return sorted(
        name for name in sys.modules
        if name == "{CALENDAR_MODULE}" or name.split(".")[0] in {LIBRARIES!r}
    )

assert calendar_modules() == [], calendar_modules()
found = {{}}
for function in sys.argv[1:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        load_module(function)
        os.write(write, json.dumps(calendar_modules()).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, function
    found[function] = json.loads(answer)
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def imports() -> dict[str, list[str]]:
    """The calendar modules each function's handler brings into a fresh interpreter."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "layers/shared"), str(ROOT / "tools")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *FUNCTIONS],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, list[str]] = json.loads(done.stdout.splitlines()[-1])
    return found


@pytest.mark.parametrize("function", FUNCTIONS)
def test_only_the_calendar_functions_import_icalendar(
    function: str, imports: dict[str, list[str]]
) -> None:
    found = imports[function]

    if function in USES_CALENDAR:
        assert CALENDAR_MODULE in found, found
        assert "icalendar" in found, found
    else:
        assert not [name for name in found if name.split(".")[0] == "icalendar"], found
        assert CALENDAR_MODULE not in found


def test_the_listed_calendar_functions_exist() -> None:
    assert set(FUNCTIONS) >= USES_CALENDAR


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_only_the_calendar_service_imports_icalendar() -> None:
    sources = [*(ROOT / "layers/shared").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
    importers = sorted(
        str(path.relative_to(ROOT))
        for path in sources
        if any(name.split(".")[0] == "icalendar" for name in imports_of(path))
    )

    assert importers == ["layers/shared/community/services/calendar.py"]
