"""`make run`'s /docs as a person sees it: Swagger UI in headless Chromium shows every route of
the combined document, and the page asks nothing of any host but the local server."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright
from support.browser import CHROMIUM, CHROMIUM_ARGS
from support.browser_pages import assert_quiet, watch
from support.local_api import local_api

from devkit.template.reader import routes


def test_swagger_ui_renders_every_route_offline(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with local_api(tmp_path, DYNAMODB_ENDPOINT_URL=None) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            watched = watch(page, request.node)
            hosts: set[str] = set()
            page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

            # When /docs is opened and Swagger UI has rendered the document
            page.goto(f"{base}/docs")
            page.wait_for_selector(".opblock", timeout=30_000)

            # Then one operation per route of the template, and only the local server was asked
            assert page.locator(".opblock").count() == len(routes())
            assert hosts == {urlsplit(base).netloc}
            page.screenshot(path=str(tmp_path / "docs.png"))
            assert_quiet(watched)  # no console error, uncaught error or CSP violation
        finally:
            browser.close()
