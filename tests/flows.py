"""Test helpers that drive the real handlers through their events_fixtures files."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from conftest import BOT_TOKEN

from community.services import events
from devkit.fixtures import load_event
from devkit.handlers import invoke
from devkit.initdata import signed_init_data
from devkit.template import resources


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"]) if response.get("body") else None


def generate_code(
    telegram_id: int = 42, name: str = "Alice", start_param: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    init_data = signed_init_data(BOT_TOKEN, telegram_id, name, start_param=start_param, **kwargs)
    return invoke("GenerateCodeFunction", load_event("generate_code", INIT_DATA=init_data))


def callback(code: str, telegram_id: int) -> dict[str, Any]:
    return invoke(
        "AuthCallbackFunction",
        load_event("auth_callback", LOGIN_CODE=code, TELEGRAM_ID=telegram_id),
    )


def login(
    telegram_id: int = 42, name: str = "Alice", start_param: str | None = None
) -> dict[str, Any]:
    """A whole login; returns the callback's JSON body (token and user)."""
    issued = generate_code(telegram_id, name, start_param=start_param)
    assert issued["statusCode"] == 200, issued
    response = callback(body_of(issued)["code"], telegram_id)
    assert response["statusCode"] == 200, response
    result: dict[str, Any] = body_of(response)
    return result


def event_record(start: datetime, *, active: bool = True, **fields: Any) -> dict[str, Any]:
    """A seed-file record of an event starting at `start`, lasting two hours."""
    return {
        "id": str(uuid.uuid4()),
        "title": f"Event at {start.isoformat()}",
        "description": "A meetup",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(hours=2)).isoformat(),
        "location": "Main hall",
        "price": "0",
        "capacity": None,
        "image_url": None,
        "is_active": active,
        **fields,
    }


def add_events(records: list[dict[str, Any]]) -> list[str]:
    """Load records through the same validation and data layer as `make seed-events`."""
    events.load(events.validate_records(records))
    return [record["id"] for record in records]


def upcoming(query: str = "", headers: dict[str, str] | None = None) -> dict[str, Any]:
    event = load_event("events_upcoming")
    event["rawQueryString"] = query
    event["queryStringParameters"] = dict(parse_qsl(query, keep_blank_values=True))
    if not query:
        del event["queryStringParameters"]
    event["headers"].update(headers or {})
    return invoke("EventsUpcomingFunction", event)


def event_detail(event_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    event = load_event("event_detail", EVENT_ID=event_id)
    event["headers"].update(headers or {})
    return invoke("EventDetailFunction", event)


def fixture_name(function: str) -> str:
    return Path(resources("AWS::Serverless::Function")[function]["Properties"]["CodeUri"]).name


def fixture_values(name: str) -> dict[str, Any]:
    """Fresh values for a fixture's placeholders, made through the API itself."""
    if name == "generate_code":
        return {"INIT_DATA": signed_init_data(BOT_TOKEN, 42, "Alice")}
    if name == "auth_callback":
        return {"LOGIN_CODE": body_of(generate_code(42, "Alice"))["code"], "TELEGRAM_ID": 42}
    if name in ("users_me", "users_me_refresh"):
        return {"TOKEN": login(42, "Alice")["token"]}
    if name in ("public_profile", "profile_page"):
        return {"REFERRAL_CODE": login(42, "Alice")["user"]["referral_code"]}
    if name == "events_upcoming":
        add_events([event_record(datetime.now(UTC) + timedelta(days=1))])
        return {}
    if name == "event_detail":
        (event_id,) = add_events([event_record(datetime.now(UTC) + timedelta(days=1))])
        return {"EVENT_ID": event_id}
    raise AssertionError(f"no setup for fixture {name}")
