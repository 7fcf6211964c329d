"""What the functions log, captured for assertions."""

import io
import logging
from collections.abc import Iterator

import pytest


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the functions log, formatted as Powertools writes it to CloudWatch."""
    from community.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    level = logger.log_level
    logger.setLevel("DEBUG")  # successful requests are logged at DEBUG
    yield stream
    logger.setLevel(level)
    logger.removeHandler(handler)
