"""The Mini App in Debian's Chromium, opened the way Telegram's native clients open it, against
`make run`'s server (python -m devkit.local.server): login, events, detail with RSVP and cancel
through the MainButton, profile, referrals, re-login, error state, outside Telegram, themes,
axe-core."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Response, Route, expect
from support.browser import PHONE, TIMEOUT
from support.browser_pages import assert_quiet, images_offline, watch
from support.local_api import local_api, request
from support.miniapp_client import (
    BOTTOM_INSET,
    CLIENT_SCRIPT,
    DARK,
    LIGHT,
    SIGNATURE,
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
from support.processes import free_port

from devkit.local.env import LOCAL_DEFAULTS
from devkit.local.initdata import signed_init_data

SAMPLE_UPCOMING = ["Welcome meetup", "Python workshop", "Community hike", "Demo night"]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".local" / "miniapp-screenshots"
# The screen sizes every layout is checked at: a small phone, a large one, a tablet.
SIZES = {
    "320": {"width": 320, "height": 568},
    "390": {"width": 390, "height": 844},
    "768": {"width": 768, "height": 1024},
}
# `expect` waits 5 s by default, whatever the page's own timeout: a loaded 2-core CI machine
# answering a route's first (cold) request needs longer, as the page actions already get.
expect.set_options(timeout=TIMEOUT)


# What the servers below run without (so on make run's local defaults), as a developer's does.
SERVER_UNSETS = ("TELEGRAM_BOT_TOKEN", "JWT_SECRET", "DYNAMODB_ENDPOINT_URL")


@contextmanager
def miniapp_server(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[str]:
    """`make run` with the built Mini App, on its own port, tables and log folder."""
    logs = tmp_path_factory.mktemp(name)
    build_miniapp(logs / "build.log")
    unset = dict.fromkeys(SERVER_UNSETS)
    with local_api(logs, **unset) as url:
        yield url


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with miniapp_server(tmp_path_factory, "miniapp") as url:
        yield url


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def api_get(base: str, path: str, token: str) -> Any:
    status, _, body = request("GET", f"{base}{path}", headers={"Authorization": f"Bearer {token}"})
    assert status == 200, body
    return json.loads(body)


def no_serious_violations(page: Page) -> None:
    assert axe_violations(page) == []


def test_walk_login_events_detail_rsvp_profile_cancel(base: str, page: Page) -> None:
    requests: list[tuple[str, str, dict[str, str]]] = []
    page.on("request", lambda r: requests.append((r.method, r.url, r.headers)))
    raw = init_data(700001, "Walker")
    open_in_telegram(page, launch_url(base, raw, LIGHT))

    # First open: the login (generate-code with the raw initData, then callback), the list.
    cards = page.get_by_role("listitem")
    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    expect(cards.get_by_role("heading")).to_have_text(SAMPLE_UPCOMING)
    meetup = cards.filter(has_text="Welcome meetup")
    expect(meetup).to_contain_text("Free")
    expect(meetup).to_contain_text("30 spots left")
    expect(cards.filter(has_text="Python workshop")).to_contain_text("15.00")
    page.wait_for_function("() => localStorage.getItem('community.token') !== null")
    logins = [r for r in requests if r[1].endswith("/api/auth/generate-code")]
    assert len(logins) == 1
    assert logins[0][2]["authorization"] == f"tma {raw}"
    callback = next(r for r in requests if "/api/auth/callback" in r[1])
    assert parse_qs(urlsplit(callback[1]).query)["telegram_id"] == ["700001"]
    # Two requests in a row to the first screen's data: the callback's user stands in for
    # /me, and the events are fetched alongside the login, not after it.
    api_calls = [urlsplit(url).path for _, url, _ in requests if "/api/" in url]
    assert "/api/users/me" not in api_calls, api_calls
    assert api_calls.index("/api/v1/events/upcoming") < api_calls.index("/api/auth/callback")
    wait_posted(page, "web_app_ready")
    assert posted(page, "web_app_ready") == [None]  # ready() once, after the first screen
    wait_posted(page, "web_app_expand")  # viewport expanded
    tabs = page.get_by_role("navigation", name="Main")
    expect(tabs.get_by_role("link", name="Events")).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name="Profile")).to_be_visible()
    # Safe areas: the tab bar clears the client's bottom inset.
    expect(page.locator(".tabbar")).to_have_css("padding-bottom", f"{BOTTOM_INSET}px")
    no_serious_violations(page)
    shot(page, "light-events")

    # Detail, RSVP through the MainButton (progress shown while the request runs).
    meetup.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Welcome meetup")).to_be_visible()
    assert "/app/events/" in page.url
    assert "#tgWebAppData=" in page.url  # routing kept Telegram's launch parameters
    expect(page.get_by_text("0 / 30 going")).to_be_visible()
    main_button(page, "RSVP")
    wait_posted(page, "web_app_setup_back_button", {"is_visible": True})
    no_serious_violations(page)
    send(page, "main_button_pressed")
    expect(page.get_by_role("status")).to_have_text("You're going!")
    expect(page.get_by_text("1 / 30 going")).to_be_visible()
    assert any(d.get("is_progress_visible") for d in posted(page, "web_app_setup_main_button"))
    token = page.evaluate("localStorage.getItem('community.token')")
    mine = api_get(base, "/api/users/me/events", token)
    assert [e["title"] for e in mine["events"]] == ["Welcome meetup"]
    # The RSVP's answer brought the new count; an RSVP changes nothing of the profile.
    assert not any(r[1].endswith("/api/users/me/refresh") for r in requests)
    shot(page, "light-detail-going")

    # BackButton returns to the list; the Profile tab shows the referral code and my events.
    send(page, "back_button_pressed")
    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    tabs.get_by_role("link", name="Profile").click()
    me = api_get(base, "/api/users/me", token)["user"]
    expect(page.get_by_role("heading", name="Walker")).to_be_visible()
    expect(page.get_by_text(me["referral_code"], exact=True)).to_be_visible()
    expect(page.get_by_role("listitem").get_by_role("heading")).to_have_text(["Welcome meetup"])
    no_serious_violations(page)
    shot(page, "light-profile")
    page.get_by_role("button", name="Share").click()
    wait_posted(page, "web_app_open_tg_link")
    share = posted(page, "web_app_open_tg_link")[-1]["path_full"]
    assert share.startswith("/share/url?")
    assert parse_qs(urlsplit(share).query)["url"] == [f"{base}/u/{me['referral_code']}"]

    # Cancel from the detail opened from "My events".
    page.get_by_role("listitem").get_by_role("link").click()
    expect(page.get_by_text("You're going", exact=True)).to_be_visible()
    main_button(page, "Cancel RSVP")
    send(page, "main_button_pressed")
    expect(page.get_by_role("status")).to_have_text("Your RSVP is cancelled.")
    expect(page.get_by_text("0 / 30 going")).to_be_visible()
    assert api_get(base, "/api/users/me/events", token)["events"] == []

    # Nothing but the app's own origin was asked for anything.
    hosts = {urlsplit(url).netloc for _, url, _ in requests}
    assert hosts == {urlsplit(base).netloc}


def test_a_start_param_referral_is_recorded_as_referred_by(base: str, page: Page) -> None:
    referrer_token = login_via_api(base, 700010, "Referrer")
    code = api_get(base, "/api/users/me", referrer_token)["user"]["referral_code"]
    open_in_telegram(page, launch_url(base, init_data(700011, "Newcomer", code), LIGHT))
    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    page.wait_for_function("() => localStorage.getItem('community.token') !== null")
    token = page.evaluate("localStorage.getItem('community.token')")
    me = api_get(base, "/api/users/me", token)["user"]
    assert me["referred_by"] == code


# The profile's three requests (its leaderboard since issue 29) each meet the expired token.
@pytest.mark.allow_console(
    r"status of 401 .*/api/(users/me(/events\?limit=10)?|v1/referrals/top\?period=month)\)"
)
def test_an_expired_token_logs_in_again_silently(base: str, page: Page) -> None:
    generated: list[str] = []
    page.on("request", lambda r: generated.append(r.url) if "generate-code" in r.url else None)
    open_in_telegram(page, launch_url(base, init_data(700020, "Sleepy"), LIGHT))
    page.wait_for_function("() => localStorage.getItem('community.token') !== null")
    page.evaluate("localStorage.setItem('community.token', 'expired.token.value')")
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Sleepy")).to_be_visible()
    # The profile's /me answered 401, the app logged in again and retried: a new token.
    page.wait_for_function(
        "() => ![null, 'expired.token.value'].includes(localStorage.getItem('community.token'))"
    )
    assert len(generated) == 2
    expect(page.get_by_role("alert")).to_have_count(0)
    # (the leaderboard too: loaded with the new token, no error in it)
    board = page.get_by_role("region", name="Who brought the most members")
    expect(board.get_by_text("Loading…")).to_have_count(0)
    expect(board.get_by_role("alert")).to_have_count(0)


def test_another_telegram_account_never_sends_the_token_stored_before_it(
    base: str, page: Page
) -> None:
    # Given the app opened as one member, whose token is kept in the webview's storage,
    open_in_telegram(page, launch_url(base, init_data(700023, "First Account"), LIGHT))
    page.wait_for_function("() => localStorage.getItem('community.token') !== null")
    first = page.evaluate("localStorage.getItem('community.token')")
    sent: list[str | None] = []
    page.on("request", lambda r: sent.append(r.headers.get("authorization")))

    # When another Telegram account opens it in the same webview (a switched account: a new
    # page load, not a change of the fragment),
    # straight onto an event's screen (whose RSVP state is asked for as it opens),
    _, _, body = request("GET", f"{base}/api/v1/events/upcoming?limit=1")
    event = json.loads(body)["events"][0]
    page.goto("about:blank")
    second = init_data(700024, "Second Account")
    page.goto(launch_url(base, second, LIGHT, path=f"/app/events/{event['id']}"))
    expect(page.get_by_role("heading", name=event["title"])).to_be_visible()
    page.get_by_role("link", name="Profile").click()

    # Then every request is the second account's: the first's token is never sent
    expect(page.get_by_role("heading", name="Second Account")).to_be_visible()
    assert f"Bearer {first}" not in sent
    assert any(header and header.startswith("Bearer ") for header in sent)


def unavailable_once(url_part: str = "") -> Callable[[Any], None]:
    """A route handler that answers the first request whose URL holds `url_part` with a 503,
    as API Gateway's JSON error, and lets every other request through."""
    failures = {"left": 1}

    def handle(route: Any) -> None:
        if url_part in route.request.url and failures["left"]:
            failures["left"] -= 1
            route.fulfill(
                status=503,
                content_type="application/json",
                body='{"success": false, "detail": "Service Unavailable"}',
            )
        else:
            route.continue_()

    return handle


@pytest.mark.allow_console(r"status of 503 .*/api/v1/events/upcoming")
def test_a_503_shows_the_error_state_and_try_again_recovers(base: str, page: Page) -> None:
    page.route("**/api/v1/events/upcoming*", unavailable_once())
    open_in_telegram(page, launch_url(base, init_data(700030, "Patient"), LIGHT))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("unavailable")
    wait_posted(page, "web_app_ready")
    assert posted(page, "web_app_ready") == [None]  # the error screen is a first screen too
    no_serious_violations(page)
    shot(page, "light-events-503")
    alert.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("listitem").get_by_role("heading")).to_have_text(SAMPLE_UPCOMING)


def test_outside_telegram_a_page_says_so_and_links_to_the_bot(base: str, page: Page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/app/")
    expect(page.get_by_role("heading", name="Open this app in Telegram")).to_be_visible()
    link = page.get_by_role("link", name="Open the bot in Telegram")
    expect(link).to_have_attribute("href", "https://t.me/community_bot/app")
    assert errors == []
    no_serious_violations(page)
    shot(page, "outside-telegram")


@pytest.mark.allow_console(r"The Mini App could not start: .*UnknownEnvError")
def test_launch_parameters_in_a_plain_browser_tab_show_why_the_app_cannot_start(
    base: str, page: Page
) -> None:
    # Given the app's launch parameters in a tab with no Telegram client around it (the old
    # README recipe: the SDK's init() throws UnknownEnvError, which left a blank page),
    url = launch_url(base, init_data(700080, "Lost"), LIGHT)

    # When the page opens (no client script),
    page.goto(url)

    # Then a screen says the app could not start and why, with the way to open it properly.
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("heading", name="The app could not start")).to_be_visible()
    expect(alert).to_contain_text("open it from the bot in Telegram")
    expect(alert.get_by_role("link", name="Open the bot in Telegram")).to_be_visible()
    alert.get_by_text("Details").click()
    expect(alert).to_contain_text("UnknownEnvError")
    no_serious_violations(page)
    shot(page, "startup-error")


@pytest.mark.allow_console(r"The Mini App failed to render: TypeError")
def test_a_screen_that_fails_to_render_shows_an_error_screen(base: str, page: Page) -> None:
    # Given an answer the events screen cannot render (a null where an event should be),
    page.route(
        "**/api/v1/events/upcoming*",
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body='{"success": true, "events": [null], "next_cursor": null}',
        ),
    )

    # When the app opens on it,
    open_in_telegram(page, launch_url(base, init_data(700090, "Unlucky"), LIGHT))

    # Then the error screen replaces the blank page a render error left, with a way out,
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("heading", name="Something went wrong")).to_be_visible()
    expect(alert.get_by_role("button", name="Reload")).to_be_visible()
    # and Telegram is told the app is ready (its loading placeholder would stay otherwise).
    wait_posted(page, "web_app_ready")
    assert posted(page, "web_app_ready") == [None]
    no_serious_violations(page)


def test_dark_theme_follows_the_client_and_its_changes(base: str, page: Page) -> None:
    open_in_telegram(page, launch_url(base, init_data(700040, "Night Owl"), DARK))
    expect(page.get_by_role("listitem").get_by_role("heading")).to_have_text(SAMPLE_UPCOMING)
    background = "getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(14, 22, 33)"  # DARK secondary_bg_color
    no_serious_violations(page)
    shot(page, "dark-events")
    page.get_by_role("listitem").filter(has_text="Python workshop").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Python workshop")).to_be_visible()
    no_serious_violations(page)
    shot(page, "dark-detail")
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Night Owl")).to_be_visible()
    no_serious_violations(page)
    shot(page, "dark-profile")
    send(page, "theme_changed", {"theme_params": LIGHT})
    page.wait_for_function(f"() => {background} === 'rgb(239, 239, 243)'")


def test_the_app_paths_serve_index_html_and_assets_with_their_caching(base: str) -> None:
    status, headers, body = request("GET", f"{base}/app/events/some-id")
    assert status == 200
    assert headers["cache-control"] == "no-cache"
    assert "frame-ancestors 'self' https://web.telegram.org" in headers["content-security-policy"]
    asset = body.decode().split('src="')[1].split('"')[0]
    status, headers, _ = request("GET", f"{base}{asset}")
    assert status == 200
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert request("GET", f"{base}/app/assets/missing.js")[0] == 404
    assert request("GET", f"{base}/auth/callback?code=x&telegram_id=1")[0] == 200


def test_the_old_auth_callback_route_redeems_its_code(base: str, page: Page) -> None:
    raw = init_data(700050, "Old Link")
    _, _, body = request(
        "POST", f"{base}/api/auth/generate-code", headers={"Authorization": f"tma {raw}"}
    )
    code = json.loads(body)["code"]
    launch = launch_url(base, raw, LIGHT, path=f"/auth/callback?code={code}&telegram_id=700050")
    open_in_telegram(page, launch)
    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    page.wait_for_function("() => localStorage.getItem('community.token') !== null")
    token = page.evaluate("localStorage.getItem('community.token')")
    assert api_get(base, "/api/users/me", token)["user"]["name"] == "Old Link"


def make_app_url(base: str, *variables: str) -> subprocess.CompletedProcess[str]:
    """`make app-url` against this server (its run file says where it is), with the server's
    environment (the local defaults: this process's own token and tables are the tests')."""
    env = {k: v for k, v in os.environ.items() if k not in SERVER_UNSETS}
    return subprocess.run(
        ["make", "-s", "app-url", f"PORT={urlsplit(base).port}", *variables],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


def test_make_app_url_opens_the_app_in_a_plain_browser_as_that_member_and_admin(
    base: str, browser: Browser, request: pytest.FixtureRequest
) -> None:
    # Given the link `make app-url` prints for a new member, made an admin,
    made = make_app_url(base, "TELEGRAM_ID=700070", "NAME=Ada Lovelace", "ADMIN=1")
    assert made.returncode == 0, made.stderr
    url = made.stdout.strip()
    assert url.startswith(f"{base}/dev/launch#tgWebAppData="), made.stdout
    assert "Ada Lovelace (Telegram id 700070, an admin)" in made.stderr

    # When a plain browser opens it (no client script: the page itself plays Telegram),
    context = browser.new_context(viewport=PHONE)
    images_offline(context)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        watched = watch(page, request.node)
        page.goto(url)

        # Then the events list shows, signed in as that member, with an admin's "New event";
        app = page.frame_locator("#app")
        expect(app.get_by_role("heading", name="Upcoming events")).to_be_visible()
        expect(app.get_by_role("listitem").get_by_role("heading")).to_have_text(SAMPLE_UPCOMING)
        expect(app.get_by_role("button", name="New event")).to_be_visible()
        frame = next(f for f in page.frames if "/app/" in f.url)
        frame.wait_for_function("() => localStorage.getItem('community.token') !== null")
        token = frame.evaluate("localStorage.getItem('community.token')")
        assert api_get(base, "/api/users/me", token)["user"]["name"] == "Ada Lovelace"
        # with the client's theme, safe area (the tab bar clears the bottom inset) and Telegram
        # Web's custom style (applied without an inline <style>: no CSP violation),
        expect(app.locator("body")).to_have_css(
            "background-color", rgb(LIGHT["secondary_bg_color"])
        )
        expect(app.locator(".tabbar")).to_have_css("padding-bottom", f"{BOTTOM_INSET}px")
        frame.wait_for_function(
            "() => document.adoptedStyleSheets.some(s => [...s.cssRules].some("
            "r => r.cssText.includes('scrollbar-width: thin')))"
        )
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            shot(page, f"app-url-light-{size}")

        # the client's MainButton RSVPs on a detail and its BackButton returns,
        page.set_viewport_size(PHONE)
        app.get_by_role("listitem").filter(has_text="Demo night").get_by_role("link").click()
        expect(app.get_by_role("heading", name="Demo night")).to_be_visible()
        page.get_by_role("button", name="RSVP").click()
        expect(app.get_by_role("status")).to_have_text("You're going!")
        expect(page.get_by_role("button", name="Cancel RSVP")).to_be_visible()
        assert [e["title"] for e in api_get(base, "/api/users/me/events", token)["events"]] == [
            "Demo night"
        ]
        page.get_by_role("button", name="Back").click()
        expect(app.get_by_role("heading", name="Upcoming events")).to_be_visible()
        expect(page.get_by_role("button", name="Back")).to_be_hidden()

        # and the client's dark theme reaches the app.
        page.get_by_role("button", name="Dark theme").click()
        expect(app.locator("body")).to_have_css("background-color", rgb(DARK["secondary_bg_color"]))
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            shot(page, f"app-url-dark-{size}")
    finally:
        context.close()
    assert_quiet(watched)


def test_make_app_url_with_an_event_and_a_referral_opens_it_as_a_deep_link(
    base: str, browser: Browser, request: pytest.FixtureRequest
) -> None:
    # Given a sharer's referral code and an upcoming event,
    token = login_via_api(base, 700081, "Sharer")
    code = api_get(base, "/api/users/me", token)["user"]["referral_code"]
    event = api_get(base, "/api/v1/events/upcoming?limit=1", token)["events"][0]

    # when `make app-url EVENT= REF=` prints a newcomer's link (the id in lower case, as typed),
    made = make_app_url(
        base, "TELEGRAM_ID=700082", "NAME=Newcomer", f"EVENT={event['id'].lower()}", f"REF={code}"
    )
    assert made.returncode == 0, made.stderr
    url = made.stdout.strip()
    assert f"tgWebAppStartParam=e_{event['id']}_r_{code}" in url, url
    assert f"startapp=e_{event['id']}_r_{code}" in made.stderr

    # and a plain browser opens it,
    context = browser.new_context(viewport=PHONE)
    images_offline(context)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        watched = watch(page, request.node)
        page.goto(url)

        # then the app opens on that event, its BackButton leading to the list,
        app = page.frame_locator("#app")
        expect(app.get_by_role("heading", name=event["title"])).to_be_visible()
        page.locator("#back").click()
        expect(app.get_by_role("heading", name="Upcoming events")).to_be_visible()
        assert_quiet(watched)
    finally:
        context.close()
    # and the newcomer's login recorded the sharer's referral.
    newcomer = api_get(base, "/api/users/me", login_via_api(base, 700082, "Newcomer"))["user"]
    assert newcomer["referred_by"] == code


def test_make_app_url_refuses_a_deep_link_the_app_would_not_open(base: str) -> None:
    for variables in (
        ["EVENT=nope"],
        ["EVENT=01JDQ7Z8W3K5M9P2R4T6V8X0YA", "REF=XX-1"],
        ["REF=UP-ABC123"],
    ):
        made = make_app_url(base, *variables)
        assert made.returncode == 2, (variables, made.stderr)
        assert made.stdout == ""


def test_make_app_url_without_the_server_says_to_start_it(base: str) -> None:
    free = f"http://127.0.0.1:{free_port()}"
    made = make_app_url(free)
    assert made.returncode != 0
    assert made.stdout == ""
    assert f"no `make run` server on port {urlsplit(free).port}" in made.stderr


def test_the_dev_launch_page_is_make_run_s_alone_not_the_production_build(base: str) -> None:
    """`make run` serves /dev/launch; miniapp/dist (what is published to S3) holds nothing of
    it, neither a file nor a string of its code."""
    status, headers, body = request("GET", f"{base}/dev/launch")
    assert status == 200
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert b"/dev/launch.js" in body
    markers = [b"/dev/launch", b"Mini App posted", b"set_custom_style', `", b"launch_page"]
    built = [path for path in (ROOT / "miniapp" / "dist").rglob("*") if path.is_file()]
    assert any(path.suffix == ".js" for path in built)
    for path in built:
        assert "launch" not in path.name
        content = path.read_bytes()
        assert not [m for m in markers if m in content], path
    # and the launch page's code has them, so the check above would see them.
    script = (ROOT / "tools/devkit/local/launch_page/launch.js").read_bytes()
    assert b"Mini App posted" in script


def login_via_api(base: str, telegram_id: int, name: str) -> str:
    raw = init_data(telegram_id, name)
    _, _, body = request(
        "POST", f"{base}/api/auth/generate-code", headers={"Authorization": f"tma {raw}"}
    )
    code = json.loads(body)["code"]
    _, _, body = request("POST", f"{base}/api/auth/callback?code={code}&telegram_id={telegram_id}")
    return str(json.loads(body)["token"])


def make_admin(base: str, telegram_id: int) -> None:
    """`make make-admin` against this server (how the first admin is made)."""
    port = urlsplit(base).port
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers/shared'}:{ROOT / 'tools'}"}
    command = [sys.executable, "-m", "devkit.ops.admin", "--telegram-id", str(telegram_id)]
    subprocess.run(
        [*command, "--port", str(port)],
        check=True,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )


@pytest.mark.allow_console(r"status of 422 .*/api/v1/events\)")
def test_an_admin_creates_edits_and_deactivates_an_event_with_422s_beside_fields(
    base: str, page: Page
) -> None:
    login_via_api(base, 700060, "Admin Ada")
    make_admin(base, 700060)
    open_in_telegram(page, launch_url(base, init_data(700060, "Admin Ada"), LIGHT))
    page.get_by_role("button", name="New event").click()
    expect(page.get_by_role("heading", name="New event")).to_be_visible()
    page.get_by_label("Title").fill("Admin's book club")
    page.get_by_label("Starts").fill("2031-05-01T18:00")
    page.get_by_label("Ends").fill("2031-05-01T20:00")
    page.get_by_label("Capacity").fill("0")
    main_button(page, "Create event")
    send(page, "main_button_pressed")
    capacity = page.get_by_label("Capacity")
    expect(capacity).to_have_attribute("aria-invalid", "true")
    error = page.locator("#e-capacity")
    expect(error).to_contain_text("1")
    no_serious_violations(page)
    shot(page, "light-admin-422")

    capacity.fill("12")
    send(page, "main_button_pressed")
    expect(page.get_by_role("heading", name="Admin's book club")).to_be_visible()
    expect(page.get_by_text("0 / 12 going")).to_be_visible()
    event_id = page.url.split("/app/events/")[1].split("#")[0]

    page.get_by_role("button", name="Edit event").click()
    expect(page.get_by_label("Capacity")).to_have_value("12")
    page.get_by_label("Capacity").fill("20")
    send(page, "main_button_pressed")
    expect(page.get_by_text("0 / 20 going")).to_be_visible()

    page.get_by_role("button", name="Edit event").click()
    page.get_by_role("button", name="Deactivate event").click()
    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    assert request("GET", f"{base}/api/v1/events/{event_id}")[0] == 404


# The gaps below run on a server of their own: they add, fill and deactivate events, which the
# tests above (the exact sample list, its spot counts) must not see.
ADMIN_ID = 710000
PAGING_EVENTS = 17  # with the 4 samples: 21 upcoming, three pages of 10


@pytest.fixture(scope="module")
def own_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with miniapp_server(tmp_path_factory, "miniapp-own") as url:
        yield url


@pytest.fixture(scope="module")
def admin(own_base: str) -> str:
    """An admin's token: events are created and deactivated through the API, as an admin."""
    login_via_api(own_base, ADMIN_ID, "Admin Alex")
    make_admin(own_base, ADMIN_ID)
    return login_via_api(own_base, ADMIN_ID, "Admin Alex")


def create_event(base: str, admin: str, title: str, starts_in: timedelta, **fields: Any) -> str:
    start = (datetime.now(UTC) + starts_in).replace(microsecond=0)
    body = {
        "title": title,
        "description": f"{title}: created by a browser test.",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(hours=2)).isoformat(),
        "location": "Test venue",
        **fields,
    }
    status, _, answer = request(
        "POST", f"{base}/api/v1/events", body, {"Authorization": f"Bearer {admin}"}
    )
    assert status == 201, answer
    return str(json.loads(answer)["event"]["id"])


def authed(method: str, url: str, token: str) -> int:
    return request(method, url, headers={"Authorization": f"Bearer {token}"})[0]


def main_button(page: Page, text: str) -> None:
    """Wait until the app shows Telegram's MainButton with `text`: the last setup the app posted
    (an earlier screen's button with the same text, since hidden, does not count)."""
    page.wait_for_function(
        "(text) => { const b = window.__posted.filter(([t]) => t === 'web_app_setup_main_button');"
        " if (b.length === 0) return false; const d = JSON.parse(b[b.length - 1][1]);"
        " return d.text === text && d.is_visible; }",
        arg=text,
    )


def main_button_hidden(page: Page) -> None:
    page.wait_for_function(
        "() => { const b = window.__posted.filter(([t]) => t === 'web_app_setup_main_button');"
        " return b.length > 0 && !JSON.parse(b[b.length - 1][1]).is_visible; }"
    )


THEMES = {"light": LIGHT, "dark": DARK}


def rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


@pytest.mark.allow_console(r"status of 409 .*/api/v1/events/[^/]+/rsvp\)")
@pytest.mark.parametrize(
    ("theme", "title", "member"),
    [("light", "Chef's table", 710100), ("dark", "Wine tasting", 710200)],
)
def test_rsvp_to_an_event_others_filled_meanwhile_shows_full(
    own_base: str, admin: str, page: Page, theme: str, title: str, member: int
) -> None:
    # Given an event with 2 spots, open in the detail with its RSVP button,
    event_id = create_event(own_base, admin, title, timedelta(hours=20), capacity=2)
    open_in_telegram(page, launch_url(own_base, init_data(member, "Late Comer"), THEMES[theme]))
    page.get_by_role("listitem").filter(has_text=title).get_by_role("link").click()
    expect(page.get_by_text("0 / 2 going")).to_be_visible()
    main_button(page, "RSVP")
    # and two other members taking both spots through the API meanwhile,
    for other in (member + 1, member + 2):
        token = login_via_api(own_base, other, f"Member {other}")
        assert authed("POST", f"{own_base}/api/v1/events/{event_id}/rsvp", token) == 201

    # When the member presses RSVP,
    send(page, "main_button_pressed")

    # Then the 409 is shown as "full", the detail is refreshed, the MainButton goes away,
    notice = page.get_by_role("status")
    expect(notice).to_have_text("This event is full.")
    # A message that stands out from the detail around it, in the theme's destructive colour.
    colours = "n => [getComputedStyle(n).backgroundColor, getComputedStyle(n).color]"
    background, colour = notice.evaluate(colours)
    assert background != page.locator(".detail").evaluate(colours)[0]
    assert colour == rgb(THEMES[theme]["destructive_text_color"])
    expect(page.get_by_text("2 / 2 going · Full")).to_be_visible()
    expect(page.get_by_text("You're going", exact=True)).to_have_count(0)
    # and the MainButton offers the full event's waitlist instead of the RSVP,
    main_button(page, "Join waitlist")
    # the client is asked for an error haptic, and the member holds no spot.
    wait_posted(page, "web_app_trigger_haptic_feedback")
    haptics = posted(page, "web_app_trigger_haptic_feedback")
    assert haptics == [{"type": "notification", "notification_type": "error"}]
    token = page.evaluate("localStorage.getItem('community.token')")
    assert api_get(own_base, "/api/users/me/events", token)["events"] == []
    no_serious_violations(page)
    shot(page, f"{theme}-detail-full")


def api_calls(page: Page) -> list[str]:
    """The requests the page sends to the API from now on but the login's, as `METHOD path`."""
    calls: list[str] = []

    def seen(sent: Request) -> None:
        path = urlsplit(sent.url).path
        if path.startswith("/api/") and not path.startswith("/api/auth/"):
            calls.append(f"{sent.method} {path}")

    page.on("request", seen)
    return calls


WAITLIST_STARTS = timedelta(days=500)


def full_event(base: str, admin: str, title: str, member: int, waiting: int = 0) -> str:
    """An event of capacity 1 that `member + 1` took, with `waiting` other members on its
    waitlist (`member + 2`, ...), all through the API."""
    # After every other event of this server: the list's first page, which other tests open
    # their events from, stays as it was.
    event_id = create_event(base, admin, title, WAITLIST_STARTS, capacity=1)
    token = login_via_api(base, member + 1, "Seat Holder")
    assert authed("POST", f"{base}/api/v1/events/{event_id}/rsvp", token) == 201
    for other in range(member + 2, member + 2 + waiting):
        token = login_via_api(base, other, f"Waiting {other}")
        assert authed("POST", f"{base}/api/v1/events/{event_id}/waitlist", token) == 201
    return event_id


@pytest.mark.parametrize(
    ("theme", "title", "member"),
    [("light", "Sold-out concert", 711100), ("dark", "Sold-out lecture", 711200)],
)
def test_a_full_event_s_waitlist_is_joined_shows_the_position_and_is_left(
    own_base: str, admin: str, page: Page, theme: str, title: str, member: int
) -> None:
    # Given a full event with one member waiting, and another event the member is going to,
    event_id = full_event(own_base, admin, title, member, waiting=1)
    other_id = create_event(
        own_base, admin, f"{title} warm-up", WAITLIST_STARTS - timedelta(hours=1)
    )
    token = login_via_api(own_base, member, "Hopeful")
    assert authed("POST", f"{own_base}/api/v1/events/{other_id}/rsvp", token) == 201
    raw = init_data(member, "Hopeful")
    open_in_telegram(page, launch_url(own_base, raw, THEMES[theme], f"/app/events/{event_id}"))
    expect(page.get_by_text("1 / 1 going · Full")).to_be_visible()
    expect(page.get_by_text("1 waiting", exact=True)).to_be_visible()
    main_button(page, "Join waitlist")
    calls = api_calls(page)

    # When the member presses "Join waitlist",
    send(page, "main_button_pressed")

    # Then one request joins, the notice gives the place behind the one already waiting,
    expect(page.get_by_role("status")).to_have_text("You're #2 on the waitlist")
    expect(page.get_by_text("2 waiting", exact=True)).to_be_visible()
    main_button(page, "Leave waitlist")
    assert calls == [f"POST /api/v1/events/{event_id}/waitlist"]
    no_serious_violations(page)
    shot(page, f"{theme}-detail-waitlist-joined")
    # opened again, the detail still says where the member is, in one line,
    page.reload()
    expect(page.get_by_text("You're #2 on the waitlist")).to_have_count(1)
    main_button(page, "Leave waitlist")
    shot(page, f"{theme}-detail-waitlisted")
    # and "My events" shows both kinds: "Waitlist #2" here, "Going" for the other.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    mine = page.locator(".cards > li")
    expect(mine.filter(has_text=title).filter(has_not_text="warm-up")).to_contain_text(
        "Waitlist #2"
    )
    expect(mine.filter(has_text=f"{title} warm-up").locator(".tag.going")).to_have_text("Going")
    no_serious_violations(page)
    shot(page, f"{theme}-profile-my-events-waitlist")

    # When the member opens it again and presses "Leave waitlist",
    mine.filter(has_text=title).filter(has_not_text="warm-up").get_by_role("link").click()
    main_button(page, "Leave waitlist")
    calls.clear()
    send(page, "main_button_pressed")

    # Then one request leaves, the event offers its waitlist again, and the member is not on it.
    expect(page.get_by_role("status")).to_have_text("You left the waitlist.")
    main_button(page, "Join waitlist")
    expect(page.get_by_text("1 waiting", exact=True)).to_be_visible()
    assert calls == [f"DELETE /api/v1/events/{event_id}/waitlist"]
    assert api_get(own_base, f"/api/v1/events/{event_id}/rsvp", token)["rsvp"] == {"status": "none"}
    shot(page, f"{theme}-detail-waitlist-left")


@pytest.mark.parametrize(
    ("theme", "title", "member"),
    [("light", "Last-seat workshop", 711300), ("dark", "Last-seat dinner", 711400)],
)
def test_a_waiting_member_promoted_when_another_cancels_shows_going_on_reload(
    own_base: str, admin: str, page: Page, theme: str, title: str, member: int
) -> None:
    # Given a full event the member is first on the waitlist of, through the Mini App,
    event_id = full_event(own_base, admin, title, member)
    raw = init_data(member, "Next In Line")
    open_in_telegram(page, launch_url(own_base, raw, THEMES[theme], f"/app/events/{event_id}"))
    main_button(page, "Join waitlist")
    send(page, "main_button_pressed")
    expect(page.get_by_role("status")).to_have_text("You're #1 on the waitlist")

    # When the member holding the seat cancels through the API and the detail loads again,
    holder = login_via_api(own_base, member + 1, "Seat Holder")
    assert authed("DELETE", f"{own_base}/api/v1/events/{event_id}/rsvp", holder) == 204
    page.reload()

    # Then the member is going: the seat is theirs, nobody waits, and the MainButton cancels.
    expect(page.get_by_text("You're going", exact=True)).to_be_visible()
    expect(page.get_by_text("1 / 1 going · Full")).to_be_visible()
    expect(page.get_by_text("waiting")).to_have_count(0)
    expect(page.get_by_text("on the waitlist")).to_have_count(0)
    main_button(page, "Cancel RSVP")
    no_serious_violations(page)
    shot(page, f"{theme}-detail-promoted")
    # and "My events" says "Going".
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    card = page.locator(".cards > li").filter(has_text=title)
    expect(card.locator(".tag.going")).to_have_text("Going")
    expect(card).not_to_contain_text("Waitlist")


@pytest.mark.allow_console(r"status of 404 .*/api/v1/events/[^/]+(/rsvp)?\)")
@pytest.mark.parametrize(
    ("theme", "titles", "member"),
    [
        ("light", ("Pop-up market", "Street food tour"), 710300),
        ("dark", ("Night market", "Lantern walk"), 710400),
    ],
)
def test_an_event_an_admin_deactivated_after_the_list_loaded_is_gone(
    own_base: str, admin: str, page: Page, theme: str, titles: tuple[str, str], member: int
) -> None:
    # Given two events in the list the member has loaded,
    opened_later, open_now = titles
    later_id = create_event(own_base, admin, opened_later, timedelta(hours=21))
    now_id = create_event(own_base, admin, open_now, timedelta(hours=22))
    open_in_telegram(page, launch_url(own_base, init_data(member, "Browser"), THEMES[theme]))
    cards = page.get_by_role("listitem")
    expect(cards.filter(has_text=opened_later)).to_be_visible()
    expect(cards.filter(has_text=open_now)).to_be_visible()

    # When an admin deactivates one through the API and the member opens its card,
    assert authed("DELETE", f"{own_base}/api/v1/events/{later_id}", admin) == 204
    cards.filter(has_text=opened_later).get_by_role("link").click()
    # Then the 404 is shown as "gone", with a way back rather than a pointless "Try again",
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This event is gone.")
    expect(alert.get_by_role("button", name="Try again")).to_have_count(0)
    wait_posted(page, "web_app_setup_back_button", {"is_visible": True})
    no_serious_violations(page)
    shot(page, f"{theme}-detail-gone-opened")
    # and back in the list, reloaded, it is no longer there.
    alert.get_by_role("button", name="Back to events").click()
    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    wait_posted(page, "web_app_setup_back_button", {"is_visible": False})
    expect(cards.filter(has_text=open_now)).to_be_visible()
    expect(cards.filter(has_text=opened_later)).to_have_count(0)

    # When the other is deactivated while its detail is open and the member presses RSVP,
    cards.filter(has_text=open_now).get_by_role("link").click()
    expect(page.get_by_role("heading", name=open_now)).to_be_visible()
    main_button(page, "RSVP")
    assert authed("DELETE", f"{own_base}/api/v1/events/{now_id}", admin) == 204
    send(page, "main_button_pressed")
    # Then the RSVP's 404 is shown as "gone" and no RSVP is offered any more.
    expect(page.get_by_role("status")).to_have_text("This event is gone.")
    main_button_hidden(page)
    token = page.evaluate("localStorage.getItem('community.token')")
    assert api_get(own_base, "/api/users/me/events", token)["events"] == []
    no_serious_violations(page)
    shot(page, f"{theme}-detail-gone-rsvp")


@pytest.fixture(scope="module")
def many_events(own_base: str, admin: str) -> list[str]:
    """More than two pages of upcoming events: PAGING_EVENTS created by the admin through the
    API, a day apart, after the samples (the ids, in start order)."""
    return [
        create_event(own_base, admin, f"Paging event {n:02d}", timedelta(days=400 + n))
        for n in range(1, PAGING_EVENTS + 1)
    ]


def upcoming_in_start_order(base: str) -> list[str]:
    """Every upcoming event's title as the API lists them, sorted by start here."""
    events: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = "limit=50" + (f"&cursor={cursor}" if cursor else "")
        status, _, body = request("GET", f"{base}/api/v1/events/upcoming?{query}")
        assert status == 200, body
        answer = json.loads(body)
        events += answer["events"]
        cursor = answer["next_cursor"]
        if not cursor:
            break
    events.sort(key=lambda e: (datetime.fromisoformat(e["start_date"]), e["id"]))
    return [e["title"] for e in events]


def card_titles(page: Page) -> list[str]:
    return page.locator(".cards > li h2").all_inner_texts()


def test_more_pages_the_upcoming_events_through_next_cursor_each_once_in_order(
    own_base: str, many_events: list[str], page: Page
) -> None:
    # Given more than two pages of upcoming events,
    expected = upcoming_in_start_order(own_base)
    assert len(expected) > 20
    answers: list[Any] = []
    page.on("response", lambda r: answers.append(r) if "/events/upcoming" in r.url else None)
    open_in_telegram(page, launch_url(own_base, init_data(710500, "Scroller"), LIGHT))
    headings = page.locator(".cards > li h2")
    expect(headings).to_have_count(10)
    more = page.get_by_role("button", name="More")

    # When the member presses "More" until it goes away,
    more.click()
    expect(headings).to_have_count(20)
    more.click()

    # Then every upcoming event is listed once, in start order, and "More" is gone;
    expect(headings).to_have_count(len(expected))
    expect(more).to_have_count(0)
    titles = card_titles(page)
    assert titles == expected
    assert len(set(titles)) == len(titles)
    # each page was asked for with the next_cursor of the one before.
    pages = [(parse_qs(urlsplit(r.url).query), r.json()) for r in answers]
    assert len(pages) == 3
    assert "cursor" not in pages[0][0]
    for (_, before), (query, _) in pairwise(pages):
        assert query["cursor"] == [before["next_cursor"]]
    assert pages[-1][1]["next_cursor"] is None
    no_serious_violations(page)


@pytest.mark.allow_console(r"status of 503 .*/api/v1/events/upcoming\?.*cursor=")
def test_a_failed_more_keeps_the_list_says_so_and_try_again_loads_the_page(
    own_base: str, many_events: list[str], page: Page
) -> None:
    # Given the first page of upcoming events, and a next page that fails once with a 503,
    expected = upcoming_in_start_order(own_base)
    page.route("**/api/v1/events/upcoming*", unavailable_once("cursor="))
    open_in_telegram(page, launch_url(own_base, init_data(710550, "Unlucky"), LIGHT))
    headings = page.locator(".cards > li h2")
    expect(headings).to_have_count(10)

    # When the member presses "More" and that page fails,
    page.get_by_role("button", name="More").click()

    # Then the ten events stay, an alert says the next ones did not load, the button offers to
    # try again;
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Could not load more")
    expect(alert).to_contain_text("unavailable")
    expect(headings).to_have_count(10)
    no_serious_violations(page)
    shot(page, "light-more-503")
    # and trying again loads that page, each event once, and the alert goes.
    page.get_by_role("button", name="Try again").click()
    expect(headings).to_have_count(20)
    expect(alert).to_have_count(0)
    assert card_titles(page) == expected[:20]


def test_my_events_pages_with_more_each_once_in_order(
    own_base: str, many_events: list[str], page: Page
) -> None:
    # Given a member with 12 RSVPs (more than the profile's page of 10),
    token = login_via_api(own_base, 710600, "Regular")
    chosen = many_events[:12]
    for event_id in reversed(chosen):  # taken out of order: the list is by start, not by RSVP
        assert authed("POST", f"{own_base}/api/v1/events/{event_id}/rsvp", token) == 201
    open_in_telegram(page, launch_url(own_base, init_data(710600, "Regular"), LIGHT))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Regular")).to_be_visible()
    headings = page.locator(".cards > li h2")
    expect(headings).to_have_count(10)

    # When the member presses "More" under "My events",
    page.get_by_role("button", name="More").click()

    # Then all 12 are listed once, in start order, and "More" is gone.
    expect(headings).to_have_count(12)
    expect(page.get_by_role("button", name="More")).to_have_count(0)
    assert card_titles(page) == [f"Paging event {n:02d}" for n in range(1, 13)]


def test_copy_puts_the_referral_code_on_the_clipboard_and_says_copied(
    own_base: str, browser: Browser, request: pytest.FixtureRequest
) -> None:
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        permissions=["clipboard-read", "clipboard-write"],
    )
    images_offline(context)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        watched = watch(page, request.node)
        # Given the member's profile with its referral code,
        open_in_telegram(page, launch_url(own_base, init_data(710700, "Sharer"), LIGHT))
        page.get_by_role("link", name="Profile").click()
        expect(page.get_by_role("heading", name="Sharer")).to_be_visible()
        token = page.evaluate("localStorage.getItem('community.token')")
        code = api_get(own_base, "/api/users/me", token)["user"]["referral_code"]
        expect(page.get_by_text(code, exact=True)).to_be_visible()

        # When the member presses "Copy",
        page.get_by_role("button", name="Copy").click()

        # Then the button says "Copied", a live region tells screen readers, and the clipboard
        # holds the code.
        expect(page.get_by_role("button", name="Copied")).to_be_visible()
        expect(page.get_by_role("status")).to_have_text("Referral code copied")
        assert page.evaluate("navigator.clipboard.readText()") == code
    finally:
        context.close()
    assert_quiet(watched)


def test_an_rsvp_and_its_cancel_each_post_a_success_haptic(own_base: str, page: Page) -> None:
    # Given an event's detail with its RSVP button and no haptic yet,
    open_in_telegram(page, launch_url(own_base, init_data(710800, "Tapper"), LIGHT))
    page.get_by_role("listitem").filter(has_text="Demo night").get_by_role("link").click()
    main_button(page, "RSVP")
    haptic = "web_app_trigger_haptic_feedback"
    assert posted(page, haptic) == []
    success = {"type": "notification", "notification_type": "success"}

    # When the member RSVPs, then the client is asked for a success haptic;
    send(page, "main_button_pressed")
    expect(page.get_by_role("status")).to_have_text("You're going!")
    wait_posted(page, haptic, success)
    assert posted(page, haptic) == [success]

    # when the member cancels, one more.
    main_button(page, "Cancel RSVP")
    send(page, "main_button_pressed")
    expect(page.get_by_role("status")).to_have_text("Your RSVP is cancelled.")
    wait_posted(page, haptic, success, count=2)
    assert posted(page, haptic) == [success, success]


# Counts the page's requests to the API but the login's (what `seen` records), as fetch() is
# called; IDLE_THEN_API_FETCHES reads the count once the page is idle (two animation frames
# and an idle period: Preact's effects have run, and any request they make has started).
COUNT_API_FETCHES = """
(() => {
  const fetch = window.fetch;
  window.__apiFetches = 0;
  window.fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.includes('/api/') && !url.includes('/api/auth/')) window.__apiFetches += 1;
    return fetch(input, init);
  };
})();
"""
IDLE_THEN_API_FETCHES = """
async () => {
  for (let i = 0; i < 2; i += 1) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await new Promise((resolve) => requestIdleCallback(resolve, {timeout: 5000}));
  }
  return window.__apiFetches;
}
"""


@pytest.fixture(scope="module")
def busy_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own: 60 more upcoming events would change the lists the tests above
    page through."""
    with miniapp_server(tmp_path_factory, "miniapp-busy") as url:
        yield url


def test_a_screen_costs_its_requests_side_by_side_and_a_tap_one_for_a_member_with_60_rsvps(
    busy_base: str, page: Page
) -> None:
    # Given a member going to 60 events (more than one page of 50 of /me/events, which the
    # detail paged through to learn whether the member is going: 3 requests, 2 in a row),
    login_via_api(busy_base, ADMIN_ID, "Admin Alex")
    make_admin(busy_base, ADMIN_ID)
    admin = login_via_api(busy_base, ADMIN_ID, "Admin Alex")
    ids = [
        create_event(busy_base, admin, f"Busy {n:02d}", timedelta(days=40 + n)) for n in range(60)
    ]
    token = login_via_api(busy_base, 720000, "Busy Bee")
    for event_id in ids:
        assert authed("POST", f"{busy_base}/api/v1/events/{event_id}/rsvp", token) == 201
    # and every request of the app to the API, and each answer, in the order they happen,
    seen: list[tuple[str, str, str]] = []
    prefer: list[str | None] = []

    def api_path(url: str) -> str | None:
        path = urlsplit(url).path
        return path if path.startswith("/api/") and not path.startswith("/api/auth/") else None

    total = {"sent": 0}

    def on_request(r: Request) -> None:
        if path := api_path(r.url):
            seen.append(("sent", r.method, path))
            prefer.append(r.headers.get("prefer"))
            total["sent"] += 1

    def on_response(r: Response) -> None:
        if path := api_path(r.url):
            seen.append(("answered", r.request.method, path))

    page.on("request", on_request)
    page.on("response", on_response)
    # The page counts the API requests it starts, as it starts them: a screen has settled when
    # its main thread is idle (effects run, answers handled) and every request it started has
    # reached this test, with no fixed pause that a loaded machine could outlast.
    page.add_init_script(COUNT_API_FETCHES)

    def sent() -> list[tuple[str, str]]:
        """The requests sent since `seen` was cleared, as (method, path), sorted."""
        return sorted((method, path) for kind, method, path in seen if kind == "sent")

    def one_round_trip() -> bool:
        """Every request was sent before the first answer came: none waited for another."""
        kinds = [kind for kind, _, _ in seen]
        return "answered" not in kinds[: len(sent())]

    def settled(condition: Callable[[], None]) -> None:
        """`condition`, then room for a request that should not come: the page idle and each
        request it started seen here."""
        condition()
        deadline = time.monotonic() + TIMEOUT / 1000
        while (started := page.evaluate(IDLE_THEN_API_FETCHES)) > total["sent"]:
            assert time.monotonic() < deadline, f"{started} requests started, {total} seen"

    demo = next(
        e["id"]
        for e in api_get(busy_base, "/api/v1/events/upcoming", token)["events"]
        if e["title"] == "Demo night"
    )
    last = ids[-1]
    counts: dict[str, list[tuple[str, str]]] = {}

    # When the member opens the app (its login aside), an event they are not going to, RSVPs,
    # cancels, their profile, and (launched on it) the last of the 60 events they are going to,
    open_in_telegram(page, launch_url(busy_base, init_data(720000, "Busy Bee"), LIGHT))
    settled(lambda: expect(page.locator(".cards > li h2")).to_have_count(10))
    counts["events"] = sent()
    seen.clear()
    page.get_by_role("listitem").filter(has_text="Demo night").get_by_role("link").click()
    settled(lambda: main_button(page, "RSVP"))
    counts["detail"], detail_in_one = sent(), one_round_trip()
    seen.clear()
    send(page, "main_button_pressed")
    settled(lambda: expect(page.get_by_text("1 / 80 going")).to_be_visible())
    expect(page.get_by_role("status")).to_have_text("You're going!")
    counts["rsvp"] = sent()
    seen.clear()
    main_button(page, "Cancel RSVP")
    prefer.clear()
    send(page, "main_button_pressed")
    settled(lambda: expect(page.get_by_text("0 / 80 going")).to_be_visible())
    expect(page.get_by_role("status")).to_have_text("Your RSVP is cancelled.")
    counts["cancel"], cancel_prefer = sent(), list(prefer)
    seen.clear()
    page.get_by_role("link", name="Profile").click()
    settled(lambda: expect(page.locator(".cards > li h2")).to_have_count(10))
    counts["profile"] = sent()
    seen.clear()
    page.goto(launch_url(busy_base, init_data(720000, "Busy Bee"), LIGHT, f"/app/events/{last}"))
    settled(lambda: main_button(page, "Cancel RSVP"))
    counts["detail, going to the 60th"], going_in_one = sent(), one_round_trip()

    # Then each screen costs its own requests at once, and each tap exactly one.
    event, rsvp = f"/api/v1/events/{demo}", f"/api/v1/events/{demo}/rsvp"
    assert counts == {
        "events": [("GET", "/api/v1/events/upcoming")],
        "detail": [("GET", event), ("GET", rsvp)],
        "rsvp": [("POST", rsvp)],
        "cancel": [("DELETE", rsvp)],
        # The leaderboard (issue 29) is the profile's third, sent with the other two.
        "profile": [
            ("GET", "/api/users/me"),
            ("GET", "/api/users/me/events"),
            ("GET", "/api/v1/referrals/top"),
        ],
        "detail, going to the 60th": [
            ("GET", f"/api/v1/events/{last}"),
            ("GET", f"/api/v1/events/{last}/rsvp"),
        ],
    }
    assert detail_in_one, "the detail's two requests went one after the other"
    assert going_in_one, "the detail's two requests went one after the other"
    assert cancel_prefer == ["return=representation"]


# --- Whatever an admin or a member typed (issue 25: items 2, 6 and 8) --------------------------
# A server of its own: a 180-character word, Arabic and a full event must not reach the lists
# the tests above compare exactly.
TEXTS_ADMIN = 730000
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4  # 180 letters, no break
LONG_URL = "https://example.com/" + "a-very-long-path-segment-" * 16
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff" * 3
LONG_USERNAME = "a_very_long_username_" * 3
ARABIC_TITLE = "أمسية الشعر العربي!"
ARABIC_DESCRIPTION = "تعالوا نقرأ الشعر معاً، ونشرب الشاي."
ARABIC_LOCATION = "دار الثقافة، عمّان"
ARABIC_NAME = "ليلى"
ARABIC_USERNAME = "layla_ar"
# Any character of the Arabic block: the user texts of the Arabic event and member.
HAS_ARABIC = "/[\\u0600-\\u06FF]/"
AUTH_MAX_AGE = 3600


@pytest.fixture(scope="module")
def texts_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("miniapp-texts")
    build_miniapp(logs / "build.log")
    unset = dict.fromkeys(["TELEGRAM_BOT_TOKEN", "JWT_SECRET", "DYNAMODB_ENDPOINT_URL"])
    with local_api(logs, **unset, AUTH_MAX_AGE_SECONDS=str(AUTH_MAX_AGE)) as url:
        yield url


@pytest.fixture(scope="module")
def texts(texts_base: str) -> dict[str, str]:
    """The events, by role: one whose title, location and description (a URL) are one long
    word each, one in Arabic, one with a single spot left, and one the admin filled. The admin
    is going to all but the one with a spot left, so they show in the admin's "My events"."""
    login_via_api(texts_base, TEXTS_ADMIN, "Admin")
    make_admin(texts_base, TEXTS_ADMIN)
    admin = login_via_api(texts_base, TEXTS_ADMIN, "Admin")
    ids = {
        "long": create_event(
            texts_base,
            admin,
            LONG_WORD,
            timedelta(hours=30),
            description=f"Details: {LONG_URL}\n{LONG_WORD}",
            location=LONG_WORD,
            price="1234567.89",
            capacity=500,
            category="workshop",
        ),
        "arabic": create_event(
            texts_base,
            admin,
            ARABIC_TITLE,
            timedelta(hours=31),
            description=ARABIC_DESCRIPTION,
            location=ARABIC_LOCATION,
            capacity=40,
        ),
        "one-left": create_event(texts_base, admin, "Tiny dinner", timedelta(hours=32), capacity=2),
        "mine-full": create_event(texts_base, admin, "Boat trip", timedelta(hours=33), capacity=1),
    }
    other = login_via_api(texts_base, TEXTS_ADMIN + 1, "Other")
    assert authed("POST", f"{texts_base}/api/v1/events/{ids['one-left']}/rsvp", other) == 201
    for role in ("long", "arabic", "mine-full"):
        assert authed("POST", f"{texts_base}/api/v1/events/{ids[role]}/rsvp", admin) == 201
    return ids


def member_init_data(
    telegram_id: int, name: str, username: str | None = None, auth_date: int | None = None
) -> str:
    """init_data with a username, or signed at `auth_date` (a launch that long ago)."""
    return signed_init_data(
        LOCAL_DEFAULTS["TELEGRAM_BOT_TOKEN"],
        telegram_id,
        name,
        username=username,
        auth_date=auth_date,
        extra={"signature": SIGNATURE},
    )


@contextmanager
def sized_page(browser: Browser, size: str) -> Iterator[Page]:
    context = browser.new_context(viewport=SIZES[size], device_scale_factor=2, is_mobile=True)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
    finally:
        context.close()


def screens(texts: dict[str, str], event: str) -> dict[str, str]:
    """Every screen of the app as an admin sees it, by name: its path under the origin."""
    return {
        "events": "/app/",
        "detail": f"/app/events/{texts[event]}",
        "profile": "/app/profile",
        "admin-edit": f"/app/admin/events/{texts[event]}",
        "admin-new": "/app/admin/new",
    }


def open_screen(page: Page, base: str, raw: str, theme: str, name: str, path: str) -> None:
    """Launch the app on `path` and wait until the screen shows what it loads."""
    page.goto(launch_url(base, raw, THEMES[theme], path))
    if name in ("events", "profile"):
        expect(page.locator(".cards > li h2").first).to_be_visible()
    if name == "events":  # the admin's button comes with the login
        expect(page.get_by_role("button", name="New event")).to_be_visible()
    elif name == "profile":
        expect(page.locator(".profile h1")).to_be_visible()
    elif name == "admin-edit":
        expect(page.get_by_label("Title")).not_to_have_value("")
    elif name == "admin-new":
        expect(page.get_by_label("Title")).to_be_visible()
    else:
        expect(page.locator(".detail h1")).to_be_visible()
        expect(page.get_by_role("button", name="Edit event")).to_be_visible()
    page.evaluate("document.fonts.ready")


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", ["320", "390", "768"])
def test_no_screen_is_wider_than_the_viewport_whatever_was_typed(
    texts_base: str, texts: dict[str, str], browser: Browser, size: str, theme: str
) -> None:
    # Given an event whose title, location and description are one 180-letter word each (and a
    # long URL), and an admin going to it whose name and username are long words too,
    raw = member_init_data(TEXTS_ADMIN, LONG_NAME, LONG_USERNAME)
    widths: dict[str, int] = {}
    with sized_page(browser, size) as page:
        add_client(page)
        # When each screen is opened at the size,
        for name, path in screens(texts, "long").items():
            open_screen(page, texts_base, raw, theme, name, path)
            widths[name] = page_width(page)
            shot(page, f"{theme}-{size}-{name}-long-word")
        # (the /u/ page too: the admin's long name)
        token = login_via_api(texts_base, TEXTS_ADMIN, LONG_NAME)
        code = api_get(texts_base, "/api/users/me", token)["user"]["referral_code"]
        page.goto(f"{texts_base}/u/{code}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        widths["/u/ page"] = page_width(page)
    # Then none is wider than the viewport: nothing scrolls sideways, nothing is cut off.
    viewport = SIZES[size]["width"]
    assert all(width <= viewport for width in widths.values()), f"{viewport} px: {widths}"


def add_client(page: Page) -> None:
    """The Telegram client of open_in_telegram, without opening anything yet."""
    page.add_init_script(CLIENT_SCRIPT)


USER_TEXT_DIRECTIONS = """(hasArabic) => {
  const arabic = new RegExp(hasArabic.slice(1, -1));
  const own = (el) => [...el.childNodes].filter((n) => n.nodeType === 3)
    .map((n) => n.textContent).join('');
  const fields = [...document.querySelectorAll('input, textarea')]
    .filter((el) => arabic.test(el.value));
  const texts = [...document.body.querySelectorAll('*')].filter((el) => arabic.test(own(el)));
  return [...texts, ...fields].map((el) => [
    el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''),
    getComputedStyle(el).direction,
    el.getAttribute('dir'),
  ]);
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_user_written_text_reads_right_to_left_on_every_screen_and_the_u_page(
    texts_base: str, texts: dict[str, str], browser: Browser, theme: str
) -> None:
    # Given an event whose title, description and location are Arabic, and an admin going to
    # it whose name is Arabic (and whose username, as Telegram's are, is Latin),
    raw = member_init_data(TEXTS_ADMIN, ARABIC_NAME, ARABIC_USERNAME)
    found: dict[str, list[list[str]]] = {}
    with sized_page(browser, "390") as page:
        add_client(page)
        # When each screen is opened,
        for name, path in screens(texts, "arabic").items():
            if name == "admin-new":
                continue  # nothing anyone typed on it
            open_screen(page, texts_base, raw, theme, name, path)
            found[name] = page.evaluate(USER_TEXT_DIRECTIONS, HAS_ARABIC)
            if name == "profile":
                username = page.get_by_text(f"@{ARABIC_USERNAME}", exact=True)
                assert username.get_attribute("dir") == "auto"
            shot(page, f"{theme}-390-{name}-arabic")
        token = login_via_api(texts_base, TEXTS_ADMIN, ARABIC_NAME)
        code = api_get(texts_base, "/api/users/me", token)["user"]["referral_code"]
        page.goto(f"{texts_base}/u/{code}")
        expect(page.get_by_role("heading", name=ARABIC_NAME)).to_be_visible()
        found["/u/ page"] = page.evaluate(USER_TEXT_DIRECTIONS, HAS_ARABIC)
        shot(page, f"{theme}-390-u-page-arabic")
    # Then every Arabic text (the title in the list, the detail's title, location and
    # description, the name, the form's fields) is laid out right to left, by dir="auto".
    counts = {name: len(elements) for name, elements in found.items()}
    assert counts == {
        "events": 2,  # title, location
        "detail": 3,  # title, location, description
        "profile": 4,  # name, its initial, the card's title and location
        "admin-edit": 3,  # title, description, location
        "/u/ page": 2,  # name, its initial
    }, found
    wrong = {
        name: [e for e in elements if e[1:] != ["rtl", "auto"]] for name, elements in found.items()
    }
    assert wrong == {name: [] for name in found}, wrong


def test_one_spot_left_is_singular_and_my_own_full_event_shows_going(
    texts_base: str, texts: dict[str, str], page: Page
) -> None:
    # Given an event with one spot left, and a full one the member holds a spot of,
    raw = member_init_data(TEXTS_ADMIN, "Admin")
    open_in_telegram(page, launch_url(texts_base, raw, LIGHT))
    cards = page.get_by_role("listitem")
    # When the member sees the list, then the first says "1 spot left" and the full one "Full";
    expect(cards.filter(has_text="Tiny dinner")).to_contain_text("1 spot left")
    expect(cards.filter(has_text="Tiny dinner")).not_to_contain_text("spots")
    expect(cards.filter(has_text="Boat trip").locator(".tag.full")).to_have_text("Full")
    # and in "My events" the full event is the member's own: "Going", not a red "Full".
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    mine = page.locator(".cards > li").filter(has_text="Boat trip")
    expect(mine).to_contain_text("Going")
    expect(mine).not_to_contain_text("Full")
    colour = mine.get_by_text("Going", exact=True).evaluate("n => getComputedStyle(n).color")
    assert colour != rgb(LIGHT["destructive_text_color"])
    shot(page, "light-profile-my-events-going")


def test_an_rsvp_says_you_are_going_once(texts_base: str, page: Page) -> None:
    # Given an event's detail and its RSVP button,
    open_in_telegram(page, launch_url(texts_base, member_init_data(730100, "Joiner"), LIGHT))
    page.get_by_role("listitem").filter(has_text="Welcome meetup").get_by_role("link").click()
    main_button(page, "RSVP")
    # When the member RSVPs,
    send(page, "main_button_pressed")
    expect(page.get_by_text("1 / 30 going")).to_be_visible()
    # Then one line says so, not two ("You're going" and "You're going!").
    going = page.get_by_text("You're going")
    expect(going).to_have_count(1)
    shot(page, "light-detail-rsvp-once")
    # and opened again, still one.
    page.reload()
    expect(page.get_by_role("heading", name="Welcome meetup")).to_be_visible()
    expect(going).to_have_count(1)


@pytest.mark.parametrize("size", ["320", "390", "768"])
def test_every_interactive_element_is_a_44_px_touch_target(
    texts_base: str, texts: dict[str, str], browser: Browser, size: str
) -> None:
    # Given every screen as an admin sees it (the list's error state with its "Try again" too),
    raw = member_init_data(TEXTS_ADMIN, "Admin")
    measured: dict[str, list[list[Any]]] = {}
    with sized_page(browser, size) as page:
        add_client(page)
        for name, path in screens(texts, "one-left").items():
            open_screen(page, texts_base, raw, "light", name, path)
            measured[name] = page.evaluate(TOUCH_TARGETS)
        page.route("**/api/v1/events/upcoming*", unavailable_once())
        page.goto(launch_url(texts_base, raw, LIGHT))
        expect(page.get_by_role("button", name="Try again")).to_be_visible()
        measured["events, failed"] = page.evaluate(TOUCH_TARGETS)
    # Then each control is at least 44 by 44 px (WCAG 2.5.5, Apple's and Google's guides).
    assert all(measured.values()), measured
    small = {name: [m for m in found if m[1] < 44 or m[2] < 44] for name, found in measured.items()}
    assert small == {name: [] for name in measured}, small


@pytest.mark.parametrize("size", ["320", "390", "768"])
def test_the_category_chips_show_that_they_scroll_sideways(
    texts_base: str, browser: Browser, size: str
) -> None:
    with sized_page(browser, size) as page:
        add_client(page)
        page.goto(launch_url(texts_base, member_init_data(730200, "Chipper"), LIGHT))
        chips = page.get_by_role("group", name="Categories")
        expect(chips.get_by_role("button")).to_have_count(7)
        style = chips.evaluate(
            "el => { const s = getComputedStyle(el); return {overflows: el.scrollWidth >"
            " el.clientWidth, mask: s.maskImage || s.webkitMaskImage, snap: s.scrollSnapType}; }"
        )
        shot(page, f"light-{size}-chips")
        if size == "768":
            assert not style["overflows"]  # they all fit: nothing to hint at
            return
        # Given chips wider than the screen,
        assert style["overflows"]
        # Then the edge they continue past fades (a chip shows cut off), and they snap;
        assert "gradient" in style["mask"], style
        assert style["snap"].startswith("x"), style
        # and scrolled to the end, the last chip is whole, clear of the fade.
        chips.evaluate("el => { el.style.scrollBehavior = 'auto'; el.scrollLeft = 1e6; }")
        last, edge = chips.evaluate(
            "el => [el.lastElementChild.getBoundingClientRect().right,"
            " el.getBoundingClientRect().right - parseFloat(getComputedStyle(el).paddingRight)]"
        )
        assert last <= edge + 0.5
        shot(page, f"light-{size}-chips-scrolled")


LOOKS_LIKE_A_BUTTON = """(el) => {
  const s = getComputedStyle(el);
  let parent = el.parentElement;
  while (parent && getComputedStyle(parent).backgroundColor === 'rgba(0, 0, 0, 0)')
    parent = parent.parentElement;
  const behind = parent ? getComputedStyle(parent).backgroundColor : 'none';
  return s.boxShadow !== 'none' || parseFloat(s.borderTopWidth) > 0 || s.backgroundColor !== behind;
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_edit_event_and_every_other_button_look_like_buttons(
    texts_base: str, texts: dict[str, str], browser: Browser, theme: str
) -> None:
    raw = member_init_data(TEXTS_ADMIN, "Admin")
    seen: dict[str, dict[str, bool]] = {}
    with sized_page(browser, "390") as page:
        add_client(page)
        for name, path in screens(texts, "one-left").items():
            open_screen(page, texts_base, raw, theme, name, path)
            buttons = page.locator("main .button")
            seen[name] = {
                buttons.nth(i).inner_text(): buttons.nth(i).evaluate(LOOKS_LIKE_A_BUTTON)
                for i in range(buttons.count())
            }
            if name == "detail":
                shot(page, f"{theme}-390-detail-edit-event")
    # Each has an edge or a fill of its own: not text lying on the page.
    assert seen["detail"].keys() >= {"Edit event"}
    assert seen["profile"].keys() >= {"Share", "Copy"}
    assert all(all(found.values()) for found in seen.values()), seen


@pytest.mark.allow_console(r"status of 401 .*/api/auth/generate-code\)")
def test_an_expired_login_says_to_reopen_the_app_not_try_again(texts_base: str, page: Page) -> None:
    # Given a launch whose initData is older than AUTH_MAX_AGE_SECONDS (Telegram's client signed
    # it when the app was opened, and the app stayed open since),
    old = int(datetime.now(UTC).timestamp()) - AUTH_MAX_AGE - 600
    raw = member_init_data(730300, "Sleeper", auth_date=old)
    open_in_telegram(page, launch_url(texts_base, raw, LIGHT))
    # When the login fails for it, then the member is told to close and reopen the app, and
    # no "Try again" (it would send the same initData) is offered;
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("close")
    expect(alert).to_contain_text("open it again")
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)
    expect(page.locator(".cards > li h2").first).to_be_visible()  # the list needs no login
    no_serious_violations(page)
    shot(page, "light-login-expired")
    # nor on a screen that needs the login.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    expect(page.locator("main").get_by_role("alert")).to_contain_text("open it again")
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)
    shot(page, "light-profile-login-expired")


def with_currency(currency: str) -> Callable[[Route], None]:
    """A route handler giving every event in the API's answers `currency`, as the API does once
    events carry one (an ISO 4217 code per event, a deployment's default)."""

    def handle(route: Route) -> None:
        response = route.fetch()
        if response.status != 200:
            route.fulfill(response=response)
            return
        body = response.json()
        for event in [*body.get("events", []), *([body["event"]] if "event" in body else [])]:
            event["currency"] = currency
        route.fulfill(response=response, json=body)

    return handle


def test_a_price_shows_the_events_currency(
    texts_base: str, texts: dict[str, str], page: Page
) -> None:
    # Given events priced in euros,
    page.route("**/api/v1/events/**", with_currency("EUR"))
    open_in_telegram(page, launch_url(texts_base, member_init_data(730400, "Buyer"), LIGHT))
    euros = page.evaluate(
        "new Intl.NumberFormat(undefined, {style: 'currency', currency: 'EUR'}).format(1234567.89)"
    )
    assert "€" in euros
    # When the member sees the list and the detail, then the price says so in their locale.
    card = page.get_by_role("listitem").filter(has_text=LONG_WORD[:40])
    expect(card.locator(".tag").first).to_have_text(euros)
    expect(page.get_by_role("listitem").filter(has_text="Tiny dinner")).to_contain_text("Free")
    card.get_by_role("link").click()
    expect(page.locator(".detail .tag").first).to_have_text(euros)
    page.screenshot(path=str(SCREENSHOTS / "light-detail-long-word-euros-full.png"), full_page=True)


@pytest.mark.allow_console(r"status of 503 .*/api/auth/generate-code\)")
def test_a_login_that_failed_otherwise_offers_a_44_px_try_again_that_recovers(
    texts_base: str, page: Page
) -> None:
    # Given a login whose first request fails with a 503 (trying again can succeed),
    page.route("**/api/auth/generate-code", unavailable_once())
    open_in_telegram(page, launch_url(texts_base, member_init_data(730500, "Retrier"), DARK))
    banner = page.locator(".banner")
    expect(banner).to_contain_text("Login failed")
    # Then the banner offers "Try again", a full-size touch target,
    again = banner.get_by_role("button", name="Try again")
    box = again.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    assert box["width"] >= 44
    no_serious_violations(page)
    shot(page, "dark-login-failed")
    # which logs in.
    again.click()
    expect(banner).to_have_count(0)
    page.wait_for_function("() => localStorage.getItem('community.token') !== null")
