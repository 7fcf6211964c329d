"""Items the reminder tests (Telegram and email) start from: an event, members as a login
leaves them, and their RSVPs, written straight to the tables."""

import uuid
from datetime import UTC, datetime
from typing import Any

from community.data import users as users_table
from community.data.models import Attendance, Event, User
from community.entities import MEMBER_ROLE
from devkit.functions.placeholders import event_record
from support.flows import add_events


def new_event(start: datetime, **fields: Any) -> Event:
    (event_id,) = add_events([event_record(start, **fields)])
    return Event.get(event_id)


def member_item(telegram_id: int, name: str, now: datetime, **attributes: Any) -> User:
    """A member as a login leaves it (not saved); `attributes` add or replace fields."""
    fields: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "telegram_id": telegram_id,
        "name": name,
        "role": MEMBER_ROLE,
        "coins": 0,
        "referral_code": f"UP-{telegram_id % 36**6:06d}"[-9:],
        "token_version": 0,
        "created_at": now,
        "updated_at": now,
        "allows_write_to_pm": True,
        "logged_in_at": now,
    }
    return User(users_table.user_key(telegram_id), **{**fields, **attributes})


def attend(event: Event, people: list[User]) -> None:
    with Attendance.batch_write() as batch:
        for user in people:
            batch.save(
                Attendance(
                    event.id,
                    user.id,
                    start_date=event.start_date,
                    created_at=datetime.now(UTC),
                    telegram_id=int(user.telegram_id),
                )
            )
