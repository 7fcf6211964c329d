"""Fresh values for events_fixtures placeholders, made through the real services against the
configured DynamoDB (DYNAMODB_ENDPOINT_URL or moto in-process): one producer per name."""

import os
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from devkit.functions.fixtures import PLACEHOLDER, fixture_path
from devkit.local.initdata import signed_init_data

TELEGRAM_ID = 42
# A second member, made admin as the first admin is (services.users.set_role, make make-admin).
ADMIN_TELEGRAM_ID = 7
# A third, made staff (checks members in at the door) the same way.
STAFF_TELEGRAM_ID = 8


def _init_data(telegram_id: int = TELEGRAM_ID, name: str = "Alice") -> str:
    return signed_init_data(os.environ["TELEGRAM_BOT_TOKEN"], telegram_id, name)


def _login_code(telegram_id: int = TELEGRAM_ID, name: str = "Alice") -> str:
    from community.services.auth import issue_login_code

    return issue_login_code(_init_data(telegram_id, name)).code


def _session() -> dict[str, str]:
    from community.services.auth import redeem_login_code

    session = redeem_login_code(_login_code(), TELEGRAM_ID)
    return {"TOKEN": session.token, "REFERRAL_CODE": session.user.referral_code}


def _admin_token() -> str:
    from community.services.auth import redeem_login_code
    from community.services.users import set_role

    session = redeem_login_code(_login_code(ADMIN_TELEGRAM_ID, "Ada"), ADMIN_TELEGRAM_ID)
    set_role(ADMIN_TELEGRAM_ID, "admin")
    return session.token


def _staff_token() -> str:
    from community.services.auth import redeem_login_code
    from community.services.users import set_role

    session = redeem_login_code(_login_code(STAFF_TELEGRAM_ID, "Sam"), STAFF_TELEGRAM_ID)
    set_role(STAFF_TELEGRAM_ID, "staff")
    return session.token


def _email_token() -> str:
    """A verification link's token for an address of member 42, stored pending as PATCH
    /api/users/me stores it (services.email), without the mail and its resend interval: the
    fixture needs the token, and a run may produce several."""
    import secrets

    from community.data import email_addresses
    from community.services.auth import redeem_login_code
    from community.services.email import link_token

    user_id = redeem_login_code(_login_code(), TELEGRAM_ID).user.id
    now, nonce = datetime.now(UTC), secrets.token_urlsafe(16)
    # A new address each time: one that earlier runs verified would not be pending again.
    address = f"alice+{uuid.uuid4().hex[:8]}@example.com"
    stored = email_addresses.start_verification(
        TELEGRAM_ID, user_id, address, nonce, now, last_sent_before=now + timedelta(days=1)
    )
    assert stored, "member 42 was not found"
    return link_token(user_id, TELEGRAM_ID, address, nonce, now)


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


def _event_id() -> str:
    from community.services import seeding

    record = event_record(datetime.now(UTC) + timedelta(days=7))
    seeding.load(seeding.validate_records([record]))
    return str(record["id"])


def _full_event_id() -> str:
    """An upcoming event whose one spot another member (the admin's id) has taken: what a
    waitlist join needs (an event with room answers 409, RSVP instead)."""
    from community.services import attendance, seeding
    from community.services.auth import authenticate, redeem_login_code

    record = event_record(datetime.now(UTC) + timedelta(days=7), capacity=1)
    seeding.load(seeding.validate_records([record]))
    session = redeem_login_code(_login_code(ADMIN_TELEGRAM_ID, "Ada"), ADMIN_TELEGRAM_ID)
    attendance.rsvp(authenticate(session.token), str(record["id"]))
    return str(record["id"])


def _going_event_id() -> str:
    """An event starting in half an hour (its check-in open) that member 42 is going to."""
    from community.services import attendance, seeding
    from community.services.auth import authenticate, redeem_login_code

    record = event_record(datetime.now(UTC) + timedelta(minutes=30))
    seeding.load(seeding.validate_records([record]))
    session = redeem_login_code(_login_code(), TELEGRAM_ID)
    attendance.rsvp(authenticate(session.token), str(record["id"]))
    return str(record["id"])


def _door() -> dict[str, str]:
    """A fresh going event (as above) and member 42's ticket to it: a check-in's pair."""
    from community.services import door
    from community.services.auth import authenticate, redeem_login_code

    event_id = _going_event_id()
    member = authenticate(redeem_login_code(_login_code(), TELEGRAM_ID).token)
    return {"DOOR_EVENT_ID": event_id, "TICKET": door.ticket(member, event_id).ticket}


PRODUCERS: dict[str, Callable[[], str]] = {
    "INIT_DATA": _init_data,
    "LOGIN_CODE": _login_code,
    "TELEGRAM_ID": lambda: str(TELEGRAM_ID),
    "TOKEN": lambda: _session()["TOKEN"],
    "REFERRAL_CODE": lambda: _session()["REFERRAL_CODE"],
    "EVENT_ID": _event_id,
    "FULL_EVENT_ID": _full_event_id,
    "ADMIN_TOKEN": _admin_token,
    # The webhook's: the configured secret, and an update id no earlier run has used.
    "WEBHOOK_SECRET": lambda: os.environ["TELEGRAM_WEBHOOK_SECRET"],
    "UPDATE_ID": lambda: str(uuid.uuid4().int % 2**31),
    "EMAIL_TOKEN": _email_token,
    "STAFF_TOKEN": _staff_token,
    "GOING_EVENT_ID": _going_event_id,
}
# Placeholders that only mean something together (a ticket and its event): one call makes
# all of a group's values.
JOINT_PRODUCERS: dict[frozenset[str], Callable[[], dict[str, str]]] = {
    frozenset({"DOOR_EVENT_ID", "TICKET"}): _door,
}


def placeholders_of(fixture: str) -> set[str]:
    return set(PLACEHOLDER.findall(fixture_path(fixture).read_text()))


def values_of(names: set[str]) -> dict[str, str]:
    """A fresh value for each placeholder name; an unknown one is an error."""
    joint = set().union(*JOINT_PRODUCERS)
    unknown = names - PRODUCERS.keys() - joint
    if unknown:
        raise KeyError(
            f"no producer for {sorted(unknown)}: add one to devkit.functions.placeholders"
        )
    values: dict[str, str] = {}
    for group, produce in JOINT_PRODUCERS.items():
        if group & names:
            values.update({name: value for name, value in produce().items() if name in names})
    # LOGIN_CODE last: a login made for TOKEN must not come between issuing and using it.
    for name in sorted(names - joint, key=lambda n: n == "LOGIN_CODE"):
        values[name] = PRODUCERS[name]()
    return values


def values_for(fixture: str) -> dict[str, str]:
    """Every placeholder of `fixture`, freshly produced."""
    return values_of(placeholders_of(fixture))


def fixture_for(code_uri: str) -> str:
    return re.sub(r"/+$", "", code_uri).rsplit("/", 1)[-1]
