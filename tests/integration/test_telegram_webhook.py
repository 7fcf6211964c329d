"""POST /api/telegram/webhook through the real handler and its fixture: the secret token,
update ids handled once, /start (with a referral), /events, and 200 for everything else."""

import io
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from support.flows import add_events
from support.telegram_updates import long_reply_update, message

from community import applinks
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from devkit.functions.placeholders import event_record

pytestmark = pytest.mark.usefixtures("dynamodb")
SECRET = os.environ["TELEGRAM_WEBHOOK_SECRET"]
PUBLIC = "http://127.0.0.1:3000"  # PUBLIC_BASE_URL's default: the tests leave it unset


def new_update_id() -> int:
    return uuid.uuid4().int % 2**31


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


def test_start_with_an_event_link_opens_that_event_with_its_referral() -> None:
    # Given /start with a shared event's parameter (t.me/<bot>?start=e_<id>_r_<code>)
    event_id = "01HZX3K9Q7M2N4P6R8S0T1V3W5"
    update = {"update_id": new_update_id(), "message": message(f"/start e_{event_id}_r_UP-ABC123")}

    (button,) = answer(post(update))["reply_markup"]["inline_keyboard"][0]

    # Then its button is the direct link carrying both: a web_app button would lose the referral
    assert button["url"] == f"https://t.me/community_bot/app?startapp=e_{event_id}_r_UP-ABC123"


@pytest.mark.parametrize(
    "text",
    [
        "/start",
        "/start not-a-code",
        "/start@community_bot",
        "/start e_01HZX3K9Q7M2N4P6R8S0T1V3W5_r_nope",
        "/start r_UP-ABC123",
    ],
)
def test_start_without_a_referral_opens_the_mini_app_in_telegram(text: str) -> None:
    reply = answer(post({"update_id": new_update_id(), "message": message(text)}))

    # A web_app button: Telegram opens the Mini App itself, with launch data
    (button,) = reply["reply_markup"]["inline_keyboard"][0]
    assert button == {"text": "Open the community app", "web_app": {"url": f"{PUBLIC}/app/"}}


def seven_upcoming_events() -> list[str]:
    """Seven upcoming events, one past and one inactive; the ids of the next five, in order."""
    now = datetime.now(UTC)
    records = [event_record(now + timedelta(days=day), title=f"Day {day}") for day in range(1, 8)]
    records += [
        event_record(now - timedelta(days=1), title="Past"),
        event_record(now + timedelta(hours=1), title="Inactive", active=False),
    ]
    add_events(records)
    return [record["id"] for record in records[:5]]


def test_events_lists_the_next_five_upcoming_events_each_opening_the_mini_app_there() -> None:
    # Given seven upcoming events, one past and one inactive
    ids = seven_upcoming_events()

    # When a member sends /events in their private chat with the bot
    reply = answer(post({"update_id": new_update_id(), "message": message("/events")}))

    # Then the next five are listed in start order, each with a web_app button that opens the
    # Mini App inside Telegram at the event's screen (a plain url button opened a browser)
    titles = [f"Day {day}" for day in range(1, 6)]
    assert [line.split(":")[0].lstrip("- ") for line in reply["text"].splitlines()[1:]] == titles
    buttons = [row[0] for row in reply["reply_markup"]["inline_keyboard"]]
    assert buttons == [
        {"text": title, "web_app": {"url": f"{PUBLIC}/app/events/{event_id}"}}
        for title, event_id in zip(titles, ids, strict=True)
    ]


@pytest.mark.parametrize("text", ["/events", "/events@community_bot", "/EVENTS@Community_Bot"])
@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
def test_events_in_a_group_links_each_event_by_the_direct_link(text: str, chat_type: str) -> None:
    # Given upcoming events
    ids = seven_upcoming_events()

    # When /events is sent in a group the bot is in
    update = {"update_id": new_update_id(), "message": message(text, -100123, chat_type)}
    reply = answer(post(update))

    # Then the group gets the list, each button the Mini App's direct link with the event as
    # its start parameter (web_app buttons are refused outside private chats)
    assert reply["chat_id"] == -100123
    buttons = [row[0] for row in reply["reply_markup"]["inline_keyboard"]]
    assert [button["url"] for button in buttons] == [
        f"https://t.me/community_bot/app?startapp=e_{event_id}" for event_id in ids
    ]
    assert all(set(button) == {"text", "url"} for button in buttons)
    assert [
        applinks.event_of(parse_qs(urlsplit(b["url"]).query)["startapp"][0]) for b in buttons
    ] == ids


def test_no_upcoming_events_still_opens_the_app_in_a_group_and_in_private() -> None:
    group = answer(post({"update_id": new_update_id(), "message": message("/events", -5, "group")}))
    private = answer(post({"update_id": new_update_id(), "message": message("/events")}))

    assert group["text"] == private["text"] == "No upcoming events yet."
    assert group["reply_markup"]["inline_keyboard"] == [
        [{"text": "Open the community app", "url": "https://t.me/community_bot/app"}]
    ]
    assert private["reply_markup"]["inline_keyboard"] == [
        [{"text": "Open the community app", "web_app": {"url": f"{PUBLIC}/app/"}}]
    ]


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
    "group-events-for-another-bot": {"message": message("/events@other_bot", -100123, "group")},
    "channel-events": {"message": message("/events", chat_id=-100123, chat_type="channel")},
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


def test_a_67_kb_update_is_read_and_answered_200(dynamodb: Any, log_output: io.StringIO) -> None:
    # Given a realistic update over 64 KB (a long reply quoting another long message)
    update = long_reply_update(new_update_id())
    size = len(json.dumps(update).encode())
    assert 64 * 1024 < size < 80 * 1024, size

    # When Telegram posts it
    response = post(update)

    # Then it is read like any other update (a 200, the update id taken), not refused
    assert answer(response) == {"ok": True}
    assert update_records(dynamodb) == [f"UPDATE#{update['update_id']}"]
    assert "update not handled" in log_output.getvalue()


def test_an_update_bigger_than_telegram_sends_is_a_200_logged_not_read(
    dynamodb: Any, log_output: io.StringIO
) -> None:
    # Given an update over the 1 MB the webhook reads (Telegram's are far smaller)
    update = {"update_id": new_update_id(), "message": message("/start " + "x" * 1_100_000)}

    # When it is posted with the right secret
    response = post(update)

    # Then Telegram gets a 200 (a non-2xx is redelivered), nothing is claimed, and a line is
    # logged with the size and update id, not the text
    assert answer(response) == {"ok": True}
    assert update_records(dynamodb) == []
    logged = log_output.getvalue()
    assert "oversized update ignored" in logged
    assert str(update["update_id"]) in logged
    assert "xxxxxxxx" not in logged


def test_a_big_update_with_a_wrong_secret_is_still_a_401() -> None:
    update = {"update_id": new_update_id(), "message": message("/start " + "x" * 1_100_000)}

    response = post(update, secret="wrong")

    assert response["statusCode"] == 401
