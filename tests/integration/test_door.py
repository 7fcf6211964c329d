"""The door through its handlers: a going member's ticket (GET /api/v1/events/{id}/ticket), its
check-in by staff (POST .../checkins) with every refusal the issue lists, and the attendee list
(GET .../attendees, JSON pages and CSV), on the template's tables. Each check-in test also
checks what DynamoDB holds: the RSVP's check-in and the event's checked_in_count."""

import base64
import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.environment import TEST_ENVIRONMENT
from support.flows import (
    add_events,
    admin_login,
    attendees,
    body_of,
    cancel_rsvp,
    check_in,
    delete_event,
    join_waitlist,
    login,
    rsvp,
    staff_login,
    ticket,
)

from community.data import users as users_table
from community.data.models import Attendance, Event, User
from community.services.auth import session_for
from community.services.users import set_role
from community.settings import get_settings
from community.signed import cursors, email_tokens, tickets
from community.spreadsheets import FORMULA_STARTS, safe_cell
from community.values import single_line
from devkit.functions.placeholders import event_record

pytestmark = pytest.mark.usefixtures("dynamodb")

SECRET = TEST_ENVIRONMENT["JWT_SECRET"]


def an_event(starts_in: timedelta = timedelta(minutes=30), **fields: Any) -> str:
    """An event starting `starts_in` from now (its check-in open by default)."""
    (event_id,) = add_events([event_record(datetime.now(UTC) + starts_in, **fields)])
    return event_id


def going(telegram_id: int, event_id: str, name: str | None = None) -> tuple[str, str]:
    """A member who logged in and RSVPed: (token, ticket)."""
    token = login(telegram_id, name or f"Member {telegram_id}")["token"]
    assert rsvp(token, event_id)["statusCode"] == 201
    issued = ticket(token, event_id)
    assert issued["statusCode"] == 200, issued
    return token, body_of(issued)["ticket"]


def stored(event_id: str) -> tuple[int, list[Attendance]]:
    """The event's checked_in_count and its checked-in RSVPs."""
    event = Event.get(event_id, consistent_read=True)
    checked = [a for a in Attendance.query(event_id, consistent_read=True) if a.checked_in_at]
    return int(event.checked_in_count or 0), checked


def refused(response: dict[str, Any], status: int) -> dict[str, Any]:
    assert response["statusCode"] == status, response
    body: dict[str, Any] = body_of(response)
    assert body["success"] is False
    assert response["headers"]["cache-control"] == "no-store"
    return body


# --- Tickets -------------------------------------------------------------------------------


def test_a_going_member_gets_a_compact_signed_ticket_naming_their_rsvp() -> None:
    event_id = an_event()
    token = login(42, "Alice")["token"]
    assert rsvp(token, event_id)["statusCode"] == 201

    response = ticket(token, event_id)

    assert response["statusCode"] == 200, response
    assert response["headers"]["cache-control"] == "no-store"
    body = body_of(response)
    assert body["success"] is True
    assert body["event_id"] == event_id
    assert body["user"] == {"name": "Alice", "photo_url": None}
    text = body["ticket"]
    # QR's alphanumeric mode holds A-Z, 0-9 and nine symbols; base32 uses A-Z and 2-7.
    assert len(text) == 84
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    member = User.get("USER#42")
    attendance = Attendance.get(event_id, member.id)
    named = tickets.verify(text, tickets.ticket_key(SECRET))
    assert named == tickets.Ticket(event_id, member.id, attendance.created_at)
    # Nothing private in it: the event's and the member's ids and the RSVP's time, no more
    # (the byte layout: tests/unit/test_tickets.py), so no Telegram id and no name.
    raw = base64.b32decode(text + "=" * (-len(text) % 8))
    assert raw[1:33] == uuid.UUID(event_id).bytes + uuid.UUID(member.id).bytes
    assert len(raw) == 52
    # Asked again, the same ticket: it names the RSVP, not the request.
    assert body_of(ticket(token, event_id))["ticket"] == text


@pytest.mark.parametrize("case", ["no rsvp", "waitlisted", "cancelled", "unknown", "inactive"])
def test_no_ticket_unless_going_to_an_active_event(case: str) -> None:
    event_id = an_event(capacity=1)
    token = login(43, "Bob")["token"]
    if case == "waitlisted":
        going(44, event_id)
        assert join_waitlist(token, event_id)["statusCode"] == 201
    elif case == "cancelled":
        assert rsvp(token, event_id)["statusCode"] == 201
        assert cancel_rsvp(token, event_id)["statusCode"] == 204
    elif case == "unknown":
        event_id = str(uuid.uuid4())
    elif case == "inactive":
        assert rsvp(token, event_id)["statusCode"] == 201
        assert delete_event(admin_login()["token"], event_id)["statusCode"] == 204

    body = refused(ticket(token, event_id), 404)

    expected = "event not found" if case in ("unknown", "inactive") else "you are not going"
    assert body["detail"].startswith(expected)


def test_a_ticket_needs_a_bearer_token() -> None:
    event_id = an_event()
    refused(ticket("not-a-token", event_id), 401)


# --- Check-in ------------------------------------------------------------------------------


def test_staff_check_a_member_in_once_and_a_second_scan_is_a_409() -> None:
    event_id = an_event()
    _, text = going(42, event_id, "Alice")
    staff = staff_login()["token"]

    first = check_in(staff, event_id, text, "scan-1")
    again = check_in(staff, event_id, text, "scan-2")

    assert first["statusCode"] == 201, first
    assert first["headers"]["cache-control"] == "no-store"
    checkin = body_of(first)["checkin"]
    assert checkin["user"]["name"] == "Alice"
    assert checkin["user"]["referral_code"] == User.get("USER#42").referral_code
    assert checkin["checked_in_by"] == "Sam"
    body = refused(again, 409)
    assert body["detail"] == "already checked in"
    assert body["checked_in_at"] == checkin["checked_in_at"]
    assert body["checked_in_by"] == "Sam"
    count, checked = stored(event_id)
    assert count == 1
    assert [a.user_id for a in checked] == [User.get("USER#42").id]
    assert checked[0].checked_in_by == User.get("USER#8").id


def test_the_same_request_retried_with_its_idempotency_key_is_the_same_201() -> None:
    event_id = an_event()
    _, text = going(42, event_id)
    staff = staff_login()["token"]
    other_staff = staff_login(9, "Sue")["token"]

    first = check_in(staff, event_id, text, "3f1c0a2e-retry")
    retried = check_in(staff, event_id, text, "3f1c0a2e-retry")
    # The same key from another scanner is not the same request.
    from_another = check_in(other_staff, event_id, text, "3f1c0a2e-retry")
    without_key = check_in(staff, event_id, text)

    assert first["statusCode"] == 201, first
    assert retried["statusCode"] == 201, retried
    assert retried["body"] == first["body"]
    refused(from_another, 409)
    refused(without_key, 409)
    assert stored(event_id)[0] == 1


def test_a_ticket_of_another_event_is_a_422_naming_it() -> None:
    event_id, other_id = an_event(), an_event()
    _, text = going(42, other_id)

    body = refused(check_in(staff_login()["token"], event_id, text), 422)

    assert body["detail"] == "this ticket is for another event"
    assert body["ticket_event_id"] == other_id
    assert stored(event_id)[0] == stored(other_id)[0] == 0


def test_a_cancelled_rsvps_ticket_is_a_410_and_a_renewed_one_gets_a_new_ticket() -> None:
    event_id = an_event()
    token, old = going(42, event_id)
    staff = staff_login()["token"]
    assert cancel_rsvp(token, event_id)["statusCode"] == 204

    cancelled = check_in(staff, event_id, old)
    assert rsvp(token, event_id)["statusCode"] == 201
    new = body_of(ticket(token, event_id))["ticket"]
    renewed = check_in(staff, event_id, old)
    accepted = check_in(staff, event_id, new)

    assert refused(cancelled, 410)["detail"].startswith("this ticket's RSVP was cancelled")
    assert new != old
    refused(renewed, 410)
    assert accepted["statusCode"] == 201, accepted
    assert stored(event_id)[0] == 1


def test_a_ticket_of_a_member_now_waiting_is_a_410() -> None:
    # Going, cancelled, then on the waitlist of the (now full) event: not the ticket's RSVP.
    event_id = an_event(capacity=1)
    token, text = going(42, event_id)
    assert cancel_rsvp(token, event_id)["statusCode"] == 204
    going(44, event_id)
    assert join_waitlist(token, event_id)["statusCode"] == 201

    refused(check_in(staff_login()["token"], event_id, text), 410)


def forged_tickets(event_id: str, text: str) -> dict[str, str]:
    """Things a scanner may read that are not a ticket we issued for this RSVP."""
    member = User.get("USER#42")
    raw = bytearray(base64.b32decode(text + "=" * (-len(text) % 8)))
    raw[20] ^= 0x01
    altered = base64.b32encode(bytes(raw)).decode().rstrip("=")
    stamp = datetime.now(UTC)
    other_key = tickets.issue(
        tickets.Ticket(event_id, member.id, stamp), tickets.ticket_key("another secret")
    )
    cursor_keyed = tickets.issue(
        tickets.Ticket(event_id, member.id, stamp), cursors.cursor_key(SECRET)
    )
    email_link = email_tokens.issue(
        email_tokens.Verification(member.id, 42, "a@example.com", "n"), SECRET, 60, "community-api"
    )
    return {
        "altered": altered,
        "truncated": text[:-4],
        "extended": text + "AAAA",
        "signed with another secret": other_key,
        "signed with the cursor key": cursor_keyed,
        "an access token": session_for(users_table.get(42, consistent=True)).token,
        "an email link token": email_link,
        "an events cursor": cursors.encode(
            cursors.Position("2030-01-01T00:00:00Z", event_id), cursors.cursor_key(SECRET)
        ),
        "not base32": "hello, world!",
        "a url": f"https://example.com/t/{text}",
    }


def test_anything_but_a_ticket_we_issued_is_a_400_and_checks_nobody_in() -> None:
    event_id = an_event()
    _, text = going(42, event_id)
    staff = staff_login()["token"]

    for kind, forged in forged_tickets(event_id, text).items():
        response = check_in(staff, event_id, forged)
        assert response["statusCode"] == 400, (kind, response)
        assert body_of(response) == {"success": False, "detail": "invalid ticket"}, kind

    assert stored(event_id)[0] == 0
    assert check_in(staff, event_id, text)["statusCode"] == 201


def test_a_ticket_is_no_access_token_and_no_cursor() -> None:
    event_id = an_event()
    _, text = going(42, event_id)

    assert ticket(text, event_id)["statusCode"] == 401
    refused(attendees(staff_login()["token"], event_id, f"cursor={text}"), 400)


@pytest.mark.parametrize("key", ["", "x" * 129, "naïve", "with space"])
def test_a_malformed_idempotency_key_is_a_400(key: str) -> None:
    event_id = an_event()
    _, text = going(42, event_id)

    refused(check_in(staff_login()["token"], event_id, text, key), 400)
    assert stored(event_id)[0] == 0


def test_a_member_is_refused_and_a_revoked_scanner_at_once() -> None:
    event_id = an_event()
    member, text = going(42, event_id)
    staff = staff_login()["token"]

    assert refused(check_in(member, event_id, text), 403)["detail"] == "staff role required"
    set_role(8, "member")
    refused(check_in(staff, event_id, text), 403)
    refused(check_in("not-a-token", event_id, text), 401)
    assert stored(event_id)[0] == 0
    assert check_in(admin_login()["token"], event_id, text)["statusCode"] == 201


@pytest.mark.parametrize("case", ["unknown", "inactive", "malformed"])
def test_a_check_in_to_an_unknown_or_cancelled_event_is_a_404(case: str) -> None:
    event_id = an_event()
    _, text = going(42, event_id)
    if case == "inactive":
        assert delete_event(admin_login()["token"], event_id)["statusCode"] == 204
    target = {"unknown": str(uuid.uuid4()), "malformed": "USER#42"}.get(case, event_id)

    refused(check_in(staff_login()["token"], target, text), 404)


@pytest.mark.parametrize(
    ("starts_in", "hours"),
    [(timedelta(hours=3), 2), (timedelta(hours=-3), 2)],
    ids=["early", "late"],
)
def test_outside_the_window_is_a_409_with_the_window(starts_in: timedelta, hours: int) -> None:
    # Given an event starting in 3 hours (or that started 3 hours ago and lasted 2)
    event_id = an_event(timedelta(hours=1))
    _, text = going(42, event_id)
    moved = Event.get(event_id)
    start = datetime.now(UTC).replace(microsecond=0) + starts_in
    moved.update(
        actions=[
            Event.start_date.set(start.strftime("%Y-%m-%dT%H:%M:%SZ")),
            Event.end_date.set((start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ]
    )

    body = refused(check_in(staff_login()["token"], event_id, text), 409)

    opens, closes = start - timedelta(hours=2), start + timedelta(hours=hours)
    assert body["opens_at"] == opens.isoformat().replace("+00:00", "Z")
    assert body["closes_at"] == closes.isoformat().replace("+00:00", "Z")
    assert body["detail"].startswith("check-in for this event is open from ")
    assert stored(event_id)[0] == 0


def test_once_the_window_closed_a_retry_is_still_its_201_and_a_rescan_already_checked_in() -> None:
    event_id = an_event()
    _, text = going(42, event_id)
    staff = staff_login()["token"]
    first = check_in(staff, event_id, text, "before-close")
    ended = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    Event.get(event_id).update(
        actions=[
            Event.start_date.set((ended - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")),
            Event.end_date.set(ended.strftime("%Y-%m-%dT%H:%M:%SZ")),
        ]
    )

    retried = check_in(staff, event_id, text, "before-close")
    rescanned = check_in(staff, event_id, text, "after-close")

    assert first["statusCode"] == 201, first
    assert (retried["statusCode"], retried["body"]) == (201, first["body"])
    assert refused(rescanned, 409)["detail"] == "already checked in"


def test_the_window_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    event_id = an_event(timedelta(minutes=30))
    _, text = going(42, event_id)
    staff = staff_login()["token"]
    monkeypatch.setenv("CHECKIN_OPENS_MINUTES_BEFORE", "10")
    get_settings.cache_clear()
    try:
        early = check_in(staff, event_id, text)
        monkeypatch.setenv("CHECKIN_OPENS_MINUTES_BEFORE", "45")
        get_settings.cache_clear()
        open_now = check_in(staff, event_id, text)
    finally:
        monkeypatch.delenv("CHECKIN_OPENS_MINUTES_BEFORE")
        get_settings.cache_clear()

    refused(early, 409)
    assert open_now["statusCode"] == 201, open_now


def test_a_member_checked_in_keeps_the_rsvp_a_cancel_is_a_409() -> None:
    event_id = an_event()
    token, text = going(42, event_id)
    assert check_in(staff_login()["token"], event_id, text)["statusCode"] == 201

    body = refused(cancel_rsvp(token, event_id), 409)

    assert body["detail"].startswith("you were checked in at the door")
    event = Event.get(event_id, consistent_read=True)
    assert (int(event.attendee_count), int(event.checked_in_count)) == (1, 1)


# --- Attendees -----------------------------------------------------------------------------


def test_the_attendee_list_pages_through_the_going_with_totals() -> None:
    event_id = an_event(capacity=7)
    tickets_by_id = {telegram_id: going(telegram_id, event_id)[1] for telegram_id in range(60, 67)}
    for telegram_id in (70, 71):  # waiting: not on the list
        assert join_waitlist(login(telegram_id)["token"], event_id)["statusCode"] == 201
    staff = staff_login()["token"]
    for telegram_id in (60, 63):
        assert check_in(staff, event_id, tickets_by_id[telegram_id])["statusCode"] == 201

    pages, query = [], "limit=3"
    for _ in range(5):
        response = attendees(staff, event_id, query)
        assert response["statusCode"] == 200, response
        assert response["headers"]["cache-control"] == "no-store"
        pages.append(body_of(response))
        if pages[-1]["next_cursor"] is None:
            break
        query = f"limit=3&cursor={pages[-1]['next_cursor']}"

    assert [len(page["attendees"]) for page in pages] == [3, 3, 1]
    assert all((page["going"], page["checked_in"]) == (7, 2) for page in pages)
    names = [entry["user"]["name"] for page in pages for entry in page["attendees"]]
    assert sorted(names) == [f"Member {telegram_id}" for telegram_id in range(60, 67)]
    checked = {
        entry["user"]["name"]
        for page in pages
        for entry in page["attendees"]
        if entry["checked_in_at"] is not None
    }
    assert checked == {"Member 60", "Member 63"}


def test_an_attendee_cursor_works_only_for_its_event_and_as_signed() -> None:
    event_id, other_id = an_event(), an_event()
    for telegram_id in (60, 61):
        going(telegram_id, event_id)
        going(telegram_id, other_id)
    staff = staff_login()["token"]
    cursor = body_of(attendees(staff, event_id, "limit=1"))["next_cursor"]
    assert cursor

    refused(attendees(staff, other_id, f"limit=1&cursor={cursor}"), 400)
    refused(attendees(staff, event_id, f"limit=1&cursor={cursor[:-2]}xx"), 400)
    refused(attendees(staff, event_id, "limit=0"), 422)
    refused(attendees(login(62)["token"], event_id), 403)
    refused(attendees(staff, str(uuid.uuid4())), 404)


HOSTILE = 'Mallory "the, tester"\n=HYPERLINK("http://evil.example","click") \u202eabc 🎉'
FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", " =trimmed()"]


def test_the_csv_is_every_attendee_quoted_and_defused_and_parses_back() -> None:
    event_id = an_event()
    names = {80: HOSTILE, 81: "Zoë O'Brien, محمد", **{82 + i: n for i, n in enumerate(FORMULAS)}}
    issued = {telegram_id: going(telegram_id, event_id)[1] for telegram_id in names}
    staff = staff_login()["token"]
    assert check_in(staff, event_id, issued[81])["statusCode"] == 201
    # Names as stored: a login keeps a name on one line, a record from before may not be.
    for telegram_id, name in names.items():
        User.get(f"USER#{telegram_id}").update(actions=[User.name.set(name)])

    response = attendees(staff, event_id, "format=csv")

    assert response["statusCode"] == 200, response
    assert response["headers"]["content-type"] == "text/csv; charset=utf-8; header=present"
    assert response["headers"]["cache-control"] == "no-store"
    assert response["headers"]["content-disposition"] == (
        f'attachment; filename="attendees-{event_id}.csv"'
    )
    raw = response["body"]
    print("\n" + raw)
    assert raw.startswith("\ufeffname,referral_code,checked_in_at,checked_in_by\r\n")
    rows = list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"), newline="")))
    assert rows[0] == ["name", "referral_code", "checked_in_at", "checked_in_by"]
    assert len(rows) == 1 + len(names)
    cells = {row[0]: row for row in rows[1:]}
    # Every name comes back as the app shows names (one line: the line break a space, the
    # RTL override gone; quotes, comma, emoji whole) and defused where it starts a formula.
    assert sorted(cells) == sorted(safe_cell(single_line(name)) for name in names.values())
    assert 'Mallory "the, tester" =HYPERLINK("http://evil.example","click") abc 🎉' in cells
    for defused in ("'=1+2", "'+SUM(A1)", "'-2+3", "'@cmd", "'=trimmed()", "TAB", "CR"):
        assert defused in cells, defused
    assert cells["Zoë O'Brien, محمد"][2].endswith("Z")
    assert cells["Zoë O'Brien, محمد"][3] == "Sam"
    # No cell of the file starts a formula.
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
    # RFC 4180: the field with quotes and a comma quoted, its quotes doubled; CRLF records.
    assert '\r\n"Mallory ""the, tester"" =HYPERLINK(""http://evil.example"",""click"")' in raw
    assert raw.count("\r\n") == 1 + len(names)
