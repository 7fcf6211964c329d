"""events_fixtures/: one API Gateway HTTP API (v2) event per function, with the status it is
expected to answer. Values that must be fresh or secret (signed initData, a login code, a
token) are `{{NAME}}` placeholders, filled in by whoever invokes the fixture."""

import json
import re
from pathlib import Path
from typing import Any

from devkit.template.reader import ROOT

FIXTURES_DIR = ROOT / "events_fixtures"
PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


def fixture_path(name: str) -> Path:
    return FIXTURES_DIR / f"{name}.json"


def load_event(name: str, **values: Any) -> dict[str, Any]:
    """The fixture `name` with its placeholders replaced; a placeholder left unfilled is an
    error, so a test can never run a half-rendered event."""
    raw = fixture_path(name).read_text()
    missing = set(PLACEHOLDER.findall(raw)) - values.keys()
    if missing:
        raise KeyError(f"{name} needs values for {sorted(missing)}")
    rendered = PLACEHOLDER.sub(lambda found: str(values[found.group(1)]), raw)
    event: dict[str, Any] = json.loads(rendered)
    return event


def expected(name: str) -> dict[str, Any]:
    """The documented answer to a fixture: `statusCode`, `contentType` and a `note` saying
    what its placeholders must hold."""
    documented: dict[str, Any] = json.loads((FIXTURES_DIR / f"{name}.expected.json").read_text())
    return documented
