"""Calendars in the Mini App (issue 27), in Debian's Chromium opened as Telegram's clients open
it, against `make run`'s server: "Add to calendar" on an event (the client asked to download
the event's .ics on Bot API 8.0+, the link opened on an older client), and on the profile the
member's calendar feed (shown on a tap, copied, opened as webcal:// where the client can, reset
after the client's confirmation popup). Any console error or CSP violation fails a test."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from support.browser import PHONE, TIMEOUT
from support.browser_pages import assert_quiet, images_offline, watch
from support.environment import ROOT
from support.local_api import local_api, request
from support.miniapp_client import (
    DARK,
    LIGHT,
    TOUCH_TARGETS,
    axe_violations,
    build_miniapp,
    init_data,
    launch_url,
    open_in_telegram,
    posted,
    send,
    wait_posted,
)

SCREENSHOTS = ROOT / ".local" / "miniapp-screenshots"
THEMES = {"light": LIGHT, "dark": DARK}
expect.set_options(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`make run`'s server with the built Mini App, on its own port and tables."""
    logs = tmp_path_factory.mktemp("miniapp-calendar")
    build_miniapp(logs / "build.log")
    unset = dict.fromkeys(["TELEGRAM_BOT_TOKEN", "JWT_SECRET", "DYNAMODB_ENDPOINT_URL"])
    with local_api(logs, **unset) as url:
        yield url


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def sample_event(base: str, title: str) -> str:
    status, _, body = request("GET", f"{base}/api/v1/events/upcoming?limit=10")
    assert status == 200, body
    return str(next(e["id"] for e in json.loads(body)["events"] if e["title"] == title))


def get(url: str, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """A GET as a calendar app (no token) or the member's app (`token`) sends it; the
    answer's headers by lower-case name."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    status, answer_headers, body = request("GET", url, headers=headers)
    return status, {k.lower(): v for k, v in answer_headers.items()}, body


def token_of(page: Page) -> str:
    page.wait_for_function("() => localStorage.getItem('community.token') !== null")
    return str(page.evaluate("localStorage.getItem('community.token')"))


@contextmanager
def watched_page(
    browser: Browser, request: pytest.FixtureRequest, **context: Any
) -> Iterator[Page]:
    """A phone-sized page as the `page` fixture gives (console errors and CSP violations fail
    the test), with other context options: a clipboard, another size."""
    options: dict[str, Any] = {"viewport": PHONE, "device_scale_factor": 2, "is_mobile": True}
    browser_context = browser.new_context(**{**options, **context})
    images_offline(browser_context)
    try:
        page = browser_context.new_page()
        page.set_default_timeout(TIMEOUT)
        watched = watch(page, request.node)
        yield page
    finally:
        browser_context.close()
    assert_quiet(watched)


# --- "Add to calendar" on an event ---------------------------------------------------------


@pytest.mark.parametrize(("theme", "member"), [("light", 740001), ("dark", 740002)])
def test_add_to_calendar_asks_the_client_to_download_the_event_s_ics_from_this_origin(
    base: str, page: Page, theme: str, member: int
) -> None:
    # Given an event opened in a client with Bot API 8.0 (which can download files),
    event_id = sample_event(base, "Welcome meetup")
    url = launch_url(base, init_data(member, "Planner"), THEMES[theme], f"/app/events/{event_id}")
    open_in_telegram(page, url)
    expect(page.get_by_role("heading", name="Welcome meetup")).to_be_visible()
    button = page.get_by_role("button", name="Add to calendar")
    expect(button).to_be_visible()
    assert axe_violations(page) == []
    shot(page, f"{theme}-event-add-to-calendar")

    # When the member taps "Add to calendar",
    button.click()

    # Then the client is asked to download the event's .ics, from the app's own origin, named
    # as the API names it, and no link is opened;
    wait_posted(page, "web_app_request_file_download")
    ics = f"{base}/api/v1/events/{event_id}/calendar.ics"
    download = posted(page, "web_app_request_file_download")
    assert download == [{"url": ics, "file_name": "welcome-meetup.ics"}]
    assert urlsplit(download[0]["url"]).netloc == urlsplit(base).netloc
    # once the client says it downloads, the app says what to do with the file;
    send(page, "file_download_requested", {"status": "downloading"})
    expect(page.get_by_text("Downloading: open the file")).to_be_visible()
    assert posted(page, "web_app_open_link") == []
    # and the file is there, public, under the name the client was given.
    status, headers, body = get(ics)
    assert status == 200, body
    assert headers["content-type"].startswith("text/calendar")
    assert 'filename="welcome-meetup.ics"' in headers["content-disposition"]
    assert b"BEGIN:VEVENT" in body

    # When the member declines the client's download popup, nothing else happens.
    button.click()
    wait_posted(page, "web_app_request_file_download", count=2)
    send(page, "file_download_requested", {"status": "cancelled"})
    expect(page.get_by_text("Downloading: open the file")).to_have_count(0)
    assert posted(page, "web_app_open_link") == []


def test_add_to_calendar_on_a_client_before_bot_api_8_opens_the_ics_link(
    base: str, page: Page
) -> None:
    # Given an event opened in a client with Bot API 7.10 (no file downloads),
    event_id = sample_event(base, "Python workshop")
    path = f"/app/events/{event_id}"
    open_in_telegram(
        page, launch_url(base, init_data(740010, "Old Client"), LIGHT, path, version="7.10")
    )
    expect(page.get_by_role("heading", name="Python workshop")).to_be_visible()

    # When the member taps "Add to calendar",
    page.get_by_role("button", name="Add to calendar").click()

    # Then the client is asked to open the .ics link (the browser hands it to the calendar),
    # and no download, which the client could not do, is asked for.
    wait_posted(page, "web_app_open_link")
    ics = f"{base}/api/v1/events/{event_id}/calendar.ics"
    assert posted(page, "web_app_open_link") == [{"url": ics}]
    assert posted(page, "web_app_request_file_download") == []
    expect(page.get_by_text("Opened the calendar file.")).to_be_visible()


# --- The calendar feed on the profile ------------------------------------------------------


def calendar_requests(page: Page) -> list[tuple[str, str]]:
    """Every request the page makes to /api/users/me/calendar*, as (method, path), from now."""
    seen: list[tuple[str, str]] = []

    def record(method: str, url: str) -> None:
        path = urlsplit(url).path
        if path.startswith("/api/users/me/calendar"):
            seen.append((method, path))

    page.on("request", lambda r: record(r.method, r.url))
    return seen


@pytest.mark.parametrize(("theme", "member"), [("light", 740101), ("dark", 740102)])
def test_subscribe_shows_the_feed_opens_it_as_webcal_and_copies_it(
    base: str, browser: Browser, request: pytest.FixtureRequest, theme: str, member: int
) -> None:
    clipboard = ["clipboard-read", "clipboard-write"]
    with watched_page(browser, request, permissions=clipboard) as page:
        # Given the profile in Telegram for iOS (which hands a webcal:// link to the system),
        requests = calendar_requests(page)
        url = launch_url(
            base, init_data(member, "Subscriber"), THEMES[theme], "/app/profile", platform="ios"
        )
        open_in_telegram(page, url)
        expect(page.get_by_role("heading", name="Subscriber")).to_be_visible()
        calendar = page.get_by_role("region", name="Subscribe in your calendar")
        subscribe = calendar.get_by_role("button", name="Subscribe in your calendar")
        expect(subscribe).to_be_visible()
        # (a profile view asks for no feed: the API makes its token on first use)
        assert requests == []

        # When the member taps "Subscribe in your calendar",
        subscribe.click()

        # Then the feed's URL is shown, the one the API gives the member,
        expect(calendar.get_by_role("button", name="Copy link")).to_be_visible()
        assert requests == [("GET", "/api/users/me/calendar")]
        status, _, body = get(f"{base}/api/users/me/calendar", token_of(page))
        assert status == 200, body
        feed = json.loads(body)
        assert feed["webcal_url"].startswith("webcal://")
        expect(calendar.get_by_text(feed["url"], exact=True)).to_be_visible()
        # and the client is asked to open it as webcal:// (the system's calendar subscribes).
        wait_posted(page, "web_app_open_link")
        assert posted(page, "web_app_open_link") == [{"url": feed["webcal_url"]}]

        # When the member taps "Copy link", the clipboard holds the https URL, the button says
        # so and a live region tells screen readers;
        calendar.get_by_role("button", name="Copy link").click()
        expect(calendar.get_by_role("button", name="Copied")).to_be_visible()
        expect(page.get_by_role("status")).to_have_text("Calendar link copied")
        assert page.evaluate("navigator.clipboard.readText()") == feed["url"]
        # "Open in calendar" asks the client again.
        calendar.get_by_role("button", name="Open in calendar").click()
        wait_posted(page, "web_app_open_link", {"url": feed["webcal_url"]}, count=2)
        assert requests == [("GET", "/api/users/me/calendar")]  # the URL was kept
        assert axe_violations(page) == []
        calendar.scroll_into_view_if_needed()
        shot(page, f"{theme}-profile-calendar")


def test_on_android_the_feed_link_is_shown_to_copy_and_no_webcal_link_is_sent(
    base: str, page: Page
) -> None:
    # Given the profile in Telegram for Android, which drops links of schemes but http(s),
    open_in_telegram(page, launch_url(base, init_data(740110, "Droid"), LIGHT, "/app/profile"))
    calendar = page.get_by_role("region", name="Subscribe in your calendar")

    # When the member taps "Subscribe in your calendar",
    calendar.get_by_role("button", name="Subscribe in your calendar").click()

    # Then the link is there to copy, with how to use it, and no webcal:// is sent to a client
    # that would drop it.
    expect(calendar.get_by_role("button", name="Copy link")).to_be_visible()
    expect(calendar.get_by_text("add a calendar from a URL and paste the link")).to_be_visible()
    expect(calendar.get_by_role("button", name="Open in calendar")).to_have_count(0)
    assert posted(page, "web_app_open_link") == []


def test_reset_link_asks_first_cancel_keeps_the_link_and_confirm_makes_a_new_one(
    base: str, page: Page
) -> None:
    # Given the member's feed shown on the profile, and working,
    requests = calendar_requests(page)
    open_in_telegram(page, launch_url(base, init_data(740120, "Resetter"), LIGHT, "/app/profile"))
    calendar = page.get_by_role("region", name="Subscribe in your calendar")
    calendar.get_by_role("button", name="Subscribe in your calendar").click()
    expect(calendar.get_by_role("button", name="Copy link")).to_be_visible()
    token = token_of(page)
    old = json.loads(get(f"{base}/api/users/me/calendar", token)[2])["url"]
    shown = calendar.locator(".feed-url")
    expect(shown).to_have_text(old)
    assert get(old)[0] == 200
    reset = calendar.get_by_role("button", name="Reset link")

    # When the member taps "Reset link", the client shows its popup: Reset link, Cancel;
    reset.click()
    wait_posted(page, "web_app_open_popup")
    popup = posted(page, "web_app_open_popup")[-1]
    assert popup["buttons"] == [
        {"id": "confirm", "type": "destructive", "text": "Reset link"},
        {"id": "cancel", "type": "cancel"},
    ]
    assert "stop updating" in popup["message"]
    # and Cancel there keeps the link: nothing is sent.
    send(page, "popup_closed", {"button_id": "cancel"})
    expect(reset).to_be_enabled()
    expect(shown).to_have_text(old)
    assert ("POST", "/api/users/me/calendar/reset") not in requests
    # Nor does closing the popup without a button.
    reset.click()
    wait_posted(page, "web_app_open_popup", count=2)
    send(page, "popup_closed", {})
    expect(reset).to_be_enabled()
    expect(shown).to_have_text(old)
    assert ("POST", "/api/users/me/calendar/reset") not in requests

    # When the member confirms,
    reset.click()
    wait_posted(page, "web_app_open_popup", count=3)
    send(page, "popup_closed", {"button_id": "confirm"})

    # Then one reset is sent, a different link is shown, the API's from now on, and it works
    # where the old one answers 404.
    expect(page.get_by_role("status")).to_have_text("Your calendar link is new")
    new = shown.inner_text()
    assert new != old
    assert requests.count(("POST", "/api/users/me/calendar/reset")) == 1
    assert json.loads(get(f"{base}/api/users/me/calendar", token)[2])["url"] == new
    assert get(new)[0] == 200
    assert get(old)[0] == 404


# --- Layout --------------------------------------------------------------------------------


def test_the_calendar_controls_fit_320_px_with_44_px_targets_and_user_text_dir_auto(
    base: str, browser: Browser, request: pytest.FixtureRequest
) -> None:
    small = {"width": 320, "height": 568}
    measured: dict[str, list[list[Any]]] = {}
    widths: dict[str, int] = {}
    with watched_page(browser, request, viewport=small) as page:
        # Given the event screen and the profile with the feed shown, on a 320 px phone,
        event_id = sample_event(base, "Community hike")
        raw = init_data(740130, "Narrow")
        open_in_telegram(
            page, launch_url(base, raw, LIGHT, f"/app/events/{event_id}", platform="ios")
        )
        expect(page.get_by_role("button", name="Add to calendar")).to_be_visible()
        measured["event"] = page.evaluate(TOUCH_TARGETS)
        widths["event"] = page.evaluate("document.documentElement.scrollWidth")
        user_text = [".detail h1", ".detail .description"]
        dirs = {sel: page.locator(sel).get_attribute("dir") for sel in user_text}
        dirs["location"] = page.get_by_text("North trailhead").get_attribute("dir")
        page.goto(launch_url(base, raw, LIGHT, "/app/profile", platform="ios"))
        calendar = page.get_by_role("region", name="Subscribe in your calendar")
        calendar.get_by_role("button", name="Subscribe in your calendar").click()
        expect(calendar.get_by_role("button", name="Reset link")).to_be_visible()
        measured["profile"] = page.evaluate(TOUCH_TARGETS)
        widths["profile"] = page.evaluate("document.documentElement.scrollWidth")
        dirs[".profile h1"] = page.locator(".profile h1").get_attribute("dir")
        feed_dir = calendar.locator(".feed-url").get_attribute("dir")
        calendar.scroll_into_view_if_needed()
        shot(page, "light-320-profile-calendar")

    # Then nothing is wider than the screen (the feed's long URL wraps),
    assert widths == {"event": 320, "profile": 320}, widths
    # each control is at least 44 by 44 px,
    names = {name: [m[0] for m in found] for name, found in measured.items()}
    assert "button Add to calendar" in names["event"], names
    assert {"button Copy link", "button Open in calendar", "button Reset link"} <= set(
        names["profile"]
    ), names
    small_ones = {n: [m for m in found if m[1] < 44 or m[2] < 44] for n, found in measured.items()}
    assert small_ones == {"event": [], "profile": []}, small_ones
    # and what members and admins wrote follows its own direction, the URL left to right.
    assert dirs == dict.fromkeys(dirs, "auto"), dirs
    assert feed_dir == "ltr"


# --- make run's launch page (`make app-url`), which plays Telegram Web -----------------------


def test_the_dev_launch_page_downloads_the_ics_and_confirms_a_reset_with_the_browser_s_dialogs(
    base: str, browser: Browser, request: pytest.FixtureRequest
) -> None:
    # Given the app in /dev/launch (Telegram Web's part: Bot API 8.0, platform weba), in a plain
    # browser whose dialogs the member answers: OK to the download, Cancel then OK to a reset,
    answers = iter([True, False, True])
    dialogs: list[str] = []

    def answer(dialog: Any) -> None:
        dialogs.append(dialog.message)
        if next(answers):
            dialog.accept()
        else:
            dialog.dismiss()

    raw = init_data(740140, "Developer")
    event_id = sample_event(base, "Demo night")
    with watched_page(browser, request, accept_downloads=True) as page:
        page.on("dialog", answer)
        page.goto(f"{base}/dev/launch#{urlencode({'tgWebAppData': raw}, quote_via=quote)}")
        app = page.frame_locator("#app")
        app.get_by_role("listitem").filter(has_text="Demo night").get_by_role("link").click()

        # When "Add to calendar" is tapped, then the page asks, and the browser downloads the
        # event's .ics under its name;
        with page.expect_download() as download:
            app.get_by_role("button", name="Add to calendar").click()
        assert download.value.suggested_filename == "demo-night.ics"
        assert download.value.url == f"{base}/api/v1/events/{event_id}/calendar.ics"
        expect(app.get_by_text("Downloading: open the file")).to_be_visible()

        # when a reset is cancelled, then confirmed, the link stays, then changes.
        app.get_by_role("link", name="Profile").click()
        calendar = app.get_by_role("region", name="Subscribe in your calendar")
        calendar.get_by_role("button", name="Subscribe in your calendar").click()
        shown = calendar.locator(".feed-url")
        expect(shown).to_contain_text("/api/calendar/")
        old = shown.inner_text()
        reset = calendar.get_by_role("button", name="Reset link")
        reset.click()
        expect(reset).to_be_enabled()
        expect(shown).to_have_text(old)
        reset.click()
        expect(app.get_by_role("status")).to_have_text("Your calendar link is new")
        assert shown.inner_text() != old
    assert dialogs[0] == "Download demo-night.ics?"
    assert all("stop updating" in d for d in dialogs[1:]), dialogs
    assert len(dialogs) == 3
