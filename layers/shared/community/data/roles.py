"""Roles: a member's role, the count of admins and the audit record of the change, always
written together in one transaction, and the sparse by_role_listing index that lists role
holders and audit records without a Scan.

The last admin: COUNT#ADMINS counts the members whose role is admin. Making an admin adds 1;
unmaking one adds -1 on the condition that the count is above 1, evaluated by DynamoDB on the
item as it is at commit. Two admins demoting each other at the same moment both name that item,
so DynamoDB serializes them: the second sees the count the first left (and its own admin's
role already gone), and is refused. A read-then-write check could let both through."""

import enum
import os
import time
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from community import entities
from community.data.backend import ITEM_CONDITION_FAILED, backend_errors, cancellation_codes
from community.data.models import (
    ADMIN_COUNT_KEY,
    ROLE_CHANGE_PREFIX,
    ROLE_CHANGES_LISTING,
    ROLE_HOLDERS_LISTING,
    AdminCount,
    RoleChange,
    User,
    connection,
    date_key,
)
from community.data.users import member_from_item, user_key
from community.entities import ADMIN_ROLE, MEMBER_ROLE, Member

# Crockford's base32, as ULIDs spell it.
_ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class ChangeOutcome(enum.Enum):
    DONE = "done"
    # The change would leave no admin: COUNT#ADMINS was not above 1.
    LAST_ADMIN = "last_admin"
    # The admin making the change is no longer one (demoted since their request was read).
    NOT_ADMIN = "not_admin"
    # The member's role changed since it was read, or another transaction raced this one:
    # read the member again and retry.
    RETRY = "retry"


RACED = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


def new_change_id(now_ms: int | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, 26 characters of base32 whose
    lexical order is their time order (to the millisecond)."""
    moment = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    value = (moment << 80) | int.from_bytes(os.urandom(10))
    return "".join(_ULID_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))


def holder_sort_key(role: str, member_id: str) -> str:
    # Admins before staff (alphabetical), then in the stable order of the members' ids.
    return f"{role}#{member_id}"


def change_sort_key(at: datetime, change_id: str) -> str:
    return f"{date_key(at)}#{change_id}"


def _role_is(role: str, *, listed: bool) -> Any:
    """The member's role is still `role`, and still (or still not) in the listing: the admin
    count's arithmetic below depends on both."""
    condition = User.role == role
    if role == MEMBER_ROLE:
        # A member item written without a role (none is: the model's default writes one) is a
        # member too.
        condition = condition | User.role.does_not_exist()
    in_listing = User.role_listing.exists() if listed else User.role_listing.does_not_exist()
    return User.pk.exists() & condition & in_listing


def admin_delta(member: Member, to_role: str) -> int:
    """How the change moves the count of admins: the count holds the listed admins, so a
    listed admin leaving takes one off and an admin after the change (listed by it) adds one.
    An admin from before the listing being listed (`make make-admin` naming them again) is
    +1; the same admin demoted unlisted would be 0 (the service refuses that in the app)."""
    leaving = 1 if member.role == ADMIN_ROLE and member.role_listed else 0
    return (1 if to_role == ADMIN_ROLE else 0) - leaving


def _record(change: entities.RoleChange) -> RoleChange:
    return RoleChange(
        ROLE_CHANGE_PREFIX + change.id,
        role_listing=ROLE_CHANGES_LISTING,
        role_sort=change_sort_key(change.at, change.id),
        at=change.at,
        by_id=change.by_id,
        by_name=change.by_name,
        by_referral_code=change.by_referral_code,
        member_id=change.member_id,
        member_name=change.member_name,
        member_referral_code=change.member_referral_code,
        from_role=change.from_role,
        to_role=change.to_role,
    )


def _change(item: RoleChange) -> entities.RoleChange:
    return entities.RoleChange(
        id=item.pk.removeprefix(ROLE_CHANGE_PREFIX),
        at=item.at,
        by_id=item.by_id,
        by_name=item.by_name,
        by_referral_code=item.by_referral_code,
        member_id=item.member_id,
        member_name=item.member_name,
        member_referral_code=item.member_referral_code,
        from_role=item.from_role,
        to_role=item.to_role,
    )


def change(
    member: Member,
    change: entities.RoleChange,
    actor_telegram_id: int | None,
    *,
    keep_an_admin: bool = True,
) -> ChangeOutcome:
    """Move `member` (as read) from `change.from_role` to `change.to_role`, in the listing,
    with the admin count and the audit record, in one transaction. `actor_telegram_id`: the
    admin making the change, who must still be one at commit (None: the operator tool).
    `keep_an_admin`: a listed admin's demotion needs the count above 1 (the operator tool may
    remove the last admin: it is how one starts over)."""
    target = User(user_key(member.telegram_id))
    actions: list[Action] = [User.role.set(change.to_role), User.updated_at.set(change.at)]
    if change.to_role == MEMBER_ROLE:
        actions += [User.role_listing.remove(), User.role_sort.remove()]
    else:
        actions += [
            User.role_listing.set(ROLE_HOLDERS_LISTING),
            User.role_sort.set(holder_sort_key(change.to_role, member.id)),
        ]
    delta = admin_delta(member, change.to_role)
    checks_actor = actor_telegram_id is not None and actor_telegram_id != member.telegram_id
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            # PynamoDB sends condition checks, then puts, then updates: the order of the
            # cancellation reasons read below.
            if checks_actor:
                transaction.condition_check(
                    User, user_key(actor_telegram_id or 0), condition=User.role == ADMIN_ROLE
                )
            transaction.save(_record(change), condition=RoleChange.pk.does_not_exist())
            transaction.update(
                target,
                actions=actions,
                condition=_role_is(change.from_role, listed=member.role_listed),
            )
            if delta:
                transaction.update(
                    AdminCount(ADMIN_COUNT_KEY),
                    actions=[AdminCount.admins.add(delta)],
                    condition=AdminCount.admins > 1 if delta < 0 and keep_an_admin else None,
                )
    except TransactWriteError as error:
        return _cancelled(cancellation_codes(error), checks_actor=checks_actor)
    return ChangeOutcome.DONE


def _cancelled(codes: list[str | None], *, checks_actor: bool) -> ChangeOutcome:
    first = 1 if checks_actor else 0
    failed = {index for index, code in enumerate(codes) if code == ITEM_CONDITION_FAILED}
    if checks_actor and 0 in failed:
        return ChangeOutcome.NOT_ADMIN
    # The audit record's id is new (a collision would be a fresh try's business) and the
    # member's role moved on: either way, read again and decide again.
    if first in failed or first + 1 in failed:
        return ChangeOutcome.RETRY
    if first + 2 in failed:
        return ChangeOutcome.LAST_ADMIN
    if any(code in RACED for code in codes):
        return ChangeOutcome.RETRY
    raise RuntimeError(f"role change cancelled for no reason this module knows: {codes}")


def admin_count() -> int:
    """The stored count of admins (0 before the first admin was made)."""
    with backend_errors():
        try:
            return int(AdminCount.get(ADMIN_COUNT_KEY, consistent_read=True).admins)
        except AdminCount.DoesNotExist:
            return 0


def holders(limit: int) -> list[Member]:
    """Up to `limit` members whose role is not member, admins first: one Query (and as many
    pages of it as 1 MB each needs) of the sparse index's ROLES partition."""
    with backend_errors():
        return [
            member_from_item(item)
            for item in User.by_role_listing.query(ROLE_HOLDERS_LISTING, limit=limit)
        ]


def changes(count: int, before: tuple[str, str] | None) -> list[entities.RoleChange]:
    """Up to `count` audit records, newest first, older than the position `before` (the date
    key and id of the last record a page showed): one Query. The start key is rebuilt from
    those two values, so the read stays in the audit partition whatever a cursor held."""
    start_key = None
    if before is not None:
        at, change_id = before
        start_key = {
            "role_listing": {"S": ROLE_CHANGES_LISTING},
            "role_sort": {"S": f"{at}#{change_id}"},
            "pk": {"S": ROLE_CHANGE_PREFIX + change_id},
        }
    with backend_errors():
        found = RoleChange.by_role_listing.query(
            ROLE_CHANGES_LISTING,
            scan_index_forward=False,
            limit=count,
            last_evaluated_key=start_key,
        )
        return [_change(item) for item in found]
