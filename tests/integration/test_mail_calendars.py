"""Reminder and notice emails carry the event's .ics (issue 27), through moto's SES on both
backends: exactly one text/calendar attachment (method=PUBLISH, the file name calendar.filename
gives), which icalendar and `ical` (a second, independent parser) both read, with the event's
UID and SEQUENCE; a cancellation's file is the same UID with STATUS:CANCELLED and a higher
SEQUENCE, so a calendar that imported the first one updates it; an admin's hostile title stays
inside the Subject and the file, never a header of its own; the Telegram message is as before."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
from support import calendar_files
from support.flows import (
    admin_login,
    body_of,
    callback,
    delete_event,
    generate_code,
    join_waitlist,
    rsvp,
    update_event,
)
from support.mail_outbox import SENDER, sent_mails, verify_identity
from support.notice_pipeline import fake_bot_for, notice_stream, send_new
from support.reminder_items import attend, member_item, new_event

from community.data import events as events_table
from community.data import users as users_table
from community.data.models import Event, User
from community.services import calendar
from community.services.notifications import reminders, telegram_channel
from community.settings import get_settings
from devkit.local.fakebot import FakeBotApi
from devkit.local.notices import StreamFollower
from devkit.ops import mails

# The headers of every mail, in order: nothing an event's text holds can add one.
HEADERS = ["From", "To", "Subject", "Content-Type", "MIME-Version"]


@pytest.fixture
def fake_bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBotApi]:
    yield from fake_bot_for(monkeypatch, telegram_channel)


@pytest.fixture
def ses(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import os

    endpoint = os.environ.get("DYNAMODB_ENDPOINT_URL")
    monkeypatch.setenv("SES_SENDER", SENDER)
    monkeypatch.setenv("SES_MAX_SEND_RATE", "1000")
    if endpoint:
        monkeypatch.setenv("SES_ENDPOINT_URL", endpoint)
    get_settings.cache_clear()
    verify_identity()
    yield
    get_settings.cache_clear()


@pytest.fixture
def stream(dynamodb: Any) -> StreamFollower:
    return notice_stream()


def verified_member(telegram_id: int, address: str) -> User:
    user = member_item(
        telegram_id,
        f"Member {telegram_id}",
        datetime.now(UTC),
        email=address,
        email_verified=True,
    )
    user.save()
    return user


def calendar_file(mail: dict[str, Any]) -> bytes:
    """The mail's one attachment, checked to be the .ics a calendar client takes."""
    (attachment,) = mail["attachments"]
    assert attachment["content_type"] == 'text/calendar; charset="utf-8"; method="PUBLISH"'
    data: bytes = attachment["data"]
    return data


def both_parsers(data: bytes) -> dict[str, Any]:
    """The one VEVENT as icalendar and `ical` read it, checked to agree: uid, sequence, status,
    summary, and the calendar's METHOD."""
    parsed = icalendar.Calendar.from_ical(data)
    (vevent,) = parsed.walk("VEVENT")
    first = {
        "method": str(parsed["METHOD"]),
        "uid": str(vevent["UID"]),
        "sequence": int(vevent["SEQUENCE"]),
        "status": str(vevent["STATUS"]),
        "summary": str(vevent["SUMMARY"]),
        "start": vevent.decoded("DTSTART"),
    }
    # `ical`, after the line checks (CRLF, 75 octets, whole UTF-8) of the calendar tests
    read = calendar_files.parse(data)
    (event,) = read.calendar.events
    second = {
        "method": read.properties(read.vcalendar)["METHOD"][0],
        "uid": event.uid,
        "sequence": event.sequence,
        "status": str(event.status.value) if event.status else None,
        "summary": event.summary,
        "start": event.dtstart,
    }
    assert first == second, (first, second)
    return first


def test_an_email_reminder_carries_the_events_ics(ses: None, fake_bot: FakeBotApi) -> None:
    # Given an event in 30 minutes and a verified member with an RSVP
    now = datetime.now(UTC).replace(microsecond=0)
    item = new_event(now + timedelta(minutes=30), title="Board games", location="Cafe")
    attend(item, [verified_member(1, "one@example.com")])
    event = events_table.get(item.id, consistent=True)
    assert event is not None

    # When the sweep sends its reminders
    report = reminders.sweep(now)

    # Then the email carries exactly one .ics, named for the event, that both parsers read
    assert report.email.sent == 1
    (mail,) = sent_mails()
    (attachment,) = mail["attachments"]
    assert attachment["filename"] == calendar.filename(event) == "board-games.ics"
    found = both_parsers(calendar_file(mail))
    assert found == {
        "method": "PUBLISH",
        "uid": f"{event.id}@{calendar.UID_DOMAIN}",
        "sequence": event.version,
        "status": "CONFIRMED",
        "summary": "Board games",
        "start": event.start_date,
    }
    # As an attachment after the text and HTML, which are as before
    assert mail["headers"] == HEADERS
    assert "Board games starts in 30 minutes" in mail["body"]
    assert f"startapp=e_{event.id}" in mail["html"]
    assert 'Content-Disposition: attachment; filename="board-games.ics"' in mail["raw"]
    # And the Telegram reminder is the same message it was: text and a button, no file
    assert [call["method"] for call in fake_bot.calls] == ["sendMessage"]
    (message,) = fake_bot.messages()
    assert set(message) == {"chat_id", "text", "reply_markup", "at"}
    assert message["text"].startswith("Reminder: Board games starts in 30 minutes, ")


def test_notice_emails_carry_the_events_ics_and_a_cancellation_updates_it(
    ses: None, fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    # Given an event with a going member whose address is verified
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    item = new_event(start, title="Board games", location="Cafe")
    attend(item, [verified_member(11, "one@example.com")])
    admin = admin_login(telegram_id=99)

    # When an admin moves it, then cancels it, the notice sender sending each notice
    later = start + timedelta(hours=1)
    body = {"start_date": later.isoformat(), "end_date": (later + timedelta(hours=3)).isoformat()}
    assert update_event(admin["token"], item.id, body)["statusCode"] == 200
    send_new(stream)
    assert delete_event(admin["token"], item.id)["statusCode"] == 204
    send_new(stream)

    # Then each notice email carried the event's .ics as it was then: the same UID, the move's
    # SEQUENCE, then a higher one with STATUS:CANCELLED, both read alike by both parsers
    changed, cancelled = sent_mails()
    assert (changed["subject"], cancelled["subject"]) == (
        "Changed: Board games",
        "Cancelled: Board games",
    )
    moved, gone = both_parsers(calendar_file(changed)), both_parsers(calendar_file(cancelled))
    uid = f"{item.id}@{calendar.UID_DOMAIN}"
    assert (moved["uid"], moved["status"], moved["start"]) == (uid, "CONFIRMED", later)
    assert (gone["uid"], gone["status"], gone["start"]) == (uid, "CANCELLED", later)
    assert (moved["sequence"], gone["sequence"]) == (1, 2)
    stored = events_table.get(item.id, consistent=True)
    assert stored is not None
    assert stored.version == gone["sequence"]
    assert changed["attachments"][0]["filename"] == "board-games.ics"
    # And the Telegram messages went as before: one per notice, text only
    assert {call["method"] for call in fake_bot.calls} == {"sendMessage"}
    assert len(fake_bot.messages()) == 2


@pytest.mark.parametrize(
    "title",
    [
        "Party\r\nBcc: evil@example.com\r\nContent-Type: text/html",
        "\u0412\u0435\u0447\u0435\u0440\u0438\u043d\u043a\u0430 \U0001f389\nBcc: evil@example.com",
        "Party\r\n\r\n--boundary\r\nContent-Type: text/calendar",
    ],
    ids=["crlf-headers", "cyrillic-emoji-lf", "blank-line-and-part"],
)
def test_a_hostile_title_adds_no_mime_header_or_part(
    ses: None, fake_bot: FakeBotApi, title: str
) -> None:
    # Given an event stored before titles refused line breaks, its title a header injection
    now = datetime.now(UTC).replace(microsecond=0)
    item = new_event(now + timedelta(minutes=30), title="Party", location="Cafe")
    item.update([Event.title.set(title)])
    attend(item, [verified_member(1, "one@example.com")])

    # When its reminder goes by email
    reminders.sweep(now)

    # Then the mail went to the member alone, with the same headers as any other, the title
    # inside its one-line Subject (RFC 2047-encoded when not ASCII: the raw headers are ASCII)
    (mail,) = sent_mails()
    assert mail["to"] == ["one@example.com"]
    assert mail["headers"] == HEADERS
    one_line = " ".join(title.split())
    assert mail["subject"] == f"Reminder: {one_line} starts in 30 minutes"
    head, _ = mail["raw"].split("\r\n\r\n", 1)
    assert head.isascii()
    # And it has its text, its HTML and the one .ics, whose SUMMARY holds the title's words
    # with the line break an escaped one
    assert len(mail["attachments"]) == 1
    assert both_parsers(calendar_file(mail))["summary"] == title.replace("\r\n", "\n")


def logged_in_with_email(telegram_id: int, address: str) -> str:
    """A member logged in, their address verified: their token."""
    issued = generate_code(telegram_id, f"Member {telegram_id}", allows_write_to_pm=True)
    token: str = body_of(callback(body_of(issued)["code"], telegram_id))["token"]
    User.get(users_table.user_key(telegram_id)).update(
        actions=[User.email.set(address), User.email_verified.set(True)]
    )
    return token


def test_a_waiting_members_file_is_tentative_until_the_event_is_cancelled(
    ses: None, fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    # Given a full event (one spot) with a going member and one on its waitlist, both verified
    item = new_event(datetime.now(UTC) + timedelta(days=2), title="Quiz", capacity=1)
    assert rsvp(logged_in_with_email(34_000, "going@example.com"), item.id)["statusCode"] == 201
    waiting = logged_in_with_email(34_100, "waiting@example.com")
    assert join_waitlist(waiting, item.id)["statusCode"] == 201
    admin = admin_login(telegram_id=99)

    # When an admin moves it to another place, then cancels it
    assert update_event(admin["token"], item.id, {"location": "Hall"})["statusCode"] == 200
    send_new(stream)
    assert delete_event(admin["token"], item.id)["statusCode"] == 204
    send_new(stream)

    # Then the change's file says CONFIRMED to the going member and TENTATIVE to the waiting
    # one (as their feeds do), and the cancellation's says CANCELLED to both
    statuses = {
        (mail["to"][0], mail["subject"]): both_parsers(calendar_file(mail))["status"]
        for mail in sent_mails()
    }
    assert statuses == {
        ("going@example.com", "Changed: Quiz"): "CONFIRMED",
        ("waiting@example.com", "Changed: Quiz"): "TENTATIVE",
        ("going@example.com", "Cancelled: Quiz"): "CANCELLED",
        ("waiting@example.com", "Cancelled: Quiz"): "CANCELLED",
    }


def test_make_mails_shows_the_attachment(ses: None, fake_bot: FakeBotApi) -> None:
    import os

    endpoint = os.environ.get("SES_ENDPOINT_URL")
    if not endpoint:
        pytest.skip("make mails reads moto's server over HTTP")
    # Given an email reminder sent through moto's server
    now = datetime.now(UTC).replace(microsecond=0)
    item = new_event(now + timedelta(minutes=30), title="Board games", location="Cafe")
    attend(item, [verified_member(1, "one@example.com")])
    reminders.sweep(now)

    # When make mails reads what it accepted
    (shown,) = [mail for mail in mails.sent(endpoint) if mail["to"] == ["one@example.com"]]

    # Then it lists the file: its name, type, size and (a calendar being text) its text
    (attachment,) = shown["attachments"]
    assert attachment["filename"] == "board-games.ics"
    assert attachment["content_type"] == 'text/calendar; charset="utf-8"; method="PUBLISH"'
    assert attachment["bytes"] == len(attachment["text"].encode())
    assert f"UID:{item.id}@{calendar.UID_DOMAIN}\r\n" in attachment["text"]
    assert shown["subject"] == "Reminder: Board games starts in 30 minutes"
    assert shown["links"] == [f"https://t.me/community_bot/app?startapp=e_{item.id}"]
