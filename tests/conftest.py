"""The suite's set-up; the helpers and fixtures themselves are in tests/support/.
The environment comes first: the plugins below import `community`, whose settings are read
once per process, as in a Lambda container. botocore's models are then parsed once per process
(support.botocore_models), not once per session."""

from pathlib import Path

import pytest
from support import botocore_models, environment

environment.apply()
botocore_models.install()

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
