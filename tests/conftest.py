"""The suite's set-up; the helpers and fixtures themselves are in tests/support/.
The environment comes first: the plugins below import `community`, whose settings are read
once per process, as in a Lambda container."""

from pathlib import Path

import pytest
from support import environment

environment.apply()

pytest_plugins = [
    "support.servers",
    "support.backends",
    "support.logs",
    "support.figures",
    "support.markers",
]


@pytest.fixture
def repo_root() -> Path:
    return environment.ROOT
