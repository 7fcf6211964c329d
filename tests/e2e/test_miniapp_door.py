"""The door in the Mini App (issue 28), in Debian's Chromium driven as Telegram's clients drive
it, against `make run`'s server: a going member's ticket as a QR code (read back from the
screen's pixels by jsQR, the npm devDependency), the staff's check-in screen on Telegram's QR
scanner (`web_app_open_scan_qr_popup` recorded; `qr_text_received` and `scan_qr_popup_closed`
sent through `Telegram.WebView.receiveEvent`) with every refusal in words and its haptic, the
attendee list's search by name, and an admin granting and revoking roles. Screenshots in both
themes go to .local/miniapp-screenshots/door-*.png."""

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, expect
from support.browser import TIMEOUT
from support.browser_pages import assert_quiet, images_offline, watch
from support.local_api import local_api, request
from support.miniapp_client import (
    DARK,
    LIGHT,
    axe_violations,
    build_miniapp,
    init_data,
    launch_url,
    open_in_telegram,
    posted,
    send,
    wait_posted,
)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".local" / "miniapp-screenshots"
JSQR = ROOT / "miniapp/node_modules/jsqr/dist/jsQR.js"
THEMES = {"light": LIGHT, "dark": DARK}
HAPTIC = "web_app_trigger_haptic_feedback"
SUCCESS = {"type": "notification", "notification_type": "success"}
ERROR = {"type": "notification", "notification_type": "error"}
SCANNER = "web_app_open_scan_qr_popup"
# The refusals the door's tests make on purpose: the browser logs each failed request.
REFUSALS = r"status of (400|409|410|422) .*/api/v1/events/[^/]+/checkins\)"
expect.set_options(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`make run` with the built Mini App, on its own port and tables."""
    logs = tmp_path_factory.mktemp("miniapp-door")
    build_miniapp(logs / "build.log")
    unset = dict.fromkeys(["TELEGRAM_BOT_TOKEN", "JWT_SECRET", "DYNAMODB_ENDPOINT_URL"])
    with local_api(logs, **unset) as url:
        yield url


def call(base: str, method: str, path: str, token: str, body: Any = None, **headers: str) -> Any:
    status, _, answer = request(
        method, f"{base}{path}", body, {"Authorization": f"Bearer {token}", **headers}
    )
    return status, (json.loads(answer) if answer else None)


def login(base: str, telegram_id: int, name: str) -> str:
    raw = init_data(telegram_id, name)
    _, _, body = request(
        "POST", f"{base}/api/auth/generate-code", headers={"Authorization": f"tma {raw}"}
    )
    code = json.loads(body)["code"]
    _, _, body = request("POST", f"{base}/api/auth/callback?code={code}&telegram_id={telegram_id}")
    return str(json.loads(body)["token"])


def code_of(base: str, token: str) -> str:
    return str(call(base, "GET", "/api/users/me", token)[1]["user"]["referral_code"])


ADMIN_ID = 780000


@pytest.fixture(scope="module")
def admin(base: str) -> str:
    """The first admin, made as an operator makes one (`make make-admin`'s module)."""
    login(base, ADMIN_ID, "Admin Ada")
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers/shared'}:{ROOT / 'tools'}"}
    port = str(urlsplit(base).port)
    command = [sys.executable, "-m", "devkit.ops.admin", "--telegram-id", str(ADMIN_ID)]
    subprocess.run([*command, "--port", port], check=True, cwd=ROOT, env=env, capture_output=True)
    return login(base, ADMIN_ID, "Admin Ada")


def grant(base: str, admin: str, token: str, role: str) -> None:
    status, body = call(
        base, "PUT", f"/api/v1/members/{code_of(base, token)}/role", admin, {"role": role}
    )
    assert status == 200, body


def create_event(base: str, admin: str, title: str, starts_in: timedelta) -> str:
    start = (datetime.now(UTC) + starts_in).replace(microsecond=0)
    body = {
        "title": title,
        "description": f"{title}: created by a browser test.",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(hours=2)).isoformat(),
        "location": "Test venue",
        "capacity": 100,
    }
    status, answer = call(base, "POST", "/api/v1/events", admin, body)
    assert status == 201, answer
    return str(answer["event"]["id"])


def going(base: str, event_id: str, telegram_id: int, name: str) -> tuple[str, str]:
    """A member who RSVPed to the event: their token and their ticket (the API's)."""
    token = login(base, telegram_id, name)
    status, answer = call(base, "POST", f"/api/v1/events/{event_id}/rsvp", token)
    assert status == 201, answer
    status, answer = call(base, "GET", f"/api/v1/events/{event_id}/ticket", token)
    assert status == 200, answer
    return token, str(answer["ticket"])


def check_in(base: str, event_id: str, staff: str, ticket: str, key: str) -> int:
    """Another door's scanner: a check-in through the API."""
    path = f"/api/v1/events/{event_id}/checkins"
    return int(call(base, "POST", path, staff, {"ticket": ticket}, **{"Idempotency-Key": key})[0])


def open_card(page: Page, title: str) -> None:
    page.get_by_role("listitem").filter(has_text=title).get_by_role("link").click()


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"door-{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def main_button(page: Page, text: str | None) -> None:
    """Wait until the last MainButton setup shows `text` (None: hidden)."""
    page.wait_for_function(
        "(text) => { const b = window.__posted.filter(([t]) => t === 'web_app_setup_main_button');"
        " if (b.length === 0) return false; const d = JSON.parse(b[b.length - 1][1]);"
        " return text === null ? !d.is_visible : d.text === text && d.is_visible; }",
        arg=text,
    )


# jsQR reads the screenshot's pixels, as a phone camera would read the screen: what the test
# compares is what a scanner gets, not what the app meant to draw.
DECODE = """async ([png, modules]) => {
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], {type: 'image/png'}));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height);
  const found = jsQR(pixels.data, pixels.width, pixels.height, {inversionAttempts: 'dontInvert'});
  // A pixel of the quiet zone: halfway along the top, two modules down.
  const at = (Math.round(2 * bitmap.width / modules) * bitmap.width + (bitmap.width >> 1)) * 4;
  return found && {text: found.data, finder: found.location.topLeftFinderPattern,
                   width: bitmap.width, quiet: Array.from(pixels.data.slice(at, at + 3))};
}"""


def read_qr(browser: Browser, png: bytes, modules: int) -> dict[str, Any] | None:
    """jsQR on a PNG of a QR code `modules` wide (its quiet zone included), in a blank page of
    its own (no app, no CSP)."""
    page = browser.new_page()
    try:
        page.add_script_tag(content=JSQR.read_text())
        found: dict[str, Any] | None = page.evaluate(
            DECODE, [base64.b64encode(png).decode(), modules]
        )
        return found
    finally:
        page.close()


@pytest.mark.parametrize(("theme", "member"), [("light", 781001), ("dark", 781002)])
def test_a_going_member_s_ticket_is_a_qr_code_a_scanner_reads_back(
    base: str, admin: str, page: Page, browser: Browser, theme: str, member: int
) -> None:
    # Given a member going to an event,
    event_id = create_event(base, admin, f"Ticketed gig {theme}", timedelta(hours=3))
    token, _ = going(base, event_id, member, "Tess Holder")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(urlsplit(r.url).path))
    tickets: list[str] = []

    def keep_ticket(response: Any) -> None:
        if response.url.endswith("/ticket") and response.status == 200:
            tickets.append(response.json()["ticket"])

    page.on("response", keep_ticket)
    open_in_telegram(page, launch_url(base, init_data(member, "Tess Holder"), THEMES[theme]))
    open_card(page, f"Ticketed gig {theme}")
    expect(page.get_by_text("You're going", exact=True)).to_be_visible()
    # the QR encoder is not part of the first screens (nor of the detail's),
    chunk = [p for p in requested if p.startswith("/app/assets/qr-")]
    assert chunk == []

    # When the member taps "Show ticket" on the event,
    page.get_by_role("button", name="Show ticket").click()

    # Then the ticket screen shows their name and a QR code the screen's width, fetched then;
    expect(page.get_by_role("heading", name="Tess Holder")).to_be_visible()
    qr = page.get_by_role("img", name="Ticket for Tess Holder")
    expect(qr).to_be_visible()
    assert page.url.split("#")[0].endswith(f"/app/events/{event_id}/ticket")
    assert len([p for p in requested if p.startswith("/app/assets/qr-")]) == 1
    box = qr.bounding_box()
    assert box is not None
    card = page.locator(".ticket").bounding_box()
    assert card is not None
    assert box["width"] >= card["width"] - 2 * 14 - 1  # all the card's width but its padding
    # which a scanner reads back as the API's ticket (84 characters),
    modules = int(qr.get_attribute("data-modules") or 0)
    found = read_qr(browser, qr.screenshot(), modules)
    assert found is not None, "jsQR found no QR code in the ticket's pixels"
    assert tickets
    assert found["text"] == tickets[-1]
    assert len(found["text"]) == 84
    # dark modules on a light quiet zone of 4 modules, whatever the theme: the finder
    # pattern's centre is 4 + 3.5 modules from the drawing's edge, and the margin is white.
    module = found["width"] / modules
    assert abs(found["finder"]["x"] / module - 7.5) < 0.75, (found, modules)
    assert abs(found["finder"]["y"] / module - 7.5) < 0.75, (found, modules)
    assert all(channel > 240 for channel in found["quiet"]), found
    assert axe_violations(page) == []
    shot(page, f"{theme}-ticket")

    # And "My events" offers the same ticket beside the event.
    send(page, "back_button_pressed")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    mine = page.locator(".cards > li").filter(has_text=f"Ticketed gig {theme}")
    mine.get_by_role("button", name="Show ticket").click()
    expect(page.get_by_role("img", name="Ticket for Tess Holder")).to_be_visible()
    assert call(base, "GET", f"/api/v1/events/{event_id}/ticket", token)[0] == 200


@pytest.mark.allow_console(r"status of 404 .*/api/v1/events/[^/]+/ticket\)")
def test_a_member_not_going_has_no_ticket_and_no_door(base: str, admin: str, page: Page) -> None:
    event_id = create_event(base, admin, "Not for me", timedelta(hours=3))
    raw = init_data(781010, "Nosy Member")
    # The ticket screen (a hand-made path) says there is none; the check-in screen refuses.
    open_in_telegram(page, launch_url(base, raw, LIGHT, f"/app/events/{event_id}/ticket"))
    expect(page.get_by_role("alert")).to_contain_text("No ticket: you are not going")
    page.goto(launch_url(base, raw, LIGHT, f"/app/events/{event_id}/checkin"))
    expect(page.get_by_role("alert")).to_have_text("Only staff and admins can check people in.")
    assert posted(page, SCANNER) == []
    # and the event itself offers neither "Show ticket" nor "Check in".
    page.goto(launch_url(base, raw, LIGHT, f"/app/events/{event_id}"))
    expect(page.get_by_role("heading", name="Not for me")).to_be_visible()
    expect(page.get_by_role("button", name="Show ticket")).to_have_count(0)
    expect(page.get_by_role("button", name="Check in")).to_have_count(0)


def checkin_posts(requests: list[Request]) -> list[tuple[str, str]]:
    """Each check-in the page sent: its scanned text and its Idempotency-Key."""
    return [
        (json.loads(r.post_data or "{}")["ticket"], r.headers.get("idempotency-key", ""))
        for r in requests
        if r.method == "POST" and urlsplit(r.url).path.endswith("/checkins")
    ]


def scan(page: Page, text: str) -> None:
    send(page, "qr_text_received", {"data": text})


@pytest.mark.allow_console(REFUSALS)
@pytest.mark.parametrize(("theme", "first_id"), [("light", 782000), ("dark", 783000)])
def test_the_door_scans_ticket_after_ticket_and_says_each_refusal(
    base: str, admin: str, page: Page, theme: str, first_id: int
) -> None:
    # Given an event whose doors are open, three members going to it, one who cancelled after
    # taking their ticket, a member of another event, and a staff member at the door,
    event_id = create_event(base, admin, f"Door night {theme}", timedelta(minutes=30))
    other_id = create_event(base, admin, f"Other night {theme}", timedelta(minutes=30))
    _, ann = going(base, event_id, first_id + 1, "Ann Arrival")
    _, ben = going(base, event_id, first_id + 2, "Ben Second")
    _, cat = going(base, event_id, first_id + 3, "Cat Elsewhere")
    dan_token, dan = going(base, event_id, first_id + 4, "Dan Cancelled")
    assert call(base, "DELETE", f"/api/v1/events/{event_id}/rsvp", dan_token)[0] in (200, 204)
    _, eve = going(base, other_id, first_id + 5, "Eve Otherevent")
    staff = login(base, first_id, "Sam Staff")
    grant(base, admin, staff, "staff")
    requests: list[Request] = []
    page.on("request", lambda r: requests.append(r))
    statuses: list[int] = []
    page.on(
        "response",
        lambda r: statuses.append(r.status) if r.url.endswith("/checkins") else None,
    )

    # When the staff member opens the event's check-in screen and the scanner,
    raw = init_data(first_id, "Sam Staff")
    open_in_telegram(page, launch_url(base, raw, THEMES[theme]))
    open_card(page, f"Door night {theme}")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()
    count = page.locator(".count")
    expect(count).to_have_text("0 / 3 checked in")
    main_button(page, "Scan tickets")
    send(page, "main_button_pressed")
    # Then Telegram is asked for its QR scanner,
    wait_posted(page, SCANNER, {"text": "Scan a ticket"})
    main_button(page, None)
    result = page.locator(".scan-result")

    # a ticket is welcomed with the member's name, a success haptic and the count;
    scan(page, ann)
    expect(result.get_by_role("heading", name="Ann Arrival")).to_be_visible()
    expect(result).to_contain_text("Checked in at")
    expect(count).to_have_text("1 / 3 checked in")
    wait_posted(page, HAPTIC, SUCCESS)
    # the camera reading the same code again at once sends nothing;
    scan(page, ann)
    # and each refusal is said in words, with an error haptic, the scanner left open:
    # (altered in the middle: the last character's low bits are base32 padding, which the
    # API's decoder ignores, so an altered last character can be the same ticket)
    forged = ann[:40] + ("A" if ann[40] != "A" else "B") + ann[41:]
    refusals = [
        (forged, "Not a ticket of ours"),
        (dan, "Cancelled: this RSVP was cancelled"),
        (eve, "Wrong event: this ticket is for another event."),
    ]
    for number, (text, words) in enumerate(refusals, start=2):
        scan(page, text)
        expect(result.locator(".words")).to_contain_text(words)
        wait_posted(page, HAPTIC, ERROR, count=number)
    # a ticket another scanner checked in meanwhile (two people, one QR) names who it was;
    assert check_in(base, event_id, staff, cat, "another-door") == 201
    scan(page, cat)
    expect(result.locator(".words")).to_contain_text("Already checked in at")
    expect(result.get_by_role("heading", name="Cat Elsewhere")).to_be_visible()
    wait_posted(page, HAPTIC, ERROR, count=5)
    scan(page, ben)
    expect(result.get_by_role("heading", name="Ben Second")).to_be_visible()
    expect(count).to_have_text("2 / 3 checked in")
    wait_posted(page, HAPTIC, SUCCESS, count=6)
    assert posted(page, HAPTIC) == [SUCCESS, ERROR, ERROR, ERROR, ERROR, SUCCESS]
    assert posted(page, "web_app_close_scan_qr_popup") == []
    earlier = page.locator(".people > li")
    expect(earlier).to_have_count(5)
    # one request per scanned text, each with its own Idempotency-Key.
    sent = checkin_posts(requests)
    assert [text for text, _ in sent] == [ann, forged, dan, eve, cat, ben]
    assert len({sent_key for _, sent_key in sent if sent_key}) == 6
    assert statuses == [201, 400, 410, 422, 409, 201]
    assert axe_violations(page) == []
    shot(page, f"{theme}-checkin")

    # When the staff member closes the scanner, the count is read again (the other door's
    # check-in in it) and the MainButton offers the scanner again;
    send(page, "scan_qr_popup_closed")
    main_button(page, "Scan tickets")
    expect(count).to_have_text("3 / 3 checked in")
    # and a ticket this scanner welcomed, shown again in a new scan, is refused: sent with its
    # first Idempotency-Key, the API answers its first 201 again, which the app knows it used.
    send(page, "main_button_pressed")
    wait_posted(page, SCANNER, count=2)
    scan(page, ann)
    expect(result.locator(".words")).to_contain_text("Already checked in at")
    expect(result.get_by_role("heading", name="Ann Arrival")).to_be_visible()
    wait_posted(page, HAPTIC, ERROR, count=7)
    again = checkin_posts(requests)[-1]
    assert again == sent[0]
    assert statuses[-1] == 201
    expect(count).to_have_text("3 / 3 checked in")


@pytest.mark.allow_console(r"Failed to load resource: net::ERR_FAILED")
def test_a_check_in_whose_answer_was_lost_is_sent_again_and_welcomed_once(
    base: str, admin: str, page: Page
) -> None:
    # Given a staff member scanning, and a network that loses the first check-in's answer
    # after the API has done it (the member is in; the phone never heard),
    event_id = create_event(base, admin, "Flaky wifi", timedelta(minutes=10))
    _, ticket = going(base, event_id, 788001, "Lou Lost")
    staff = login(base, 788000, "Net Staff")
    grant(base, admin, staff, "staff")
    lost: list[int] = []

    def lose_first_answer(route: Any) -> None:
        if lost:
            route.continue_()
            return
        lost.append(route.fetch().status)
        route.abort()

    page.route("**/api/v1/events/*/checkins", lose_first_answer)
    requests: list[Request] = []
    page.on("request", lambda r: requests.append(r))
    path = f"/app/events/{event_id}/checkin"
    open_in_telegram(page, launch_url(base, init_data(788000, "Net Staff"), LIGHT, path))
    main_button(page, "Scan tickets")
    send(page, "main_button_pressed")
    wait_posted(page, SCANNER)
    # When the ticket is read, the answer lost, and the camera reads it again at once,
    scan(page, ticket)
    expect(page.locator(".scan-result .words")).to_contain_text("No connection")
    wait_posted(page, HAPTIC, ERROR)
    scan(page, ticket)
    # Then the second request is the first one again (its Idempotency-Key), the API answers
    # its 201 again rather than "already checked in", and the member is welcomed once.
    result = page.locator(".scan-result")
    expect(result.get_by_role("heading", name="Lou Lost")).to_be_visible()
    expect(result.locator(".words")).to_contain_text("Checked in at")
    wait_posted(page, HAPTIC, SUCCESS, count=2)
    assert lost == [201]
    first, second = checkin_posts(requests)
    assert first == second
    expect(page.locator(".count")).to_have_text("1 / 1 checked in")


@pytest.mark.allow_console(REFUSALS)
def test_a_ticket_scanned_before_the_doors_open_says_when_they_do(
    base: str, admin: str, page: Page
) -> None:
    # Given an event starting in 20 hours (its check-in opens 2 hours before) and a ticket to it,
    event_id = create_event(base, admin, "Tomorrow's talk", timedelta(hours=20))
    _, ticket = going(base, event_id, 784001, "Early Bird")
    staff = login(base, 784000, "Door Early")
    grant(base, admin, staff, "staff")
    path = f"/app/events/{event_id}/checkin"
    open_in_telegram(page, launch_url(base, init_data(784000, "Door Early"), LIGHT, path))
    main_button(page, "Scan tickets")
    send(page, "main_button_pressed")
    wait_posted(page, SCANNER)
    # When it is scanned, then the refusal says when check-in is open, with an error haptic.
    scan(page, ticket)
    expect(page.locator(".scan-result .words")).to_contain_text("Not now: check-in is open from")
    wait_posted(page, HAPTIC, ERROR)
    expect(page.locator(".count")).to_have_text("0 / 1 checked in")


def test_the_attendee_list_says_who_came_and_finds_a_name(
    base: str, admin: str, page: Page
) -> None:
    # Given an event with three going members, one of them checked in,
    event_id = create_event(base, admin, "Name hunt", timedelta(minutes=45))
    _, zoe = going(base, event_id, 785001, "Zoë Ångström")
    going(base, event_id, 785002, "زينب الهاشمي")
    going(base, event_id, 785003, "Bob Plain")
    staff = login(base, 785000, "List Keeper")
    grant(base, admin, staff, "staff")
    assert check_in(base, event_id, staff, zoe, "list-test") == 201
    # When a staff member opens its attendee list,
    path = f"/app/events/{event_id}/attendees"
    open_in_telegram(page, launch_url(base, init_data(785000, "List Keeper"), LIGHT, path))
    # Then the totals and every member show, the one checked in with the time,
    expect(page.locator(".count")).to_have_text("1 / 3 checked in")
    rows = page.locator(".people > li")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Zoë Ångström")).to_contain_text("In ")
    expect(rows.filter(has_text="Bob Plain")).to_contain_text("Not yet")
    arabic = rows.filter(has_text="زينب").locator(".name")
    assert arabic.get_attribute("dir") == "auto"
    assert arabic.evaluate("n => getComputedStyle(n).direction") == "rtl"
    # and a search by name, accents and case aside, keeps the ones that match.
    search = page.get_by_role("searchbox", name="Search by name")
    search.fill("zoe ang")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Zoë Ångström")
    search.fill("nobody")
    expect(page.get_by_text("Nobody going is called “nobody”.")).to_be_visible()
    search.fill("")
    expect(rows).to_have_count(3)
    assert axe_violations(page) == []


@pytest.mark.allow_console(r"status of (404|409) .*/api/v1/members/[^/]+/role\)")
def test_an_admin_grants_and_revokes_a_role_and_reads_the_refusals(
    base: str, admin: str, page: Page
) -> None:
    # Given a member, and the admin on the roles screen (from the profile),
    member = login(base, 786001, "Rita Newstaff")
    code = code_of(base, member)
    raw = init_data(ADMIN_ID, "Admin Ada")
    open_in_telegram(page, launch_url(base, raw, LIGHT))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    page.get_by_role("button", name="Roles").click()
    expect(page.get_by_role("heading", name="Roles")).to_be_visible()
    people = page.locator(".people > li")
    expect(people.filter(has_text="Admin Ada")).to_contain_text("admin")

    # When the admin gives the member's referral code the staff role,
    page.get_by_label("Member's referral code").fill(code)
    page.get_by_label("Role").select_option("staff")
    main_button(page, "Make staff")
    send(page, "main_button_pressed")
    # Then it says so, lists the member as staff, and the audit has the change;
    expect(page.get_by_role("status")).to_have_text("Rita Newstaff is now staff.")
    expect(people.filter(has_text="Rita Newstaff")).to_contain_text("staff")
    audit = page.locator(".changes")
    expect(audit).to_contain_text("Admin Ada made Rita Newstaff staff (was member)")
    wait_posted(page, HAPTIC, SUCCESS)
    assert call(base, "GET", "/api/users/me", member)[1]["user"]["role"] == "staff"
    shot(page, "light-roles")

    # an unknown code and taking the last admin's role away are refused in words;
    page.get_by_label("Member's referral code").fill("UP-NOPE00")
    main_button(page, "Make staff")
    send(page, "main_button_pressed")
    expect(page.get_by_role("alert")).to_have_text("No member has the referral code UP-NOPE00.")
    wait_posted(page, HAPTIC, ERROR)
    revoke_ada = people.filter(has_text="Admin Ada").get_by_role("button")
    expect(revoke_ada).to_have_accessible_name("Revoke Admin Ada")
    revoke_ada.click()
    expect(page.get_by_role("alert")).to_contain_text("Not possible:")
    # and "Revoke" makes the staff member a member again.
    people.filter(has_text="Rita Newstaff").get_by_role("button").click()
    expect(page.get_by_role("status")).to_have_text("Rita Newstaff is now member.")
    expect(people.filter(has_text="Rita Newstaff")).to_have_count(0)
    assert call(base, "GET", "/api/users/me", member)[1]["user"]["role"] == "member"
    assert axe_violations(page) == []


TOUCH_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input, select, textarea, [role=button], [tabindex]:not([tabindex="-1"])')]
  .filter((el) => el.getClientRects().length > 0 && !el.closest('.visually-hidden'))
  .map((el) => { const r = el.getBoundingClientRect();
    return [el.tagName.toLowerCase() + ' ' + (el.textContent || el.name || '').trim().slice(0, 24),
            Math.round(r.width * 10) / 10, Math.round(r.height * 10) / 10]; })"""
# One word, as long as a Telegram name may be once " Guest" follows it (the API keeps 128).
LONG = "Bartholomew" * 10


@pytest.mark.allow_console(REFUSALS)
@pytest.mark.parametrize(("theme", "staff_id"), [("light", 787000), ("dark", 787500)])
def test_the_door_screens_fit_320_px_with_44_px_targets(
    base: str,
    admin: str,
    browser: Browser,
    request: pytest.FixtureRequest,
    theme: str,
    staff_id: int,
) -> None:
    # Given a staff member and a guest with long names going to an event with a long title,
    # a scan refused and one welcomed, and the admin's roles screen listing the staff member,
    event_id = create_event(base, admin, f"Narrow {theme} {LONG}", timedelta(minutes=20))
    _, ticket = going(base, event_id, staff_id + 1, f"{LONG} Guest")
    staff, _ = going(base, event_id, staff_id, f"{LONG} Staff")
    grant(base, admin, staff, "staff")
    raw = init_data(staff_id, f"{LONG} Staff")
    screens = {
        "ticket": f"/app/events/{event_id}/ticket",
        "checkin": f"/app/events/{event_id}/checkin",
        "attendees": f"/app/events/{event_id}/attendees",
        "roles": "/app/admin/roles",
    }
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
        # When each is opened on a 320 px wide phone,
        for name, path in screens.items():
            launch = init_data(ADMIN_ID, "Admin Ada") if name == "roles" else raw
            url = launch_url(base, launch, THEMES[theme], path)
            if name == "ticket":
                open_in_telegram(page, url)
            else:
                page.goto(url)
            if name == "ticket":
                expect(page.locator("svg.qr")).to_be_visible()
            elif name == "checkin":
                main_button(page, "Scan tickets")
                send(page, "main_button_pressed")
                wait_posted(page, SCANNER)
                scan(page, "not a ticket")
                expect(page.locator(".scan-result .words")).to_contain_text("Not a ticket")
                scan(page, ticket)
                expect(page.locator(".scan-result h2")).to_contain_text("Guest")
                send(page, "scan_qr_popup_closed")
                main_button(page, "Scan tickets")
            elif name == "attendees":
                expect(page.locator(".people > li")).to_have_count(2)
            else:
                expect(page.locator(".people > li").filter(has_text=LONG).first).to_be_visible()
            page.evaluate("document.fonts.ready")
            widths[name] = int(page.evaluate("document.documentElement.scrollWidth"))
            measured[name] = page.evaluate(TOUCH_TARGETS)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"door-{theme}-320-{name}.png"))
    finally:
        context.close()
    assert_quiet(watched)
    # Then nothing is wider than the screen, and every control is at least 44 by 44 px.
    assert all(width <= 320 for width in widths.values()), widths
    small = {name: [m for m in found if m[1] < 44 or m[2] < 44] for name, found in measured.items()}
    assert small == {name: [] for name in measured}, small
    assert all(measured.values()), measured


def test_the_qr_encoder_is_its_own_chunk_not_in_the_first_screen_s_files(base: str) -> None:
    # (`base` built the app.) dist/index.html names what the first screen loads; the QR
    # encoder (uqr) is not in it.
    html = (ROOT / "miniapp/dist/index.html").read_text()
    chunks = list((ROOT / "miniapp/dist/assets").glob("qr-*.js"))
    assert len(chunks) == 1
    assert chunks[0].name not in html
    assert quote(chunks[0].name) not in html
