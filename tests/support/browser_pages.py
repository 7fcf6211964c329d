"""The browser tests' pages, watched: every console error, uncaught page error and CSP violation
fails the test (`watch`, asserted by the test's page fixture when it closes the page), unless the
test expects it (`@pytest.mark.allow_console(regex, ...)`: a 503 the test made, say); and a test
that fails prints what each of its pages showed (URL, text, a screenshot's path, console).

Playwright is only imported for type checking: loading this plugin marks no test `browser`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from support.environment import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page

FAILURES = ROOT / ".local" / "browser-failures"
PAGES = pytest.StashKey[list["Watched"]]()
# Chromium reports a CSP violation on the console too, but not always with the directive and
# the blocked sample; the event says both (in every frame: the dev launch page embeds the app).
VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (e) => console.error(
  `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} ` +
  `at ${e.sourceFile || e.documentURI}:${e.lineNumber} ${e.sample || ''}`));
"""


@dataclass
class Watched:
    page: Page
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    console: list[str] = field(default_factory=list)  # every message, for a failure's report
    problems: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        # A failed request's message names no URL; its location does.
        where = message.location.get("url") or ""
        line = f"{message.type}: {message.text}" + (f" ({where})" if where else "")
        self.console.append(line)
        if message.type == "error":
            self.problems.append(line)

    def on_page_error(self, error: Any) -> None:
        line = f"uncaught: {error}"
        self.console.append(line)
        self.problems.append(line)

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(a.search(p) for a in self.allowed)]


def watch(page: Page, item: pytest.Item) -> Watched:
    """Record `page`'s console errors, uncaught errors and CSP violations from now on (before
    its first navigation), and show the page if `item` fails."""
    allowed = [re.compile(p) for mark in item.iter_markers("allow_console") for p in mark.args]
    watched = Watched(page, allowed)
    page.add_init_script(VIOLATIONS)
    page.on("console", watched.on_console)
    page.on("pageerror", watched.on_page_error)
    item.stash.setdefault(PAGES, []).append(watched)
    return watched


# What the tests' pages get for an image on another host (the samples' example.com ones): the
# same picture with or without a network, and no failed load in the console.
PLACEHOLDER = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="320">'
    b'<rect width="640" height="320" fill="#8a9bb0"/></svg>'
)


def images_offline(context: BrowserContext) -> None:
    """Answer every https:// request (the app asks outside hosts for event images only)."""
    context.route(
        "https://**/*",
        lambda route: route.fulfill(status=200, content_type="image/svg+xml", body=PLACEHOLDER),
    )


def assert_quiet(watched: Watched) -> None:
    """No console error, uncaught error or CSP violation the test did not expect."""
    unexpected = watched.unexpected()
    assert not unexpected, "the page reported errors:\n" + "\n".join(unexpected)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "allow_console(*regex): console errors a browser test expects (support.browser_pages)",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.failed:
        return
    for number, watched in enumerate(item.stash.get(PAGES, []), start=1):
        report.sections.append(
            (f"page {number} when the test failed", describe(watched, item, number))
        )


def describe(watched: Watched, item: pytest.Item, number: int) -> str:
    """The page's URL, its text (every frame's), a screenshot and its console, as far as the
    page still answers (it may have crashed or closed)."""
    page = watched.page
    lines = [f"url: {page.url}"]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", item.name)[:120]
    path = FAILURES / f"{name}-{number}.png"
    try:
        FAILURES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), timeout=10_000)
        lines.append(f"screenshot: {path.relative_to(ROOT)}")
    except Exception as error:  # a report must not hide the test's own failure
        lines.append(f"screenshot failed: {error}")
    for frame in page.frames:
        try:
            text = frame.locator("body").inner_text(timeout=5_000)
        except Exception as error:
            text = f"(unreadable: {error})"
        lines += [f"--- text of {frame.url[:120]}", text[:4_000]]
    lines += ["--- console", *watched.console[-40:]]
    return "\n".join(lines)
