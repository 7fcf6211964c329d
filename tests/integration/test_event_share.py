"""POST /api/v1/events/{event_id}/share against the fake Bot API: the prepared inline message
Telegram is asked to keep (an article, or a photo when the event has an image, with the "Open
event" button whose link carries the sharer's referral), and what the member gets when the
event is unknown or inactive (404) or Telegram refuses (502), rate limits or cannot be reached
(503 with Retry-After)."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from support.environment import BOT_TOKEN
from support.flows import add_events, body_of, login, rsvp
from support.notice_pipeline import fake_bot_for

from community import applinks
from community.gateways.telegram_bot import BotApi
from community.services import event_share
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from devkit.functions.placeholders import event_record
from devkit.local.fakebot import FakeBotApi

pytestmark = pytest.mark.usefixtures("dynamodb")

SHARER = 4201
IMAGE = "https://images.example.com/meetup.jpg"


@pytest.fixture
def fake_bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBotApi]:
    """The fake Bot API, which the share function reaches (no backoff waits)."""
    yield from fake_bot_for(monkeypatch, event_share)


def share(token: str, event_id: str) -> dict[str, Any]:
    event = load_event("event_share", TOKEN=token)
    path = f"/api/v1/events/{event_id}/share"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["pathParameters"] = {"event_id": event_id}
    return invoke("EventShareFunction", event)


def an_event(**fields: Any) -> str:
    start = datetime(2031, 5, 17, 18, 30, tzinfo=UTC)
    fields.setdefault("title", "Rooftop meetup")
    fields.setdefault("location", "Main hall, 3rd floor")
    (event_id,) = add_events([event_record(start, **fields)])
    return event_id


def test_a_share_prepares_an_article_whose_button_carries_the_sharers_referral(
    fake_bot: FakeBotApi,
) -> None:
    # Given an event with 5 spots, one taken, and a member who shares it
    event_id = an_event(capacity=5)
    assert rsvp(login(4300, "Bob")["token"], event_id)["statusCode"] == 201
    sharer = login(SHARER, "Alice")

    # When they ask for its card
    response = share(sharer["token"], event_id)

    # Then Telegram was asked to keep one article for them, to user and group chats
    assert response["statusCode"] == 200, response
    assert response["headers"]["cache-control"] == "no-store"
    (call,) = fake_bot.prepared()
    assert set(call) == {
        "user_id",
        "allow_user_chats",
        "allow_group_chats",
        "result",
        "id",
        "expiration_date",
        "at",
    }
    code = sharer["user"]["referral_code"]
    link = f"https://t.me/community_bot/app?startapp=e_{event_id}_r_{code}"
    text = "Rooftop meetup\nSat 17 May 2031, 18:30 UTC\nMain hall, 3rd floor\n4 spots left"
    assert {
        key: value for key, value in call.items() if key not in ("id", "expiration_date", "at")
    } == {
        "user_id": SHARER,
        "allow_user_chats": True,
        "allow_group_chats": True,
        "result": {
            "type": "article",
            "id": event_id,
            "title": "Rooftop meetup",
            "description": "Sat 17 May 2031, 18:30 UTC · Main hall, 3rd floor · 4 spots left",
            "input_message_content": {
                "message_text": text,
                "link_preview_options": {"is_disabled": True},
            },
            "reply_markup": {"inline_keyboard": [[{"text": "Open event", "url": link}]]},
        },
    }
    # And the button's link opens the event and credits the sharer
    assert applinks.target_of(link.rsplit("startapp=", 1)[1]) == applinks.Target(event_id, code)
    # And the member gets Telegram's prepared message to share, and the link for old clients
    body = body_of(response)
    assert body == {
        "success": True,
        "prepared_message_id": call["id"],
        "expires_at": call["expiration_date"],
        "url": link,
    }
    assert body["expires_at"] > datetime.now(UTC).timestamp()


def test_an_event_with_an_image_is_shared_as_a_photo(fake_bot: FakeBotApi) -> None:
    event_id = an_event(image_url=IMAGE)

    assert share(login(SHARER, "Alice")["token"], event_id)["statusCode"] == 200

    (call,) = fake_bot.prepared()
    result = call["result"]
    assert result["type"] == "photo"
    assert result["photo_url"] == result["thumbnail_url"] == IMAGE
    assert result["caption"].endswith("\n0 going")  # no capacity: how many go
    assert result["reply_markup"]["inline_keyboard"][0][0]["text"] == "Open event"
    assert "input_message_content" not in result


def test_a_photo_telegram_refuses_is_shared_as_an_article(fake_bot: FakeBotApi) -> None:
    # Given Telegram refusing the photo (it takes JPEG only)
    event_id = an_event(image_url=IMAGE)
    fake_bot.script(SHARER, [400, 200])

    response = share(login(SHARER, "Alice")["token"], event_id)

    assert response["statusCode"] == 200, response
    tried = [c["payload"]["result"]["type"] for c in fake_bot.calls]
    assert tried == ["photo", "article"]
    assert [call["result"]["type"] for call in fake_bot.prepared()] == ["article"]


@pytest.mark.parametrize(
    "event_id",
    [
        "01HZX3K9Q7M2N4P6R8S0T1V3W5",  # no such event
        "not-an-event-id",
        "inactive",
    ],
)
def test_an_unknown_or_inactive_event_is_a_404_without_asking_telegram(
    fake_bot: FakeBotApi, event_id: str
) -> None:
    if event_id == "inactive":
        event_id = an_event(active=False)

    response = share(login(SHARER, "Alice")["token"], event_id)

    assert response["statusCode"] == 404, response
    assert body_of(response) == {"success": False, "detail": "event not found"}
    assert fake_bot.calls == []


def test_a_refusal_is_a_502_that_does_not_repeat_telegrams_words(fake_bot: FakeBotApi) -> None:
    event_id = an_event()
    fake_bot.script(SHARER, [400])

    response = share(login(SHARER, "Alice")["token"], event_id)

    assert response["statusCode"] == 502, response
    assert body_of(response) == {
        "success": False,
        "detail": "Telegram refused the shared message",
    }
    assert "chat not found" not in response["body"]


def test_a_429_is_a_503_with_its_retry_after_and_not_waited_out(fake_bot: FakeBotApi) -> None:
    event_id = an_event()
    fake_bot.script(SHARER, [429], retry_after=7)

    response = share(login(SHARER, "Alice")["token"], event_id)

    assert response["statusCode"] == 503, response
    assert response["headers"]["retry-after"] == "7"
    assert body_of(response)["success"] is False
    assert len(fake_bot.calls) == 1  # the member is told when to retry; nothing waits here


def test_an_unreachable_bot_api_is_a_503_with_retry_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Nothing listens on port 9 (discard) on loopback: every connection is refused.
    monkeypatch.setattr(
        event_share,
        "default_api",
        lambda: BotApi("http://127.0.0.1:9", BOT_TOKEN, sleep=lambda _: None),
    )

    response = share(login(SHARER, "Alice")["token"], an_event())

    assert response["statusCode"] == 503, response
    assert response["headers"]["retry-after"] == "1"
