"""Markers the suite sets on its tests itself, at collection."""

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`browser` on every test of a module that imports playwright, so `make test-fast` can
    leave the Chromium tests out (`-m 'not browser'`) without a list to keep up to date."""
    for item in items:
        module = getattr(item, "module", None)
        imported = vars(module).values() if module is not None else ()
        if any(getattr(value, "__module__", "").startswith("playwright") for value in imported):
            item.add_marker(pytest.mark.browser)
