"""Test helpers that drive the real handlers through their events_fixtures files."""

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import pytest

from community.data import users as users_table
from community.data.models import User
from community.entities import MEMBER_ROLE
from community.services import seeding
from community.services.auth import session_for
from community.services.users import set_role
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from devkit.functions.placeholders import event_record, fixture_for, values_for
from devkit.local.initdata import signed_init_data
from devkit.template.reader import resources
from support.environment import BOT_TOKEN


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


def add_events(records: list[dict[str, Any]]) -> list[str]:
    """Load records through the same validation and data layer as `make seed-events`, with
    history allowed (ALLOW_PAST=1): the tests need started and past events."""
    seeding.load(seeding.validate_records(records, allow_past=True))
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


def event_calendar(event_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    event = load_event("event_calendar", EVENT_ID=event_id)
    event["headers"].update(headers or {})
    return invoke("EventCalendarFunction", event)


def follow_pages(
    fetch: Callable[[str], dict[str, Any]], query: str, max_pages: int
) -> list[dict[str, Any]]:
    """The pages of a cursor listing: `fetch(query)`, then `fetch(query&cursor=next_cursor)`
    until has_more is false. Bounded: a listing still saying has_more after `max_pages` pages
    (give more than the data can fill) fails with the pages seen, where a cursor that never
    ends (one that restarts the listing, say) would otherwise loop until CI's time limit."""
    pages: list[dict[str, Any]] = []
    next_query = query
    for _ in range(max_pages):
        body = fetch(next_query)
        pages.append(body)
        if not body["has_more"]:
            return pages
        next_query = f"{query}&cursor={body['next_cursor']}"
    firsts = [body["events"][0]["start_date"] if body["events"] else None for body in pages]
    pytest.fail(
        f"{query!r} still has_more after {max_pages} pages, more than its data can fill: "
        f"{[len(body['events']) for body in pages]} events a page, starting at {firsts}"
    )


def fixture_name(function: str) -> str:
    return fixture_for(resources("AWS::Serverless::Function")[function]["Properties"]["CodeUri"])


def fixture_values(name: str) -> dict[str, Any]:
    """Fresh values for a fixture's placeholders (devkit.functions.placeholders); the listing
    gets an upcoming event first so that it answers with something to serialise."""
    if name == "events_upcoming":
        add_events([event_record(datetime.now(UTC) + timedelta(days=1))])
    values = values_for(name)
    if name == "calendar_feed":
        # Member 42 going to an event, so that the feed has one to read and render.
        (event_id,) = add_events([event_record(datetime.now(UTC) + timedelta(days=2))])
        assert rsvp(login(42, "Alice")["token"], event_id)["statusCode"] == 201
    if name == "referrals_top":
        # A member who joined through another's code, so that the leaderboard has someone.
        referrer = login(44, "Rita")["user"]["referral_code"]
        login(45, "Newt", start_param=referrer)
    if name == "users_me_events":
        # An RSVP, so that the page has an event to read and serialise.
        (event_id,) = add_events([event_record(datetime.now(UTC) + timedelta(days=2))])
        assert rsvp(values["TOKEN"], event_id)["statusCode"] == 201
    return values


def full_event(capacity: int, first_member: int = 900_000) -> str:
    """An upcoming event with `capacity` spots, all taken by members logged in for it."""
    (event_id,) = add_events(
        [event_record(datetime.now(UTC) + timedelta(days=2), capacity=capacity)]
    )
    for telegram_id in range(first_member, first_member + capacity):
        token = login(telegram_id, f"Member {telegram_id}")["token"]
        assert rsvp(token, event_id)["statusCode"] == 201
    return event_id


def join_waitlist(token: str, event_id: str) -> dict[str, Any]:
    return invoke(
        "EventWaitlistJoinFunction",
        load_event("event_waitlist_join", TOKEN=token, FULL_EVENT_ID=event_id),
    )


def leave_waitlist(token: str, event_id: str) -> dict[str, Any]:
    return invoke(
        "EventWaitlistLeaveFunction",
        load_event("event_waitlist_leave", TOKEN=token, EVENT_ID=event_id),
    )


def rsvp(token: str, event_id: str) -> dict[str, Any]:
    return invoke("EventRsvpFunction", load_event("event_rsvp", TOKEN=token, EVENT_ID=event_id))


def cancel_rsvp(token: str, event_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    event = load_event("event_rsvp_cancel", TOKEN=token, EVENT_ID=event_id)
    event["headers"].update(headers or {})
    return invoke("EventRsvpCancelFunction", event)


def rsvp_state(token: str, event_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    event = load_event("event_rsvp_status", TOKEN=token, EVENT_ID=event_id)
    event["headers"].update(headers or {})
    return invoke("EventRsvpStatusFunction", event)


def my_events(token: str, query: str = "") -> dict[str, Any]:
    event = load_event("users_me_events", TOKEN=token)
    event["rawQueryString"] = query
    if query:
        event["queryStringParameters"] = dict(parse_qsl(query, keep_blank_values=True))
    return invoke("UsersMeEventsFunction", event)


def create_event(token: str, body: dict[str, Any]) -> dict[str, Any]:
    event = load_event("event_create", ADMIN_TOKEN=token)
    event["body"] = json.dumps(body)
    return invoke("EventCreateFunction", event)


def update_event(token: str, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
    event = load_event("event_update", ADMIN_TOKEN=token, EVENT_ID=event_id)
    event["body"] = json.dumps(body)
    return invoke("EventUpdateFunction", event)


def delete_event(token: str, event_id: str) -> dict[str, Any]:
    return invoke(
        "EventDeleteFunction", load_event("event_delete", ADMIN_TOKEN=token, EVENT_ID=event_id)
    )


def admin_login(telegram_id: int = 7, name: str = "Ada") -> dict[str, Any]:
    """A login, then the admin role granted as the first admin gets it (make make-admin)."""
    session = login(telegram_id, name)
    set_role(telegram_id, "admin")
    return session


def staff_login(telegram_id: int = 8, name: str = "Sam") -> dict[str, Any]:
    """A login, then the staff role (checks members in at the door), granted like admin's."""
    session = login(telegram_id, name)
    set_role(telegram_id, "staff")
    return session


def ticket(token: str, event_id: str) -> dict[str, Any]:
    return invoke(
        "EventTicketFunction", load_event("event_ticket", TOKEN=token, GOING_EVENT_ID=event_id)
    )


def check_in(
    token: str, event_id: str, ticket_text: str, idempotency_key: str | None = None
) -> dict[str, Any]:
    """A scan sent by a staff scanner: with `idempotency_key` as its Idempotency-Key header,
    none when None."""
    event = load_event(
        "event_checkin", STAFF_TOKEN=token, DOOR_EVENT_ID=event_id, TICKET="placeholder"
    )
    event["body"] = json.dumps({"ticket": ticket_text})
    del event["headers"]["idempotency-key"]
    if idempotency_key is not None:
        event["headers"]["idempotency-key"] = idempotency_key
    return invoke("EventCheckinFunction", event)


def attendees(token: str, event_id: str, query: str = "") -> dict[str, Any]:
    event = load_event("event_attendees", STAFF_TOKEN=token, GOING_EVENT_ID=event_id)
    event["rawQueryString"] = query
    event["queryStringParameters"] = dict(parse_qsl(query, keep_blank_values=True))
    if not query:
        del event["queryStringParameters"]
    return invoke("EventAttendeesFunction", event)


def set_member_role(token: str, referral_code: str, role: object) -> dict[str, Any]:
    """PUT /api/v1/members/{referral_code}/role through its handler; `role` as sent."""
    event = load_event("member_role_update", ADMIN_TOKEN=token, REFERRAL_CODE=referral_code)
    event["body"] = json.dumps({"role": role})
    return invoke("MemberRoleUpdateFunction", event)


def referrals_top(
    token: str, query: str = "", headers: dict[str, str] | None = None
) -> dict[str, Any]:
    event = load_event("referrals_top", TOKEN=token)
    event["rawQueryString"] = query
    event["queryStringParameters"] = dict(parse_qsl(query, keep_blank_values=True))
    if not query:
        del event["queryStringParameters"]
    event["headers"].update(headers or {})
    return invoke("ReferralsTopFunction", event)


def member_roles(token: str, query: str = "") -> dict[str, Any]:
    event = load_event("member_roles", ADMIN_TOKEN=token)
    event["rawQueryString"] = query
    if query:
        event["queryStringParameters"] = dict(parse_qsl(query, keep_blank_values=True))
    return invoke("MemberRolesFunction", event)


def written_members(count: int, first: int, role: str = MEMBER_ROLE) -> list[str]:
    """`count` members written straight to the table (Telegram ids `first`...), for races that
    need many at once: their access tokens, in Telegram id order."""
    now = datetime.now(UTC)
    with User.batch_write() as batch:
        for telegram_id in range(first, first + count):
            batch.save(
                User(
                    f"USER#{telegram_id}",
                    id=str(uuid.uuid4()),
                    telegram_id=telegram_id,
                    name=f"Member {telegram_id}",
                    role=role,
                    referral_code=f"UP-M{telegram_id:05d}",
                    created_at=now,
                    updated_at=now,
                )
            )
    written = users_table.get_many(list(range(first, first + count)))
    return [session_for(written[telegram_id]).token for telegram_id in sorted(written)]
