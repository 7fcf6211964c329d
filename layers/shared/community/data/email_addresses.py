"""A member's email address and its verification, kept on the member's item (users table):
`email`, `email_verified`, `email_nonce` (the one verification link still good, until it is
used or the address changes), `email_sent_at` (when the last link went out). Each change is
one conditional UpdateItem, so concurrent requests cannot un-verify an address, reuse a link
or send links faster than the resend interval. Plain values in and out."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from community.data import users
from community.data.backend import CONDITION_FAILED, backend_errors, response_code
from community.data.models import USER_PREFIX, User
from community.entities import Member


@dataclass(frozen=True)
class EmailState:
    address: str | None = None
    verified: bool = False
    nonce: str | None = None
    sent_at: datetime | None = None


def state_of(member: Member) -> EmailState:
    """The email fields of a member already read (the bearer token's member)."""
    return EmailState(
        address=member.email,
        verified=member.email_verified,
        nonce=member.email_nonce,
        sent_at=member.email_sent_at,
    )


def read(telegram_id: int, user_id: str) -> EmailState | None:
    """The member's email fields from a strongly consistent read; None when there is no such
    member (or the id differs: the Telegram account now belongs to another member)."""
    member = users.get(telegram_id, consistent=True)
    if member is None or member.id != user_id:
        return None
    return state_of(member)


def _update(telegram_id: int, actions: Sequence[Action], condition: Condition) -> bool:
    """One conditional UpdateItem; False when its condition failed."""
    try:
        with backend_errors():
            User._get_connection().update_item(
                f"{USER_PREFIX}{telegram_id}", actions=actions, condition=condition
            )
    except UpdateError as error:
        if response_code(error) == CONDITION_FAILED:
            return False
        raise
    return True


def start_verification(
    telegram_id: int,
    user_id: str,
    address: str,
    nonce: str,
    now: datetime,
    *,
    last_sent_before: datetime,
) -> bool:
    """Store `address` unverified, with `nonce` the one link that may verify it, and `now` as
    the time a link was sent. Refused (False) when the member's last link went out at or after
    `last_sent_before` (the resend interval), or when `address` is already their verified
    address (a stale request must not un-verify it)."""
    condition = (
        (User.id == user_id)
        & (User.email_sent_at.does_not_exist() | (User.email_sent_at < last_sent_before))
        & (
            User.email.does_not_exist()
            | (User.email != address)
            | User.email_verified.does_not_exist()
            | (User.email_verified == False)  # noqa: E712 - a DynamoDB condition, not a bool
        )
    )
    actions = [
        User.email.set(address),
        User.email_verified.set(False),
        User.email_nonce.set(nonce),
        User.email_sent_at.set(now),
        User.email_verified_at.remove(),
        User.updated_at.set(now),
    ]
    return _update(telegram_id, actions, condition)


def release_send(
    telegram_id: int, nonce: str, sent_at: datetime, previous: datetime | None
) -> None:
    """Undo the send time `start_verification` recorded, when that link could not be sent, so
    the member may ask again at once; nothing if anything changed since."""
    action = (
        User.email_sent_at.set(previous) if previous is not None else User.email_sent_at.remove()
    )
    _update(telegram_id, [action], (User.email_nonce == nonce) & (User.email_sent_at == sent_at))


def remove(telegram_id: int, user_id: str, now: datetime) -> bool:
    """Forget the member's address (and any link out for it). `email_sent_at` stays: removing
    and adding an address again must not get around the resend interval."""
    actions = [
        User.email.remove(),
        User.email_verified.remove(),
        User.email_nonce.remove(),
        User.email_verified_at.remove(),
        User.updated_at.set(now),
    ]
    return _update(telegram_id, actions, User.id == user_id)


def confirm(telegram_id: int, user_id: str, address: str, nonce: str, now: datetime) -> bool:
    """Mark `address` verified and use up its link, if that link is still the member's one
    good link for that very address; False otherwise (used, replaced, removed), nothing
    written."""
    condition = (User.id == user_id) & (User.email == address) & (User.email_nonce == nonce)
    actions = [
        User.email_verified.set(True),
        User.email_verified_at.set(now),
        User.email_nonce.remove(),
        User.updated_at.set(now),
    ]
    return _update(telegram_id, actions, condition)
