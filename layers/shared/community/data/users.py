"""Users and their referral-code guard items."""

import copy
import enum
from dataclasses import dataclass
from datetime import datetime

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from community.data.backend import (
    CONDITION_FAILED,
    ITEM_CONDITION_FAILED,
    backend_errors,
    cancellation_codes,
    response_code,
)
from community.data.models import (
    REFERRAL_GUARD_PREFIX,
    USER_PREFIX,
    ReferralGuard,
    User,
    connection,
)
from community.errors import ServiceUnavailable


class CreateOutcome(enum.Enum):
    CREATED = "created"
    USER_EXISTS = "user_exists"
    REFERRAL_CODE_TAKEN = "referral_code_taken"
    REFERRER_UNKNOWN = "referrer_unknown"
    CONFLICT = "conflict"


def user_key(telegram_id: int) -> str:
    return f"{USER_PREFIX}{telegram_id}"


def guard_key(referral_code: str) -> str:
    return f"{REFERRAL_GUARD_PREFIX}{referral_code}"


def get(telegram_id: int, *, consistent: bool = False) -> User | None:
    with backend_errors():
        try:
            return User.get(user_key(telegram_id), consistent_read=consistent)
        except User.DoesNotExist:
            return None


def find_by_referral_code(referral_code: str) -> User | None:
    """One Query on the referral-code index. The index is eventually consistent: a member
    created a moment ago may not be found yet."""
    with backend_errors():
        return next(iter(User.by_referral_code.query(referral_code, limit=1)), None)


@dataclass(frozen=True)
class ProfileRefresh:
    before: User
    after: User

    @property
    def public_fields_changed(self) -> bool:
        return (self.before.name, self.before.photo_url) != (self.after.name, self.after.photo_url)


def refresh_profile(
    telegram_id: int,
    name: str,
    username: str | None,
    photo_url: str | None,
    now: datetime,
    *,
    allows_write_to_pm: bool = False,
) -> ProfileRefresh | None:
    """Update an existing user's Telegram fields with one UpdateItem returning the item as it
    was (ALL_OLD), so the caller sees both versions; None when the user does not exist yet."""
    actions: list[Action] = [
        User.name.set(name),
        User.username.set(username) if username else User.username.remove(),
        User.photo_url.set(photo_url) if photo_url else User.photo_url.remove(),
        User.updated_at.set(now),
        # A login also ends a block the reminder sweep recorded before it (see reminders).
        User.allows_write_to_pm.set(allows_write_to_pm),
        User.logged_in_at.set(now),
    ]
    with backend_errors():
        try:
            response = User._get_connection().update_item(
                user_key(telegram_id),
                actions=actions,
                condition=User.pk.exists(),
                return_values=ALL_OLD,
            )
        except UpdateError as error:
            if response_code(error) == CONDITION_FAILED:
                return None
            raise
    attributes = response.get("Attributes")
    if not attributes:
        # DynamoDB always returns the old item when `pk exists` held; moto in-process, racing
        # its own whole-table transaction rollback, sometimes does not. Treat it as "not yet
        # there": the caller's next round re-reads or creates.
        return None
    before = User.from_raw_data(attributes)
    # A copy with our four changes applied equals what DynamoDB now holds (the update was
    # unconditional on those fields), without deserialising the item a second time.
    after = copy.copy(before)
    after.attribute_values = dict(before.attribute_values)
    after.name, after.username, after.photo_url, after.updated_at = name, username, photo_url, now
    after.allows_write_to_pm, after.logged_in_at = allows_write_to_pm, now
    return ProfileRefresh(before=before, after=after)


def create(user: User, referrer_code: str | None) -> CreateOutcome:
    """Write the user, its referral guard and (when given) a check that the referrer's guard
    exists, all in one transaction: either all of it holds or nothing is written."""
    guard = ReferralGuard(guard_key(user.referral_code), user_pk=user.pk)
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            transaction.save(user, condition=User.pk.does_not_exist())
            transaction.save(guard, condition=ReferralGuard.pk.does_not_exist())
            if referrer_code:
                transaction.condition_check(
                    ReferralGuard, guard_key(referrer_code), condition=ReferralGuard.pk.exists()
                )
    except TransactWriteError as error:
        return _cancellation_outcome(error, has_referrer=referrer_code is not None)
    return CreateOutcome.CREATED


def _cancellation_outcome(error: TransactWriteError, *, has_referrer: bool) -> CreateOutcome:
    reasons = cancellation_codes(error)
    # PynamoDB sends condition checks first, then puts: [referrer check?, user, guard].
    referrer_index = 0 if has_referrer else None
    user_index = 1 if has_referrer else 0
    failed = {index for index, code in enumerate(reasons) if code == ITEM_CONDITION_FAILED}
    if user_index in failed:
        return CreateOutcome.USER_EXISTS
    if user_index + 1 in failed:
        return CreateOutcome.REFERRAL_CODE_TAKEN
    if referrer_index in failed:
        return CreateOutcome.REFERRER_UNKNOWN
    if any(code in ("TransactionConflict", "ThrottlingError") for code in reasons):
        return CreateOutcome.CONFLICT
    raise ServiceUnavailable() from error


def set_role(telegram_id: int, role: str, now: datetime) -> bool:
    """Give an existing member a role; False when there is no such member."""
    try:
        with backend_errors():
            User(user_key(telegram_id)).update(
                actions=[User.role.set(role), User.updated_at.set(now)],
                condition=User.pk.exists(),
            )
    except UpdateError as error:
        if response_code(error) == CONDITION_FAILED:
            return False
        raise
    return True


def set_reminders(telegram_id: int, enabled: bool, now: datetime) -> User | None:
    """Turn a member's reminders on or off; the member as it is now, or None if unknown."""
    try:
        with backend_errors():
            user = User(user_key(telegram_id))
            user.update(
                actions=[User.reminders.set(enabled), User.updated_at.set(now)],
                condition=User.pk.exists(),
            )
            return user
    except UpdateError as error:
        if response_code(error) == CONDITION_FAILED:
            return None
        raise


def get_many(telegram_ids: list[int]) -> dict[int, User]:
    """The members with these Telegram ids that exist: one BatchGetItem per 100 ids."""
    if not telegram_ids:
        return {}
    with backend_errors():
        found = User.batch_get({user_key(telegram_id) for telegram_id in telegram_ids})
        return {int(user.telegram_id): user for user in found}
