"""Roles: member, staff (checks members in, reads attendee lists) and admin (everything, and
grants roles). Every change, by an admin through the API or by the operator tool, goes through
`apply`: one transaction changes the role, keeps the count of admins (never below one) and
writes the audit record; the same role again writes nothing.

Role checks read the member's item consistently on every request (http/auth.py), so a change
applies to the tokens the member already holds at once."""

import dataclasses
import random
import time
from datetime import UTC, datetime
from typing import NamedTuple

from community.data import roles as roles_table
from community.data import users as users_table
from community.data.roles import ChangeOutcome
from community.entities import ADMIN_ROLE, MEMBER_ROLE, ROLES, Member, RoleChange
from community.errors import Conflict, Forbidden, InvalidRequest, NotFound, ServiceUnavailable
from community.gateways import credentials
from community.observability import count, logger
from community.schemas.roles import RoleChangeRecord, RolePerson, RolesListing
from community.schemas.users import UserPublic
from community.services.events import check_limit
from community.signed import cursors
from community.values import event_date

# Who `make make-admin` (devkit.ops.admin) is in the audit: an operator with AWS credentials,
# not a member.
OPERATOR_NAME = "make make-admin"
LAST_ADMIN = "the last admin cannot stop being one: make another member admin first"
UNLISTED_ADMIN = (
    "this admin was made before roles were listed: `make make-admin` with their Telegram id "
    "lists them first"
)
MAX_ATTEMPTS = 5
# The listing shows role holders in one answer: a community has a handful of staff, and the
# bound keeps the answer (and the Query) small whatever happens.
MAX_ROLE_HOLDERS = 500
CURSOR_SCOPE = "role-changes"


class Actor(NamedTuple):
    """Who makes a change: an admin (their member) or the operator tool (None)."""

    member: Member | None

    @property
    def telegram_id(self) -> int | None:
        return None if self.member is None else self.member.telegram_id


OPERATOR = Actor(None)


def _record(actor: Actor, member: Member, role: str, now: datetime) -> RoleChange:
    by = actor.member
    return RoleChange(
        id=roles_table.new_change_id(),
        at=now,
        by_id=None if by is None else by.id,
        by_name=OPERATOR_NAME if by is None else by.name,
        by_referral_code=None if by is None else by.referral_code,
        member_id=member.id,
        member_name=member.name,
        member_referral_code=member.referral_code,
        from_role=member.role,
        to_role=role,
    )


def apply(
    member: Member, role: str, actor: Actor, now: datetime | None = None
) -> tuple[Member, bool]:
    """Give `member` (read consistently) `role`: the member as it is now, and whether anything
    was written. Conflict when an admin's change would leave no admin (the operator tool may),
    Forbidden when the admin making it was demoted meanwhile. A staff or admin from before the
    role listing, given their own role again, is listed (and an admin counted): audited as a
    change from that role to itself."""
    if role not in ROLES:
        raise InvalidRequest(f"role must be one of {', '.join(ROLES)}")
    for attempt in range(MAX_ATTEMPTS):
        if member.role == role and (role == MEMBER_ROLE or member.role_listed):
            return member, False
        if (
            actor.member is not None
            and member.role == ADMIN_ROLE
            and not member.role_listed
            and role != ADMIN_ROLE
        ):
            # Not in the count yet: demoting them could leave no admin unseen.
            raise Conflict(UNLISTED_ADMIN)
        moment = (now or datetime.now(UTC)).replace(microsecond=0)
        change = _record(actor, member, role, moment)
        outcome = roles_table.change(
            member, change, actor.telegram_id, keep_an_admin=actor.member is not None
        )
        if outcome is ChangeOutcome.DONE:
            count("RoleChanged")
            # Ids only: names and codes are the audit record's, not the log's.
            logger.info(
                "role changed",
                extra={
                    "member_id": member.id,
                    "by": change.by_id,
                    "from": change.from_role,
                    "to": role,
                },
            )
            after = dataclasses.replace(
                member, role=role, updated_at=moment, role_listed=role != MEMBER_ROLE
            )
            return after, True
        if outcome is ChangeOutcome.LAST_ADMIN:
            count("LastAdminKept")
            raise Conflict(LAST_ADMIN)
        if outcome is ChangeOutcome.NOT_ADMIN:
            raise Forbidden("admin role required")
        time.sleep(random.uniform(0, 0.02 * 2**attempt))
        found = users_table.get(member.telegram_id, consistent=True)
        if found is None:
            raise NotFound("member not found")
        member = found
    raise ServiceUnavailable()


def _person(id_: str | None, name: str, referral_code: str | None) -> RolePerson:
    return RolePerson(id=id_, name=name, referral_code=referral_code)


def _shown(change: RoleChange) -> RoleChangeRecord:
    return RoleChangeRecord(
        id=change.id,
        at=change.at,
        by=_person(change.by_id, change.by_name, change.by_referral_code),
        member=_person(change.member_id, change.member_name, change.member_referral_code),
        from_role=change.from_role,
        to_role=change.to_role,
    )


def listing(limit: int, cursor: str | None = None) -> RolesListing:
    """Every member whose role is not member (one Query of the sparse index), and `limit` audit
    records, newest first, after the signed `cursor` (one Query, limit + 1 telling whether
    there is more)."""
    check_limit(limit)
    key = cursors.cursor_key(credentials.jwt_secret(), CURSOR_SCOPE)
    before = None
    if cursor is not None:
        position = cursors.decode(cursor, key)
        before = (position.start_date, position.event_id)
    found = roles_table.changes(limit + 1, before)
    page = found[:limit]
    has_more = len(found) > limit
    next_cursor = None
    if has_more:
        last = page[-1]
        next_cursor = cursors.encode(cursors.Position(event_date(last.at), last.id), key)
    holders = roles_table.holders(MAX_ROLE_HOLDERS)
    return RolesListing(
        members=[UserPublic.model_validate(member) for member in holders],
        audit=[_shown(change) for change in page],
        next_cursor=next_cursor,
        has_more=has_more,
    )
