"""Event chats only attendees can join (services/chats.py), through the real webhook, RSVP and
notice-sender handlers against the fake Bot API: /linkevent by an admin, a non-admin, for an
unknown event, with the bot lacking the invite right; join requests from a going member
(approved), a waitlisted one (held, approved when promoted), a member not going and someone
who is no member (declined, the latter after one read); `chat_url` for going members only.

The webhook answers a join request with the Bot API call itself (its response body); Telegram
runs it. Here, as in `make run`, `relay_answer` hands that body to the fake, so the fake's
record holds every call the bot made, outbound or answered."""

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.environment import BOT_TOKEN
from support.faults import counting_calls
from support.flows import (
    add_events,
    admin_login,
    body_of,
    cancel_rsvp,
    event_detail,
    join_waitlist,
    login,
    rsvp,
    rsvp_state,
    staff_login,
)
from support.notice_pipeline import fake_bot_for, notice_stream, send_new
from support.telegram_updates import chat_join_request, message

from community.data import chats as chats_table
from community.data import users
from community.data.models import Event, Notification
from community.gateways.telegram_bot import BotApi, Outcome, Pacer
from community.services import chats
from community.services.notifications import telegram_channel
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from devkit.functions.placeholders import event_record
from devkit.local.fakebot import FakeBotApi, relay_answer
from devkit.local.notices import StreamFollower, deliver

pytestmark = pytest.mark.usefixtures("dynamodb")
SECRET = os.environ["TELEGRAM_WEBHOOK_SECRET"]
BOT_ID = int(BOT_TOKEN.split(":")[0])
GROUP = -1001234567890
ADMIN = 7
LONG_TITLE = "Board games night at the old library, second floor"


@pytest.fixture
def fake_bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBotApi]:
    """The fake Bot API as every client of the bot reaches it (no backoff waits)."""
    yield from fake_bot_for(monkeypatch, chats, telegram_channel)


@pytest.fixture
def stream(dynamodb: Any) -> StreamFollower:
    return notice_stream()


def webhook(update_body: dict[str, Any], fake: FakeBotApi) -> dict[str, Any]:
    """Telegram posts an update; the answer's Bot API call is run, as Telegram does."""
    event = load_event("telegram_webhook", WEBHOOK_SECRET=SECRET, UPDATE_ID=1)
    update = {"update_id": uuid.uuid4().int % 2**31, **update_body}
    event["body"] = json.dumps(update)
    response = invoke("TelegramWebhookFunction", event)
    assert response["statusCode"] == 200, response
    relay_answer(fake.url, BOT_TOKEN, response["body"].encode())
    answer: dict[str, Any] = json.loads(response["body"])
    return answer


def link_event(fake: FakeBotApi, event_id: str, sender: int = ADMIN) -> dict[str, Any]:
    update = {"message": message(f"/linkevent {event_id}", GROUP, "supergroup", sender)}
    return webhook(update, fake)


def calls(fake: FakeBotApi, *methods: str) -> list[dict[str, Any]]:
    """The fake's record, in order: each call's method and parameters."""
    return [
        {"method": call["method"], **call["payload"]}
        for call in fake.calls
        if call["recorded"] and (not methods or call["method"] in methods)
    ]


def new_event(capacity: int | None = None, title: str = LONG_TITLE) -> str:
    start = datetime.now(UTC) + timedelta(days=3)
    (event_id,) = add_events([event_record(start, title=title, capacity=capacity)])
    return event_id


def test_an_admins_linkevent_creates_a_link_asking_to_join_and_stores_it_on_the_event(
    fake_bot: FakeBotApi,
) -> None:
    # Given an admin of the community and an upcoming event
    admin_login(telegram_id=ADMIN)
    event_id = new_event()

    # When the admin sends /linkevent <id> in the group
    reply = link_event(fake_bot, event_id)

    # Then the bot checked its own rights there, created a link that asks to join, named
    # after the event (cut to Telegram's 32 characters), and said so in the group
    get_member, create_link, said = calls(fake_bot)
    assert get_member == {"method": "getChatMember", "chat_id": GROUP, "user_id": BOT_ID}
    assert create_link == {
        "method": "createChatInviteLink",
        "chat_id": GROUP,
        "name": LONG_TITLE[:32],
        "creates_join_request": True,
    }
    assert reply["method"] == said["method"] == "sendMessage"
    assert reply["chat_id"] == GROUP
    assert reply["text"].startswith(f"This group is now the chat of {LONG_TITLE}.")
    # And the event holds the group and that link; the group's record names the event
    stored = Event.get(event_id)
    assert stored.chat_id == GROUP
    assert stored.chat_invite_link is not None
    assert stored.chat_invite_link.startswith("https://t.me/+")
    record = Notification.get(chats_table.chat_key(GROUP))
    assert record.event_id == event_id


@pytest.mark.parametrize("role", ["member", "staff", "nobody"])
def test_linkevent_from_anyone_but_an_admin_is_refused_in_words_and_asks_telegram_nothing(
    role: str, fake_bot: FakeBotApi
) -> None:
    # Given a member, a staff member, or someone who never logged in
    if role == "nobody":
        sender = 31
    else:
        sender = 32
        login(sender, "Mallory")
        if role == "staff":
            sender = 33
            staff_login(telegram_id=sender)
    event_id = new_event()

    # When they send /linkevent in a group
    reply = link_event(fake_bot, event_id, sender=sender)

    # Then they are told only an admin may, and nothing was asked of Telegram or stored
    assert reply["text"] == chats.NOT_AN_ADMIN
    assert calls(fake_bot) == [{"method": "sendMessage", "chat_id": GROUP, "text": reply["text"]}]
    assert Event.get(event_id).chat_id is None


@pytest.mark.parametrize("which", ["unknown", "malformed", "inactive"])
def test_linkevent_for_an_unknown_or_cancelled_event_is_refused_in_words(
    which: str, fake_bot: FakeBotApi
) -> None:
    admin_login(telegram_id=ADMIN)
    start = datetime.now(UTC) + timedelta(days=3)
    (inactive,) = add_events([event_record(start, title="Gone", active=False)])
    event_id = {"unknown": "01JDQ7Z8W3K5M9P2R4T6V8X0YA", "malformed": "nope", "inactive": inactive}

    reply = link_event(fake_bot, event_id[which])

    assert reply["text"] == chats.UNKNOWN_EVENT.format(event_id=event_id[which])
    assert calls(fake_bot, "getChatMember", "createChatInviteLink") == []
    assert Event.get(inactive).chat_id is None


@pytest.mark.parametrize(
    "bot_member",
    [
        {"status": "administrator", "can_invite_users": False},
        {"status": "member"},
        {"status": "left"},
    ],
)
def test_linkevent_where_the_bot_may_not_invite_users_says_what_right_it_needs(
    bot_member: dict[str, Any], fake_bot: FakeBotApi
) -> None:
    # Given a group where the bot is not an admin with the right to invite users
    admin_login(telegram_id=ADMIN)
    event_id = new_event()
    fake_bot.script(GROUP, [], member=bot_member)

    # When an admin sends /linkevent there
    reply = link_event(fake_bot, event_id)

    # Then the bot asked for its rights, created no link, and says which right it lacks
    assert reply["text"] == chats.NO_INVITE_RIGHT
    assert [call["method"] for call in calls(fake_bot)] == ["getChatMember", "sendMessage"]
    assert Event.get(event_id).chat_id is None


def test_join_requests_going_approved_waitlisted_held_then_approved_others_declined(
    fake_bot: FakeBotApi, stream: StreamFollower
) -> None:
    # Given an event of one seat linked to the group: one member going, one waiting, one
    # member not going, and someone who never joined the community
    admin_login(telegram_id=ADMIN)
    event_id = new_event(capacity=1)
    link_event(fake_bot, event_id)
    link = Event.get(event_id).chat_invite_link
    going, waiting, stranger, outsider = 41, 42, 43, 44
    going_token = login(going, "Gina")["token"]
    assert rsvp(going_token, event_id)["statusCode"] == 201
    waiting_token = login(waiting, "Walt")["token"]
    assert join_waitlist(waiting_token, event_id)["statusCode"] == 201
    login(stranger, "Stan")
    stream.new_records()  # what came before: not this test's notices
    fake_bot.reset()

    # When each asks to join the group through the event's link
    answers = {}
    for user in (going, waiting, stranger):
        answers[user] = webhook(
            {"chat_join_request": chat_join_request(GROUP, user, link)}, fake_bot
        )
    with counting_calls() as dynamodb_calls:
        answers[outsider] = webhook(
            {"chat_join_request": chat_join_request(GROUP, outsider, link)}, fake_bot
        )

    # Then the going member is approved, the member not going and the outsider declined, in
    # the webhook's own answer; the waiting member's request is left pending
    assert answers == {
        going: {"method": "approveChatJoinRequest", "chat_id": GROUP, "user_id": going},
        waiting: {"ok": True},
        stranger: {"method": "declineChatJoinRequest", "chat_id": GROUP, "user_id": stranger},
        outsider: {"method": "declineChatJoinRequest", "chat_id": GROUP, "user_id": outsider},
    }
    # And the outsider cost one read (the member and the group's link in one BatchGetItem),
    # then the update's own claim
    assert dynamodb_calls == ["BatchGetItem", "PutItem"]
    held = Notification.get(chats_table.join_request_key(event_id, _member_id(waiting)))
    assert (held.chat_id, held.telegram_id) == (GROUP, waiting)

    # When the going member cancels, and the waiting one gets the seat (its notice sent)
    assert cancel_rsvp(going_token, event_id)["statusCode"] == 204
    records = send_new(stream)

    # Then the held request is approved, once, and no longer held
    recorded = calls(fake_bot, "approveChatJoinRequest", "declineChatJoinRequest")
    print("Bot API calls recorded for the four join requests:")
    for call in recorded:
        print(json.dumps(call))
    assert recorded == [
        {"method": "approveChatJoinRequest", "chat_id": GROUP, "user_id": going},
        {"method": "declineChatJoinRequest", "chat_id": GROUP, "user_id": stranger},
        {"method": "declineChatJoinRequest", "chat_id": GROUP, "user_id": outsider},
        {"method": "approveChatJoinRequest", "chat_id": GROUP, "user_id": waiting},
    ]
    assert chats_table.take_request(event_id, _member_id(waiting)) is None
    # And handing the promotion over again approves nothing twice
    assert deliver(records, lambda event: invoke("NoticeSenderFunction", event), log=print) == 0
    assert len(calls(fake_bot, "approveChatJoinRequest")) == 2


def _member_id(telegram_id: int) -> str:
    member = users.get(telegram_id)
    assert member is not None
    return member.id


def test_a_join_request_to_a_group_linked_to_no_event_is_left_to_its_admins(
    fake_bot: FakeBotApi,
) -> None:
    login(51, "Nell")

    for user in (51, 52):
        answer = webhook({"chat_join_request": chat_join_request(-100999, user)}, fake_bot)
        assert answer == {"ok": True}
    assert calls(fake_bot) == []


def test_a_promoted_members_approval_that_fails_is_held_again_for_the_retry(
    fake_bot: FakeBotApi,
) -> None:
    # Given a held join request, and Telegram failing every try
    chats_table.hold_request("E1", "member-1", GROUP, 61, datetime.now(UTC))
    fake_bot.script(GROUP, [500, 500, 500, 200])
    api = BotApi(fake_bot.url, BOT_TOKEN, pacer=Pacer(1000), sleep=lambda _: None)

    # When the promotion approves it
    outcome = chats.approve_promoted("E1", "member-1", api)

    # Then it failed, and the request is held again: the notice's retry approves it
    assert outcome == "failed"
    assert chats.approve_promoted("E1", "member-1", api) == "sent"
    assert calls(fake_bot, "approveChatJoinRequest") == [
        {"method": "approveChatJoinRequest", "chat_id": GROUP, "user_id": 61}
    ]


def test_the_bot_api_calls_wait_out_a_429s_retry_after(fake_bot: FakeBotApi) -> None:
    waited: list[float] = []
    api = BotApi(fake_bot.url, BOT_TOKEN, sleep=waited.append)
    fake_bot.script(GROUP, [429, 200], retry_after=3)

    result = api.decline_chat_join_request(GROUP, 71)

    assert (result.outcome, result.attempts) == (Outcome.SENT, 2)
    assert waited == [3.0]


def test_chat_url_is_given_to_going_members_only_never_in_the_public_detail(
    fake_bot: FakeBotApi,
) -> None:
    # Given an event of one seat linked to a group, a member going and one waiting
    admin_login(telegram_id=ADMIN)
    event_id = new_event(capacity=1)
    link_event(fake_bot, event_id)
    link = Event.get(event_id).chat_invite_link
    going = login(81, "Gina")["token"]
    assert rsvp(going, event_id)["statusCode"] == 201
    waiting = login(82, "Walt")["token"]
    assert join_waitlist(waiting, event_id)["statusCode"] == 201
    neither = login(83, "Stan")["token"]

    # Then the going member's RSVP answer has the link, the others' none
    states = {token: body_of(rsvp_state(token, event_id)) for token in (going, waiting, neither)}
    assert states[going]["rsvp"]["status"] == "going"
    assert states[going]["chat_url"] == link
    assert states[waiting]["rsvp"]["status"] == "waitlisted"
    assert states[waiting]["chat_url"] is None
    assert states[neither] == {"success": True, "rsvp": {"status": "none"}, "chat_url": None}
    # And the public detail shows neither the group nor the link
    detail = event_detail(event_id)
    assert detail["statusCode"] == 200
    assert link is not None
    assert link not in detail["body"]
    assert "chat" not in detail["body"]
