"""The Mini App's browser tests share one Chromium per module and a watched phone-sized page:
a console error, an uncaught error or a CSP violation on it fails the test."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from support.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, TIMEOUT
from support.browser_pages import assert_quiet, images_offline, watch


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A phone-sized page whose console errors, uncaught errors and CSP violations fail the
    test (support.browser_pages; `@pytest.mark.allow_console` for those a test makes)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    images_offline(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    watched = watch(page, request.node)
    yield page
    context.close()
    assert_quiet(watched)
