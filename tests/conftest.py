"""The suite's set-up; the helpers and fixtures themselves are in tests/support/.
`pytest_configure` sets the tests' environment, makes botocore parse its models once per
process (support.botocore_models) rather than once per session, and runs the start-up once per
process, as a Lambda container's init does (importing `community` reads nothing by itself)."""

from pathlib import Path

import pytest
from support import botocore_models, environment

from community import startup

pytest_plugins = [
    "support.servers",
    "support.backends",
    "support.logs",
    "support.figures",
    "support.markers",
    "support.browser_pages",
]


def pytest_configure() -> None:
    environment.apply()
    # Before the start-up makes the first session.
    botocore_models.install()
    # Before any test loads a function (whose create_app would start it otherwise, possibly
    # inside a test that hooked the clients of an earlier binding).
    startup.start()


@pytest.fixture
def repo_root() -> Path:
    return environment.ROOT
