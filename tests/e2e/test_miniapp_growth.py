"""Growth the Telegram way in the Mini App (issue 29), in Debian's Chromium opened as Telegram's
clients open it, against `make run`'s server and its fake Bot API (started here, so the test
reads what the server sent Telegram): "Share" on an event (a prepared message sent with
`shareMessage` on Bot API 8.0, Telegram's share link on 7.x), a direct link
`e_<id>_r_<code>` opening the event and crediting the sharer, "Join the event chat" for going
members only, and on the profile "You brought N members" with the leaderboard (month / all).
Any console error or CSP violation fails a test."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from support.browser import TIMEOUT
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

from devkit.local.env import LOCAL_SECRETS
from devkit.local.fakebot import FakeBotApi

SCREENSHOTS = ROOT / ".local" / "miniapp-screenshots"
THEMES = {"light": LIGHT, "dark": DARK}
SHARE = "web_app_send_prepared_message"
TG_LINK = "web_app_open_tg_link"
expect.set_options(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def bot() -> Iterator[FakeBotApi]:
    fake = FakeBotApi().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, bot: FakeBotApi) -> Iterator[str]:
    """`make run`'s server with the built Mini App, on its own port and tables, calling the
    fake Bot API above."""
    logs = tmp_path_factory.mktemp("miniapp-growth")
    build_miniapp(logs / "build.log")
    secrets = ["TELEGRAM_BOT_TOKEN", "JWT_SECRET", "TELEGRAM_WEBHOOK_SECRET"]
    unset = dict.fromkeys([*secrets, "DYNAMODB_ENDPOINT_URL"])
    with local_api(logs, TELEGRAM_API_BASE_URL=bot.url, **unset) as url:
        yield url


def call(base: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    status, _, answer = request(method, f"{base}{path}", body, {"Authorization": f"Bearer {token}"})
    return status, (json.loads(answer) if answer else None)


def login(base: str, telegram_id: int, name: str, start_param: str | None = None) -> str:
    """A member's first (or next) launch, through the API: `start_param` as the link gave it."""
    raw = init_data(telegram_id, name, start_param)
    status, _, body = request(
        "POST", f"{base}/api/auth/generate-code", headers={"Authorization": f"tma {raw}"}
    )
    assert status == 200, body
    code = json.loads(body)["code"]
    status, _, body = request(
        "POST", f"{base}/api/auth/callback?code={code}&telegram_id={telegram_id}"
    )
    assert status == 200, body
    return str(json.loads(body)["token"])


def me(base: str, token: str) -> dict[str, Any]:
    status, body = call(base, "GET", "/api/users/me", token)
    assert status == 200, body
    user: dict[str, Any] = body["user"]
    return user


ADMIN_ID = 790000


@pytest.fixture(scope="module")
def admin(base: str) -> str:
    """The first admin, made as an operator makes one (`make make-admin`'s module)."""
    login(base, ADMIN_ID, "Admin Ada")
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers/shared'}:{ROOT / 'tools'}"}
    port = str(urlsplit(base).port)
    command = [sys.executable, "-m", "devkit.ops.admin", "--telegram-id", str(ADMIN_ID)]
    subprocess.run([*command, "--port", port], check=True, cwd=ROOT, env=env, capture_output=True)
    return login(base, ADMIN_ID, "Admin Ada")


def create_event(base: str, admin: str, title: str) -> str:
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    body = {
        "title": title,
        "description": f"{title}: created by a browser test.",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(hours=2)).isoformat(),
        "location": "Test venue",
        "capacity": 40,
    }
    status, answer = call(base, "POST", "/api/v1/events", admin, body)
    assert status == 201, answer
    return str(answer["event"]["id"])


def shot(page: Page, name: str) -> Path:
    """The screen as the member sees it (the tab bar is fixed: a full-page shot would paint it
    across the middle)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"growth-{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def tap_share(page: Page) -> dict[str, Any]:
    """Taps "Share": the API's answer to the one POST …/share it sends."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/share")
    ) as answer:
        page.get_by_role("button", name="Share").click()
    assert answer.value.status == 200, answer.value.text()
    body: dict[str, Any] = answer.value.json()
    return body


# --- Share ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("theme", "member"), [("light", 791001), ("dark", 791002)])
def test_share_on_bot_api_8_sends_the_prepared_card_and_says_it_was_sent(
    base: str, bot: FakeBotApi, admin: str, page: Page, theme: str, member: int
) -> None:
    # Given an event opened by a member in a client with Bot API 8.0,
    title = f"Card night {theme}"
    event_id = create_event(base, admin, title)
    code = me(base, login(base, member, "Sharer"))["referral_code"]
    path = f"/app/events/{event_id}"
    open_in_telegram(page, launch_url(base, init_data(member, "Sharer"), THEMES[theme], path))
    expect(page.get_by_role("heading", name=title)).to_be_visible()

    # When the member taps "Share",
    prepared = tap_share(page)

    # Then the server prepared the event's card for this member (one savePreparedInlineMessage,
    # its button the event's direct link with the member's referral), and the client is asked
    # to send exactly that prepared message;
    wait_posted(page, SHARE)
    assert posted(page, SHARE) == [{"id": prepared["prepared_message_id"]}]
    saved = [c["payload"] for c in bot.calls_of("savePreparedInlineMessage")]
    mine = [p for p in saved if p["user_id"] == member]
    assert len(mine) == 1, saved
    assert f"startapp=e_{event_id}_r_{code}" in prepared["url"]
    assert prepared["url"] in json.dumps(mine[0]["result"]["reply_markup"])
    assert posted(page, TG_LINK) == []
    # and once the client says the message was sent, the screen says so.
    send(page, "prepared_message_sent")
    expect(page.get_by_text("Shared: the event card is in the chat.")).to_be_visible()
    assert axe_violations(page) == []


def test_share_declined_in_the_client_s_chat_picker_does_nothing_more(
    base: str, admin: str, page: Page
) -> None:
    event_id = create_event(base, admin, "Declined card")
    open_in_telegram(
        page, launch_url(base, init_data(791010, "Shy"), LIGHT, f"/app/events/{event_id}")
    )
    page.get_by_role("button", name="Share").click()
    wait_posted(page, SHARE)

    # When the member closes the chat picker,
    send(page, "prepared_message_failed", {"error": "USER_DECLINED"})

    # Then no share link is opened instead, and no confirmation or error shows.
    expect(page.get_by_role("button", name="Share")).to_be_enabled()
    assert posted(page, TG_LINK) == []
    expect(page.get_by_text("Shared:")).to_have_count(0)
    expect(page.get_by_text("Could not share")).to_have_count(0)


def test_share_on_a_client_before_bot_api_8_opens_telegram_s_share_link(
    base: str, admin: str, page: Page
) -> None:
    # Given an event opened in a client with Bot API 7.10 (no prepared messages),
    title = "Old client card"
    event_id = create_event(base, admin, title)
    member = 791020
    code = me(base, login(base, member, "Old Client"))["referral_code"]
    path = f"/app/events/{event_id}"
    open_in_telegram(
        page, launch_url(base, init_data(member, "Old Client"), LIGHT, path, version="7.10")
    )
    expect(page.get_by_role("heading", name=title)).to_be_visible()

    # When the member taps "Share",
    prepared = tap_share(page)

    # Then the client opens Telegram's share link (t.me/share/url) with the event's direct
    # link carrying the member's referral, and the title as the text; no prepared message.
    wait_posted(page, TG_LINK)
    [opened] = posted(page, TG_LINK)
    shared = urlsplit(opened["path_full"])
    assert shared.path == "/share/url"
    query = parse_qs(shared.query)
    assert query["text"] == [title]
    [link] = query["url"]
    assert link == prepared["url"]
    assert urlsplit(link).scheme == "https"
    assert f"startapp=e_{event_id}_r_{code}" in link
    assert posted(page, SHARE) == []


# --- A direct link into an event, with the sharer's referral ---------------------------------


def test_a_direct_link_with_a_referral_opens_the_event_and_credits_the_sharer(
    base: str, admin: str, page: Page
) -> None:
    # Given a member's share link to an event, `e_<id>_r_<code>`,
    title = "Linked with a referral"
    event_id = create_event(base, admin, title)
    sharer = login(base, 792001, "Link Sharer")
    code = me(base, sharer)["referral_code"]
    param = f"e_{event_id}_r_{code}"

    # When a newcomer opens it (Telegram launches the app at its root with the parameter),
    newcomer = 792002
    open_in_telegram(page, launch_url(base, init_data(newcomer, "Newcomer", param), LIGHT))

    # Then the event's screen shows, Back leads to the list,
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    assert f"/app/events/{event_id}" in page.url
    send(page, "back_button_pressed")
    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    # and the newcomer was recorded as brought by the sharer.
    page.wait_for_function("() => localStorage.getItem('community.token') !== null")
    token = str(page.evaluate("localStorage.getItem('community.token')"))
    assert me(base, token)["referred_by"] == code
    assert me(base, sharer)["referral_count"] == 1


# --- Join the event chat ---------------------------------------------------------------------


def link_chat(base: str, bot: FakeBotApi, event_id: str, chat_id: int) -> None:
    """An admin sends `/linkevent <id>` in a group, as Telegram posts it to the webhook; the
    bot creates an invite link there that asks to join."""
    update = {
        "update_id": chat_id % 100_000,
        "message": {
            "message_id": 1,
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": chat_id, "type": "supergroup", "title": "Event chat"},
            "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Admin"},
            "text": f"/linkevent {event_id}",
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": LOCAL_SECRETS["TELEGRAM_WEBHOOK_SECRET"]}
    status, _, body = request("POST", f"{base}/api/telegram/webhook", update, headers)
    assert status == 200, body
    links = [c for c in bot.calls_of("createChatInviteLink") if c["payload"]["chat_id"] == chat_id]
    assert len(links) == 1, bot.calls
    assert links[0]["payload"]["creates_join_request"] is True


@pytest.mark.parametrize(("theme", "member"), [("light", 795001), ("dark", 795002)])
def test_join_the_event_chat_is_offered_to_going_members_only(
    base: str, bot: FakeBotApi, admin: str, page: Page, theme: str, member: int
) -> None:
    # Given an event whose chat an admin linked, a member going to it and one who is not,
    title = f"Chatty {theme}"
    event_id = create_event(base, admin, title)
    link_chat(base, bot, event_id, -1_000_000_000_000 - member)
    token = login(base, member, "Goer")
    status, body = call(base, "POST", f"/api/v1/events/{event_id}/rsvp", token)
    assert status == 201, body
    status, body = call(base, "GET", f"/api/v1/events/{event_id}/rsvp", token)
    assert status == 200, body
    invite = body["chat_url"]
    assert invite.startswith("https://t.me/+"), body
    path = f"/app/events/{event_id}"

    # When the member not going opens the event, there is "Share" and no chat;
    open_in_telegram(
        page, launch_url(base, init_data(member + 50, "Outsider"), THEMES[theme], path)
    )
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_role("button", name="Share")).to_be_visible()
    expect(page.get_by_role("button", name="Add to calendar")).to_be_visible()
    expect(page.get_by_role("button", name="Join the event chat")).to_have_count(0)

    # When the going member opens it (another account: the outsider's kept token forgotten,
    # and a new page load, not a change of the URL's fragment), "Join the event chat" is there
    # beside "Share",
    page.evaluate("localStorage.clear()")
    page.goto("about:blank")
    page.goto(launch_url(base, init_data(member, "Goer"), THEMES[theme], path))
    chat = page.get_by_role("button", name="Join the event chat")
    expect(chat).to_be_visible()
    expect(page.get_by_role("button", name="Share")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, f"{theme}-event-share-and-chat")
    # and a tap opens the group's invite link inside Telegram (not a browser).
    chat.click()
    wait_posted(page, TG_LINK)
    assert posted(page, TG_LINK) == [{"path_full": urlsplit(invite).path}]
    assert posted(page, "web_app_open_link") == []

    # When the member cancels (the MainButton), the chat button goes with the RSVP.
    send(page, "main_button_pressed")
    expect(page.get_by_role("status")).to_have_text("Your RSVP is cancelled.")
    expect(page.get_by_role("button", name="Join the event chat")).to_have_count(0)


# --- You brought N members, and the leaderboard ----------------------------------------------


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_profile_says_how_many_members_one_brought_and_who_brought_the_most(
    base: str, page: Page, theme: str
) -> None:
    # Given a member two newcomers joined through, and another whom one newcomer joined through
    # (the second theme's run logs the same members in again: no new referral),
    top = login(base, 793001, "Top Referrer")
    top_code = me(base, top)["referral_code"]
    other = login(base, 793002, "عمر الراوي")
    other_code = me(base, other)["referral_code"]
    login(base, 793011, "New One", top_code)
    login(base, 793012, "New Two", top_code)
    login(base, 793013, "New Three", other_code)
    assert me(base, top)["referral_count"] == 2
    tops: list[str] = []
    page.on(
        "request",
        lambda r: (
            tops.append(parse_qs(urlsplit(r.url).query)["period"][0])
            if urlsplit(r.url).path == "/api/v1/referrals/top"
            else None
        ),
    )

    # When the member opens their profile,
    raw = init_data(793001, "Top Referrer")
    open_in_telegram(page, launch_url(base, raw, THEMES[theme], "/app/profile"))

    # Then it says how many they brought, and this month's leaderboard has them first, marked,
    expect(page.get_by_text("You brought 2 members")).to_be_visible()
    board = page.get_by_role("region", name="Who brought the most members")
    month = board.get_by_role("button", name="This month")
    expect(month).to_have_attribute("aria-pressed", "true")
    rows = board.get_by_role("listitem")
    expect(rows.first).to_contain_text("Top Referrer")
    expect(rows.first).to_contain_text("2")
    expect(rows.first).to_have_attribute("aria-current", "true")
    arabic = rows.filter(has_text="عمر الراوي")
    expect(arabic).to_contain_text("1")
    expect(arabic.locator("span[dir=auto]")).to_have_text("عمر الراوي")
    board.scroll_into_view_if_needed()
    shot(page, f"{theme}-profile-leaderboard")

    # and "All time" asks for that period once (toggling back asks for nothing more).
    board.get_by_role("button", name="All time").click()
    expect(board.get_by_role("button", name="All time")).to_have_attribute("aria-pressed", "true")
    expect(rows.first).to_contain_text("Top Referrer")
    month.click()
    expect(month).to_have_attribute("aria-pressed", "true")
    expect(rows.first).to_contain_text("Top Referrer")
    assert tops == ["month", "all"]
    assert axe_violations(page) == []


# --- 320 px, 44 px targets, both themes ------------------------------------------------------

LONG = "Wolfeschlegelsteinhausenbergerdorff"


@pytest.mark.parametrize(("theme", "member"), [("light", 794001), ("dark", 794002)])
def test_the_event_and_profile_fit_320_px_with_44_px_targets(
    base: str,
    bot: FakeBotApi,
    admin: str,
    browser: Browser,
    request: pytest.FixtureRequest,
    theme: str,
    member: int,
) -> None:
    # Given a going member with a long name, brought by someone and bringing one member,
    event_id = create_event(base, admin, f"Narrow {theme} {LONG} {LONG}")
    link_chat(base, bot, event_id, -1_000_000_000_000 - member)
    token = login(base, member, f"{LONG} {theme}")
    status, body = call(base, "POST", f"/api/v1/events/{event_id}/rsvp", token)
    assert status == 201, body
    login(base, member + 10, f"Brought by {theme}", me(base, token)["referral_code"])
    raw = init_data(member, f"{LONG} {theme}")
    context = browser.new_context(
        viewport={"width": 320, "height": 568}, device_scale_factor=2, is_mobile=True
    )
    images_offline(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    watched = watch(page, request.node)
    measured: dict[str, list[Any]] = {}
    widths: dict[str, int] = {}
    try:
        # When the event and the profile are opened on a 320 px wide phone,
        open_in_telegram(page, launch_url(base, raw, THEMES[theme], f"/app/events/{event_id}"))
        expect(page.get_by_role("button", name="Share")).to_be_visible()
        expect(page.get_by_role("button", name="Join the event chat")).to_be_visible()
        expect(page.get_by_text("You're going")).to_be_visible()
        widths["event"] = int(page.evaluate("document.documentElement.scrollWidth"))
        measured["event"] = page.evaluate(TOUCH_TARGETS)
        shot(page, f"{theme}-320-event")
        page.goto(launch_url(base, raw, THEMES[theme], "/app/profile"))
        expect(page.get_by_text("You brought 1 member", exact=True)).to_be_visible()
        board = page.get_by_role("region", name="Who brought the most members")
        expect(board.get_by_role("listitem").first).to_be_visible()
        widths["profile"] = int(page.evaluate("document.documentElement.scrollWidth"))
        measured["profile"] = page.evaluate(TOUCH_TARGETS)
        shot(page, f"{theme}-320-profile")
        board.scroll_into_view_if_needed()
        shot(page, f"{theme}-320-leaderboard")
    finally:
        context.close()
    assert_quiet(watched)
    # Then nothing is wider than the screen, and every control is at least 44 by 44 px.
    assert all(width <= 320 for width in widths.values()), widths
    small = {name: [m for m in found if m[1] < 44 or m[2] < 44] for name, found in measured.items()}
    assert small == {name: [] for name in measured}, small
