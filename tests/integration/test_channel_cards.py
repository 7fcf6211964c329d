"""The channel card (services/announcements.py) through the outbox and the notifications
table's stream to the notice sender, against the fake Bot API, on both moto backends: a new
event is posted once, three RSVPs in one second make one edit, a move and a cancellation edit
the card (the button removed), an unchanged card is not edited and Telegram's "message is not
modified" is no failure, a 429's retry_after is waited out, a stream record handed over again
sends nothing new, and RSVPs after a minute's edit are shown by the sweep's catch-up."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pynamodb.transactions import TransactWrite
from support.flows import admin_login, create_event, delete_event, update_event
from support.notice_pipeline import fake_bot_for, notice_stream, send_new
from support.reminder_items import member_item

from community.data import announcements as records
from community.data import outbox
from community.data import users as users_table
from community.data.models import Event, connection
from community.entities import Member
from community.services import announcements, attendance
from community.services.notifications import telegram_channel
from community.settings import get_settings
from devkit.functions.handlers import invoke
from devkit.functions.placeholders import event_record
from devkit.local.fakebot import FakeBotApi
from devkit.local.notices import StreamFollower, deliver

CHANNEL = -1001234567890
MESSAGE_METHODS = {"sendMessage", "sendPhoto", "editMessageText", "editMessageCaption"}


@pytest.fixture
def fake_bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBotApi]:
    yield from fake_bot_for(monkeypatch, telegram_channel)


@pytest.fixture
def stream(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[StreamFollower]:
    monkeypatch.setenv("ANNOUNCE_CHAT_ID", str(CHANNEL))
    get_settings.cache_clear()
    yield notice_stream()
    monkeypatch.delenv("ANNOUNCE_CHAT_ID")
    get_settings.cache_clear()


def card_calls(fake: FakeBotApi) -> list[dict[str, Any]]:
    """The Bot API calls to the channel: method, what was sent, and the answer given."""
    return [
        {"method": call["method"], **call["payload"], "answer": call["answer"]}
        for call in fake.calls
        if call["method"] in MESSAGE_METHODS and call["payload"].get("chat_id") == CHANNEL
    ]


def members(*ids: int) -> list[Member]:
    now = datetime.now(UTC)
    for telegram_id in ids:
        member_item(telegram_id, f"Member {telegram_id}", now).save()
    found = users_table.get_many(list(ids))
    return [found[telegram_id] for telegram_id in ids]


def event_body(start: datetime, **fields: Any) -> dict[str, Any]:
    """What an admin's form sends (a seed record less its id and state)."""
    record = event_record(start, **fields)
    return {key: value for key, value in record.items() if key not in ("id", "is_active")}


def new_card(stream: StreamFollower, **fields: Any) -> tuple[str, str]:
    """An event created by an admin, its card posted: (the admin's token, the event id)."""
    admin = admin_login(telegram_id=99)
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    body = event_body(start, title="Board games", location="Cafe", capacity=30, **fields)
    answer = create_event(admin["token"], body)
    assert answer["statusCode"] == 201, answer
    send_new(stream)
    return admin["token"], json.loads(answer["body"])["event"]["id"]


def minute_ago() -> datetime:
    """A moment whose minute is over (RSVPs "at" it make its slot; the sweep's is another)."""
    return (datetime.now(UTC) - timedelta(minutes=3)).replace(second=10, microsecond=0)


def test_a_new_event_is_posted_once_with_its_button(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    _, event_id = new_card(stream)

    (post,) = card_calls(fake_bot)
    assert post["method"] == "sendMessage"
    assert post["text"].splitlines()[0] == "Board games"
    assert "Where: Cafe" in post["text"]
    assert post["text"].endswith("0 / 30 going")
    (button,) = post["reply_markup"]["inline_keyboard"][0]
    assert button["text"] == "Open event"
    assert button["url"].endswith(f"startapp=e_{event_id}")
    stored = Event.get(event_id)
    (message,) = fake_bot.chat_messages()
    assert int(stored.announce_message_id) == message["message_id"]
    assert stored.announce_chat_id == str(CHANNEL)


def test_an_event_with_an_image_is_posted_as_a_photo_and_edited_by_its_caption(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    token, event_id = new_card(stream, image_url="https://example.com/board.jpg")
    assert update_event(token, event_id, {"title": "Chess"})["statusCode"] == 200
    send_new(stream)

    post, edit = card_calls(fake_bot)
    assert (post["method"], post["photo"]) == ("sendPhoto", "https://example.com/board.jpg")
    assert edit["method"] == "editMessageCaption"
    assert edit["caption"].startswith("Chess\n")


def test_three_rsvps_in_one_second_make_one_edit_with_the_count_of_three(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    # Given a posted card
    _, event_id = new_card(stream)
    moment = minute_ago()

    # When three members RSVP within one second
    for offset, member in enumerate(members(501, 502, 503)):
        attendance.rsvp(member, event_id, now=moment + timedelta(milliseconds=300 * offset))
    handed = send_new(stream)

    # Then the stream handed one record over (the minute's slot) and the card was edited once
    assert [record["dynamodb"]["Keys"]["pk"]["S"] for record in handed] == [
        outbox.slot_key(event_id, moment)
    ]
    _, edit = card_calls(fake_bot)
    assert edit["method"] == "editMessageText"
    assert edit["text"].endswith("3 / 30 going")
    assert edit["answer"] == 200

    # And handing the same record over again sends nothing new
    deliver(handed, lambda event: invoke("NoticeSenderFunction", event), log=print)
    assert len(card_calls(fake_bot)) == 2


def test_rsvps_after_the_minutes_edit_are_shown_by_the_sweeps_catch_up(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    # Given a card edited for a minute's first RSVP
    _, event_id = new_card(stream)
    moment = minute_ago()
    first, second = members(601, 602)
    attendance.rsvp(first, event_id, now=moment)
    send_new(stream)
    # When another RSVP comes later in that minute (no record: the slot exists)
    attendance.rsvp(second, event_id, now=moment + timedelta(seconds=40))
    assert send_new(stream) == []
    assert card_calls(fake_bot)[-1]["text"].endswith("1 / 30 going")

    # Then the sweep finds the card behind and gives it this minute's slot: one more edit
    assert announcements.catch_up() == 1
    send_new(stream)
    assert card_calls(fake_bot)[-1]["text"].endswith("2 / 30 going")
    # And a sweep after that finds nothing behind
    assert announcements.catch_up() == 0
    assert len(card_calls(fake_bot)) == 3


def test_a_moved_event_is_edited_and_a_cancelled_one_loses_its_button(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    token, event_id = new_card(stream)
    later = (datetime.now(UTC) + timedelta(days=4)).replace(microsecond=0)

    body = {"start_date": later.isoformat(), "end_date": (later + timedelta(hours=2)).isoformat()}
    assert update_event(token, event_id, {**body, "location": "Rooftop"})["statusCode"] == 200
    send_new(stream)
    assert delete_event(token, event_id)["statusCode"] == 204
    send_new(stream)

    _, moved, cancelled = card_calls(fake_bot)
    assert moved["method"] == "editMessageText"
    assert f"When: {later:%a %d %b %Y, %H:%M} UTC" in moved["text"]
    assert "Where: Rooftop" in moved["text"]
    assert moved["reply_markup"]["inline_keyboard"][0][0]["text"] == "Open event"
    assert cancelled["text"].startswith("Cancelled: Board games")
    assert "reply_markup" not in cancelled
    (message,) = fake_bot.chat_messages()
    assert "reply_markup" not in message
    assert message["edits"] == 2


def test_an_unchanged_card_is_not_edited_and_not_modified_is_no_failure(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    _, event_id = new_card(stream)

    # When an announce notice comes for a card that already shows its event
    now = datetime.now(UTC)
    with TransactWrite(connection=connection()) as transaction:
        outbox.add(transaction, kind=outbox.ANNOUNCE, event_id=event_id, now=now)
    send_new(stream)
    # Then nothing is edited
    assert len(card_calls(fake_bot)) == 1

    # When the record of what it shows was lost, so the sender edits to the same text
    Event(event_id).update(actions=[Event.announced_hash.set("lost")])
    with TransactWrite(connection=connection()) as transaction:
        outbox.add(transaction, kind=outbox.ANNOUNCE, event_id=event_id, now=now)
    send_new(stream)
    # Then Telegram's "message is not modified" settles it: no retry, the hash recorded
    _, same = card_calls(fake_bot)
    assert same["answer"] == 400
    stored = Event.get(event_id, consistent_read=True)
    assert stored.announced_hash != "lost"


def test_a_429_is_waited_out_for_its_retry_after(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    token, event_id = new_card(stream)
    fake_bot.script(CHANNEL, [429, 200], retry_after=1)

    assert update_event(token, event_id, {"title": "Chess"})["statusCode"] == 200
    send_new(stream)

    refused, edited = card_calls(fake_bot)[1:]
    assert (refused["answer"], edited["answer"]) == (429, 200)
    times = [call["at"] for call in fake_bot.calls if call["method"] == "editMessageText"]
    assert times[1] - times[0] >= 1.0
    assert edited["text"].startswith("Chess\n")


def test_only_one_of_two_racing_first_posts_may_post(stream: StreamFollower) -> None:
    admin = admin_login(telegram_id=99)
    start = datetime.now(UTC) + timedelta(days=3)
    answer = create_event(admin["token"], event_body(start))
    event_id = json.loads(answer["body"])["event"]["id"]

    now = datetime.now(UTC)
    assert [records.claim_post(event_id, now) for _ in range(2)] == [True, False]
