"""Members (user items) and their referral-code guard items."""

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from community.data import referrals
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
from community.entities import Member
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


def member_from_item(item: User) -> Member:
    return Member(
        id=item.id,
        telegram_id=int(item.telegram_id),
        name=item.name,
        username=item.username,
        photo_url=item.photo_url,
        role=item.role,
        coins=int(item.coins),
        email=item.email,
        referral_code=item.referral_code,
        referred_by=item.referred_by,
        token_version=int(item.token_version),
        created_at=item.created_at,
        updated_at=item.updated_at,
        # Unset on members older than the bot: no permission to write to them.
        allows_write_to_pm=bool(item.allows_write_to_pm),
        logged_in_at=item.logged_in_at,
        # Unset unless the member turned them off or on again: on.
        reminders=item.reminders is not False,
        email_verified=bool(item.email_verified),
        email_nonce=item.email_nonce,
        email_sent_at=item.email_sent_at,
        role_listed=item.role_listing is not None,
        calendar_nonce=item.calendar_nonce,
        calendar_hash=item.calendar_hash,
        referral_count=int(item.referral_count or 0),
    )


def _item(member: Member) -> User:
    return User(
        user_key(member.telegram_id),
        id=member.id,
        telegram_id=member.telegram_id,
        name=member.name,
        username=member.username,
        photo_url=member.photo_url,
        role=member.role,
        coins=member.coins,
        email=member.email,
        referral_code=member.referral_code,
        referred_by=member.referred_by,
        token_version=member.token_version,
        created_at=member.created_at,
        updated_at=member.updated_at,
        allows_write_to_pm=member.allows_write_to_pm,
        logged_in_at=member.logged_in_at,
        # Reminders on is the attribute's absence: only a member's own choice writes it.
        reminders=None if member.reminders else False,
        email_verified=member.email_verified or None,
        email_nonce=member.email_nonce,
        email_sent_at=member.email_sent_at,
    )


def get(telegram_id: int, *, consistent: bool = False) -> Member | None:
    with backend_errors():
        try:
            return member_from_item(User.get(user_key(telegram_id), consistent_read=consistent))
        except User.DoesNotExist:
            return None


def find_by_referral_code(referral_code: str) -> Member | None:
    """One Query on the referral-code index. The index is eventually consistent: a member
    created a moment ago may not be found yet."""
    with backend_errors():
        found = next(iter(User.by_referral_code.query(referral_code, limit=1)), None)
    return None if found is None else member_from_item(found)


@dataclass(frozen=True)
class ProfileRefresh:
    before: Member
    after: Member

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
    before = member_from_item(User.from_raw_data(attributes))
    # The old item with our changes applied equals what DynamoDB now holds (the update was
    # unconditional on those fields), without reading the item a second time.
    after = dataclasses.replace(
        before,
        name=name,
        username=username,
        photo_url=photo_url,
        updated_at=now,
        allows_write_to_pm=allows_write_to_pm,
        logged_in_at=now,
    )
    return ProfileRefresh(before=before, after=after)


def _referrer_pk(referral_code: str) -> str | None:
    """The users-table key of the member a referral code belongs to, from its guard (read
    consistently: a referrer who joined a moment ago counts too); None if no member has it."""
    with backend_errors():
        try:
            return ReferralGuard.get(guard_key(referral_code), consistent_read=True).user_pk
        except ReferralGuard.DoesNotExist:
            return None


def create(member: Member) -> CreateOutcome:
    """Write the member and its referral guard and, when it names a referrer, count the new
    member on the referrer's item and month counter (data/referrals.py), all in one
    transaction: either all of it holds or nothing is written. A member is created once (the
    put is conditional on its key), so however often or concurrently they log in, they are
    counted once."""
    user = _item(member)
    referrer_code = member.referred_by
    referrer_pk = _referrer_pk(referrer_code) if referrer_code else None
    if referrer_code and referrer_pk is None:
        return CreateOutcome.REFERRER_UNKNOWN
    guard = ReferralGuard(guard_key(member.referral_code), user_pk=user.pk)
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            transaction.save(user, condition=User.pk.does_not_exist())
            transaction.save(guard, condition=ReferralGuard.pk.does_not_exist())
            if referrer_code and referrer_pk:
                referrals.credit(transaction, referrer_pk, referrer_code, member.created_at)
    except TransactWriteError as error:
        return _cancellation_outcome(error)
    return CreateOutcome.CREATED


def _cancellation_outcome(error: TransactWriteError) -> CreateOutcome:
    reasons = cancellation_codes(error)
    # PynamoDB sends puts, then updates: [user, guard, referrer?, referrer's month?].
    failed = {index for index, code in enumerate(reasons) if code == ITEM_CONDITION_FAILED}
    if 0 in failed:
        return CreateOutcome.USER_EXISTS
    if 1 in failed:
        return CreateOutcome.REFERRAL_CODE_TAKEN
    if 2 in failed:
        # The guard named a member whose item no longer holds that code.
        return CreateOutcome.REFERRER_UNKNOWN
    if any(code in ("TransactionConflict", "ThrottlingError") for code in reasons):
        return CreateOutcome.CONFLICT
    raise ServiceUnavailable() from error


def set_reminders(telegram_id: int, enabled: bool, now: datetime) -> Member | None:
    """Turn a member's reminders on or off; the member as it is now, or None if unknown."""
    try:
        with backend_errors():
            user = User(user_key(telegram_id))
            # PynamoDB asks for ALL_NEW and loads the answer into `user`: no second read.
            user.update(
                actions=[User.reminders.set(enabled), User.updated_at.set(now)],
                condition=User.pk.exists(),
            )
            return member_from_item(user)
    except UpdateError as error:
        if response_code(error) == CONDITION_FAILED:
            return None
        raise


def get_many(telegram_ids: list[int]) -> dict[int, Member]:
    """The members with these Telegram ids that exist: one BatchGetItem per 100 ids."""
    if not telegram_ids:
        return {}
    with backend_errors():
        found = User.batch_get({user_key(telegram_id) for telegram_id in telegram_ids})
        members = [member_from_item(user) for user in found]
    return {member.telegram_id: member for member in members}
