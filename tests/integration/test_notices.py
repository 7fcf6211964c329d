"""Notices from the outbox (data/outbox.py) through the notifications table's stream to the
notice sender (functions/notice_sender), against the fake Bot API and moto's SES, on both moto
backends: an admin's move, change of place or cancellation tells every going member once, with
the change in one transaction with its notice record; a promotion record tells its member even
with reminders off, never one who did not allow the bot to write; a batch handed over again
sends nothing twice; a record whose sends failed is reported, and only it comes again."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pynamodb.transactions import TransactWrite
from support.faults import counting_calls
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
from support.mail_outbox import sent_mails, verify_identity
from support.notice_pipeline import fake_bot_for, notice_stream, send_new
from support.reminder_items import attend, member_item, new_event

from community.data import outbox
from community.data.models import Event, Notification, User, connection
from community.services.notifications import notices, telegram_channel
from community.settings import get_settings
from devkit.capacity.model import calls_of, compute
from devkit.capacity.scenario import Scenario
from devkit.functions.handlers import invoke
from devkit.local.fakebot import FakeBotApi
from devkit.local.notices import StreamFollower

SENDER = "community@example.com"


@pytest.fixture
def fake_bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBotApi]:
    """The fake Bot API, which the sender's handler reaches (no backoff waits: a test's 5xx
    would sleep through the client's retries)."""
    yield from fake_bot_for(monkeypatch, telegram_channel)


@pytest.fixture
def ses(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import os

    endpoint = os.environ.get("DYNAMODB_ENDPOINT_URL")
    monkeypatch.setenv("SES_SENDER", SENDER)
    if endpoint:
        monkeypatch.setenv("SES_ENDPOINT_URL", endpoint)
    get_settings.cache_clear()
    verify_identity()
    yield
    get_settings.cache_clear()


@pytest.fixture
def stream(dynamodb: Any) -> StreamFollower:
    return notice_stream()


def members(*ids: int, **fields: Any) -> list[User]:
    now = datetime.now(UTC)
    made = []
    for telegram_id in ids:
        user = member_item(telegram_id, f"Member {telegram_id}", now, **fields)
        user.save()
        made.append(user)
    return made


def notice_records() -> list[Notification]:
    return [record for record in Notification.scan() if record.pk.startswith("NOTICE#")]


def test_a_moved_and_relocated_event_tells_each_going_member_once_old_to_new(
    ses: None, fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    # Given an event with three going members, one of them with a verified email and
    # reminders off, and one who never allowed the bot to write
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    event = new_event(start, title="Board games", location="Cafe")
    verified, plain = members(11, 12, reminders=False)
    verified.update(actions=[User.email.set("one@example.com"), User.email_verified.set(True)])
    (silent,) = members(13, allows_write_to_pm=False)
    attend(event, [verified, plain, silent])
    admin = admin_login(telegram_id=99)

    # When an admin moves it an hour later and to another place
    later = start + timedelta(hours=1)
    body = {"start_date": later.isoformat(), "end_date": (later + timedelta(hours=3)).isoformat()}
    answer = update_event(admin["token"], event.id, {**body, "location": "Rooftop"})
    assert answer["statusCode"] == 200, answer
    records = send_new(stream)

    # Then one notice record was written with the change, old -> new
    (record,) = notice_records()
    assert (record.kind, record.event_id, record.member_id) == ("changed", event.id, None)
    changes = json.loads(record.payload or "")["changes"]
    assert changes["location"] == ["Cafe", "Rooftop"]
    assert changes["start_date"][1] == later.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(records) == 1
    # And each member who allows the bot got one message saying what changed
    messages = fake_bot.messages()
    assert sorted(message["chat_id"] for message in messages) == [11, 12]
    text = messages[0]["text"]
    assert "Board games has changed:" in text
    assert "Where: Cafe \u2192 Rooftop" in text
    assert f"When: {start:%a %d %b %Y, %H:%M} UTC \u2192 {later:%a %d %b %Y, %H:%M} UTC" in text
    (button,) = messages[0]["reply_markup"]["inline_keyboard"][0]
    assert button["web_app"]["url"].endswith(f"/app/events/{event.id}")
    # And the verified member an email too
    (mail,) = sent_mails()
    assert mail["to"] == ["one@example.com"]
    assert mail["subject"] == "Changed: Board games"


def test_a_change_of_nothing_told_or_of_a_past_event_writes_no_notice(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    event = new_event(datetime.now(UTC) + timedelta(days=3), title="Board games")
    attend(event, members(21))
    admin = admin_login(telegram_id=99)

    assert update_event(admin["token"], event.id, {"title": "Chess"})["statusCode"] == 200

    assert notice_records() == []
    assert send_new(stream) == []
    assert fake_bot.messages() == []


def test_a_cancellation_tells_everyone_once_and_a_second_delete_tells_nobody(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    # Given an event with two going members
    event = new_event(datetime.now(UTC) + timedelta(days=2), title="Picnic")
    attend(event, members(31, 32))
    admin = admin_login(telegram_id=99)

    # When an admin deletes (deactivates) it, twice
    assert delete_event(admin["token"], event.id)["statusCode"] == 204
    assert delete_event(admin["token"], event.id)["statusCode"] == 204
    send_new(stream)

    # Then one cancelled notice, one message each
    (record,) = notice_records()
    assert (record.kind, json.loads(record.payload or "")) == ("cancelled", {"cancelled": True})
    assert not Event.get(event.id).is_active
    messages = fake_bot.messages()
    assert sorted(message["chat_id"] for message in messages) == [31, 32]
    assert "Picnic (" in messages[0]["text"]
    assert "has been cancelled." in messages[0]["text"]


def writable_member(telegram_id: int) -> str:
    """A member logged in who allowed the bot to write: their token."""
    issued = generate_code(telegram_id, f"Member {telegram_id}", allows_write_to_pm=True)
    token: str = body_of(callback(body_of(issued)["code"], telegram_id))["token"]
    return token


def test_a_cancellation_tells_the_waiting_members_too(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    # Given a full event (one spot, taken) with a member on its waitlist
    event = new_event(datetime.now(UTC) + timedelta(days=2), title="Quiz", capacity=1)
    assert rsvp(writable_member(33_000), event.id)["statusCode"] == 201
    assert join_waitlist(writable_member(33_100), event.id)["statusCode"] == 201
    admin = admin_login(telegram_id=99)

    # When an admin cancels it
    assert delete_event(admin["token"], event.id)["statusCode"] == 204
    send_new(stream)

    # Then the going member and the waiting one are each told, once
    assert sorted(message["chat_id"] for message in fake_bot.messages()) == [33_000, 33_100]


def test_a_patch_that_deactivates_tells_cancelled(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    event = new_event(datetime.now(UTC) + timedelta(days=2), title="Picnic")
    attend(event, members(41))
    admin = admin_login(telegram_id=99)

    answer = update_event(admin["token"], event.id, {"is_active": False})

    assert answer["statusCode"] == 200, answer
    send_new(stream)
    (record,) = notice_records()
    assert record.kind == "cancelled"
    (message,) = fake_bot.messages()
    assert message["chat_id"] == 41


def promote(event: Event, user: User) -> str:
    """What the waitlist's promotion writes with the seat: a `promoted` notice record."""
    with TransactWrite(connection=connection()) as transaction:
        return outbox.add(
            transaction,
            kind=outbox.PROMOTED,
            event_id=event.id,
            member_id=user.pk,
            now=datetime.now(UTC),
        )


def test_a_promotion_tells_its_member_even_with_reminders_off_never_without_the_bots_leave(
    ses: None, fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    # Given a member with reminders off and a verified email, and one who never allowed the bot
    event = new_event(datetime.now(UTC) + timedelta(days=2), title="Concert", location="Hall")
    (promoted,) = members(51, reminders=False)
    promoted.update(actions=[User.email.set("five@example.com"), User.email_verified.set(True)])
    (silent,) = members(52, allows_write_to_pm=False)

    # When both are promoted from the waitlist
    promote(event, promoted)
    promote(event, silent)
    send_new(stream)

    # Then the first got a message with a button opening the event, and an email; the second
    # nothing by Telegram
    (message,) = fake_bot.messages()
    assert message["chat_id"] == 51
    assert "A seat freed up at Concert and it is yours" in message["text"]
    (button,) = message["reply_markup"]["inline_keyboard"][0]
    assert button["web_app"]["url"].endswith(f"/app/events/{event.id}")
    (mail,) = sent_mails()
    assert (mail["to"], mail["subject"]) == (["five@example.com"], "You're in: Concert")


def test_a_batch_handed_over_again_sends_nothing_twice(
    ses: None, fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    # Given a cancellation and a promotion sent from one stream batch
    event = new_event(datetime.now(UTC) + timedelta(days=2), title="Picnic")
    going = members(61, 62)
    going[0].update(actions=[User.email.set("six@example.com"), User.email_verified.set(True)])
    attend(event, going)
    (promoted,) = members(63)
    promote(event, promoted)
    admin = admin_login(telegram_id=99)
    assert delete_event(admin["token"], event.id)["statusCode"] == 204
    batch = {"Records": stream.new_records()}
    assert len(batch["Records"]) == 2
    first = invoke("NoticeSenderFunction", batch)
    sent, mailed = len(fake_bot.messages()), len(sent_mails())

    # When the same batch is handed over again (a retry after a timeout, a replay)
    second = invoke("NoticeSenderFunction", batch)

    # Then nothing new was sent by either medium
    assert first == second == {"batchItemFailures": []}
    assert (sent, mailed) == (3, 1)
    assert (len(fake_bot.messages()), len(sent_mails())) == (3, 1)


def test_a_record_whose_sends_failed_is_reported_and_only_its_unsent_part_goes_again(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    # Given two promotions in one batch, the Bot API failing every try for the first member
    event = new_event(datetime.now(UTC) + timedelta(days=2), title="Concert")
    failing, fine = members(71, 72)
    promote(event, failing)
    promote(event, fine)
    records = stream.new_records()
    fake_bot.script(71, [500] * 10)

    # When the batch is handed over
    response = invoke("NoticeSenderFunction", {"Records": records})

    # Then only the first record is reported failed, and the second's message went
    failed_sequence = records[0]["dynamodb"]["SequenceNumber"]
    assert response == {"batchItemFailures": [{"itemIdentifier": failed_sequence}]}
    assert [message["chat_id"] for message in fake_bot.messages()] == [72]

    # When the Bot API recovers and the stream hands it over again from the failed record
    fake_bot.reset()
    again = invoke("NoticeSenderFunction", {"Records": records})

    # Then the failed member got theirs, and the other nothing twice
    assert again == {"batchItemFailures": []}
    assert [message["chat_id"] for message in fake_bot.messages()] == [71]


def test_a_malformed_or_foreign_record_is_skipped_not_retried(fake_bot: FakeBotApi) -> None:
    foreign = {
        "eventName": "INSERT",
        "dynamodb": {"Keys": {"pk": {"S": "TOLD#x"}}, "NewImage": {"pk": {"S": "TOLD#x"}}},
    }
    malformed = {
        "eventName": "INSERT",
        "dynamodb": {
            "Keys": {"pk": {"S": "NOTICE#e#1"}},
            "NewImage": {"pk": {"S": "NOTICE#e#1"}, "kind": {"S": "party"}},
        },
    }
    assert notices.handle_record(foreign) is None
    assert notices.handle_record(malformed) is None
    assert fake_bot.messages() == []


def test_the_capacity_model_makes_the_calls_a_change_notice_makes(
    fake_bot: FakeBotApi, stream: StreamFollower, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a moved event with two going members (Telegram only: no email sender)
    monkeypatch.setenv("SES_SENDER", "")
    get_settings.cache_clear()
    event = new_event(datetime.now(UTC) + timedelta(days=2), location="Cafe")
    attend(event, members(81, 82))
    admin = admin_login(telegram_id=99)
    assert update_event(admin["token"], event.id, {"location": "Bar"})["statusCode"] == 200
    batch = {"Records": stream.new_records()}

    # When the sender sends it
    with counting_calls() as calls:
        assert invoke("NoticeSenderFunction", batch) == {"batchItemFailures": []}

    # Then it made the calls `make capacity` models for a notice to that many members
    modelled = calls_of(compute(Scenario(notice_recipients=2)))["NoticeSenderFunction"]
    assert calls == modelled
    assert len(fake_bot.messages()) == 2
