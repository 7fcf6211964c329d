"""POST /api/telegram/webhook through the real handler and its fixture: the secret token,
update ids handled once, /start (with a referral), /events, and 200 for everything else."""

import io
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.flows import add_events

from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from devkit.functions.placeholders import event_record

pytestmark = pytest.mark.usefixtures("dynamodb")
SECRET = os.environ["TELEGRAM_WEBHOOK_SECRET"]


def new_update_id() -> int:
    return uuid.uuid4().int % 2**31


def message(text: str, chat_id: int = 42, chat_type: str = "private") -> dict[str, Any]:
    return {
        "message_id": 7,
        "date": 1795500000,
        "chat": {"id": chat_id, "type": chat_type},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Alice"},
        "text": text,
    }


def post(body: Any, secret: str | None = SECRET) -> dict[str, Any]:
    event = load_event("telegram_webhook", WEBHOOK_SECRET=SECRET, UPDATE_ID=1)
    event["body"] = body if isinstance(body, str) else json.dumps(body)
    if secret is None:
        del event["headers"]["x-telegram-bot-api-secret-token"]
    else:
        event["headers"]["x-telegram-bot-api-secret-token"] = secret
    return invoke("TelegramWebhookFunction", event)


def answer(response: dict[str, Any]) -> dict[str, Any]:
    assert response["statusCode"] == 200, response
    body: dict[str, Any] = json.loads(response["body"])
    return body


def update_records(dynamodb: Any) -> list[str]:
    items = dynamodb.scan(TableName=os.environ["NOTIFICATIONS_TABLE"])["Items"]
    return [item["pk"]["S"] for item in items if item["pk"]["S"].startswith("UPDATE#")]


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper()])
def test_a_wrong_or_missing_secret_is_a_401_that_does_nothing(
    secret: str | None, dynamodb: Any
) -> None:
    # Given a valid /start update with a wrong or missing secret token
    update = {"update_id": new_update_id(), "message": message("/start")}

    # When Telegram (or anyone) posts it
    response = post(update, secret=secret)

    # Then it is refused, and the update id is not taken
    assert response["statusCode"] == 401
    assert json.loads(response["body"])["success"] is False
    assert update_records(dynamodb) == []


def test_start_with_a_referral_code_carries_it_to_the_mini_app_as_startapp() -> None:
    # Given /start with a member's referral code, as t.me/<bot>?start=UP-... sends it
    update = {"update_id": new_update_id(), "message": message("/start up-abc123")}

    # When it arrives
    reply = answer(post(update))

    # Then the reply is the webhook's own body: a sendMessage with the button carrying the code
    assert reply["method"] == "sendMessage"
    assert reply["chat_id"] == 42
    assert "Welcome" in reply["text"]
    (button,) = reply["reply_markup"]["inline_keyboard"][0]
    assert button["url"] == "https://t.me/community_bot/app?startapp=UP-ABC123"


@pytest.mark.parametrize("text", ["/start", "/start not-a-code", "/start@community_bot"])
def test_start_without_a_referral_opens_the_mini_app_plainly(text: str) -> None:
    reply = answer(post({"update_id": new_update_id(), "message": message(text)}))

    (button,) = reply["reply_markup"]["inline_keyboard"][0]
    assert button["url"] == "https://t.me/community_bot/app"


def test_events_lists_the_next_five_upcoming_events_each_with_a_button() -> None:
    # Given seven upcoming events, one past and one inactive
    now = datetime.now(UTC)
    records = [event_record(now + timedelta(days=day), title=f"Day {day}") for day in range(1, 8)]
    records += [
        event_record(now - timedelta(days=1), title="Past"),
        event_record(now + timedelta(hours=1), title="Inactive", active=False),
    ]
    add_events(records)

    # When a member sends /events
    reply = answer(post({"update_id": new_update_id(), "message": message("/events")}))

    # Then the next five are listed in start order, each with a button to its screen
    titles = [f"Day {day}" for day in range(1, 6)]
    assert [line.split(":")[0].lstrip("- ") for line in reply["text"].splitlines()[1:]] == titles
    buttons = [row[0] for row in reply["reply_markup"]["inline_keyboard"]]
    assert [button["text"] for button in buttons] == titles
    assert all("/app/events/" in button["url"] for button in buttons)


def test_events_lists_an_event_stored_with_a_line_break_in_its_title_on_one_line() -> None:
    # Given an event stored before titles refused controls: a line break and an override
    from community.data.models import Event

    (event_id,) = add_events([event_record(datetime.now(UTC) + timedelta(days=1))])
    Event(event_id).update([Event.title.set("Party\r\n- Free beer\u202e")])

    # When a member sends /events
    reply = answer(post({"update_id": new_update_id(), "message": message("/events")}))

    # Then the event is one line of the list, without the override
    assert reply["text"].splitlines()[1].startswith("- Party - Free beer: ")
    assert len(reply["text"].splitlines()) == 2


def test_a_redelivered_update_id_is_answered_once(dynamodb: Any) -> None:
    # Given an update Telegram delivers twice (it did not see the first answer in time)
    update = {"update_id": new_update_id(), "message": message("/start")}

    # When both deliveries arrive
    first, second = answer(post(update)), answer(post(update))

    # Then only the first is replied to, and one record holds the update id
    assert first["method"] == "sendMessage"
    assert second == {"ok": True}
    assert update_records(dynamodb) == [f"UPDATE#{update['update_id']}"]


MALFORMED = {
    "not-json": "{not json",
    "empty": "",
    "nested-too-deep": "[" * 20_000 + "]" * 20_000,
    "a-list": "[1, 2]",
    "no-update-id": json.dumps({"message": message("/start")}),
    "string-update-id": json.dumps({"update_id": "12", "message": message("/start")}),
    "boolean-update-id": json.dumps({"update_id": True}),
    "message-not-an-object": json.dumps({"update_id": new_update_id(), "message": "hi"}),
    "chat-without-id": json.dumps(
        {"update_id": new_update_id(), "message": {"chat": {"type": "private"}, "text": "/start"}}
    ),
    "text-not-a-string": json.dumps(
        {"update_id": new_update_id(), "message": {**message("/start"), "text": 5}}
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_update_is_a_200_with_a_log_line(case: str, log_output: io.StringIO) -> None:
    response = post(MALFORMED[case])

    assert answer(response) == {"ok": True}
    logged = log_output.getvalue()
    assert "malformed update ignored" in logged or "update not handled" in logged


UNHANDLED = {
    "unknown-command": {"message": message("/weather")},
    "plain-text": {"message": message("hello")},
    "group-chat": {"message": message("/start", chat_id=-100123, chat_type="supergroup")},
    "photo": {"message": {**message(""), "photo": [{"file_id": "x"}], "text": None}},
    "edited-message": {"edited_message": message("/start")},
    "callback-query": {"callback_query": {"id": "1", "data": "x"}},
    "my-chat-member": {"my_chat_member": {"chat": {"id": 42}}},
}


@pytest.mark.parametrize("case", sorted(UNHANDLED))
def test_updates_the_bot_does_not_handle_get_a_200_and_no_reply(
    case: str, log_output: io.StringIO
) -> None:
    response = post({"update_id": new_update_id(), **UNHANDLED[case]})

    assert answer(response) == {"ok": True}
    assert "update not handled" in log_output.getvalue()


def test_the_answer_is_never_stored_by_a_cache() -> None:
    response = post({"update_id": new_update_id(), "message": message("/start")})

    assert response["headers"]["cache-control"] == "no-store"
