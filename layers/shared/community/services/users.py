"""Members: first login, profile refresh, referral codes, roles."""

import random
import secrets
import string
import time
import uuid
from datetime import UTC, datetime

from community import applinks
from community.data import users as users_table
from community.data.users import CreateOutcome
from community.entities import MEMBER_ROLE, Member
from community.errors import NotFound, ServiceUnavailable
from community.gateways import cdn
from community.observability import count, logger
from community.schemas.roles import RoleGranted
from community.schemas.users import (
    PrivateProfile,
    PublicProfile,
    UserPrivate,
    UserPublic,
    UserUpdate,
)
from community.services import roles
from community.telegram import TelegramUser
from community.values import normalise_referral_code

REFERRAL_PREFIX = "UP-"
REFERRAL_ALPHABET = string.ascii_uppercase + string.digits
# 36^6 codes: even with a million members a fresh code collides with odds of 1 in 2,000,
# so a handful of attempts is plenty; running out means something else is wrong.
MAX_CREATE_ATTEMPTS = 8
MAX_LOGIN_ROUNDS = 3


def new_referral_code() -> str:
    return REFERRAL_PREFIX + "".join(secrets.choice(REFERRAL_ALPHABET) for _ in range(6))


def profile_paths(referral_code: str) -> list[str]:
    """Every cached URL showing this member's public profile: both cache keys are the path
    alone, and a shared link may have been opened in lower case."""
    codes = dict.fromkeys([referral_code, referral_code.lower()])
    return [f"{prefix}/{code}" for code in codes for prefix in ("/u", "/api/users/u")]


def public_profile(raw_referral_code: str) -> PublicProfile:
    """The member a shared referral code belongs to, in any letter case."""
    referral_code = normalise_referral_code(raw_referral_code)
    member = users_table.find_by_referral_code(referral_code) if referral_code else None
    if member is None:
        raise NotFound("no member has this referral code")
    return PublicProfile(user=UserPublic.model_validate(member))


def private_profile(member: Member) -> PrivateProfile:
    return PrivateProfile(user=UserPrivate.model_validate(member))


def login(profile: TelegramUser, now: datetime | None = None) -> Member:
    """The member behind a verified Telegram profile: refreshed from Telegram if known,
    created (with a unique referral code) if not."""
    for _ in range(MAX_LOGIN_ROUNDS):
        moment = now or datetime.now(UTC)
        refreshed = users_table.refresh_profile(
            profile.telegram_id,
            profile.name,
            profile.username,
            profile.photo_url,
            moment,
            allows_write_to_pm=profile.allows_write_to_pm,
        )
        if refreshed is not None:
            if refreshed.public_fields_changed:
                cdn.invalidate(profile_paths(refreshed.after.referral_code))
            return refreshed.after
        member = _create(profile, moment)
        if member is not None:
            return member
        # Another request created this member between our two calls: refresh theirs.
    raise ServiceUnavailable()


def _create(profile: TelegramUser, now: datetime) -> Member | None:
    # A bare code (a shared profile link) or the `r` of an event link (a shared event card).
    referrer = applinks.referral_of(profile.start_param)
    for attempt in range(MAX_CREATE_ATTEMPTS):
        code = new_referral_code()
        member = Member(
            id=str(uuid.uuid4()),
            telegram_id=profile.telegram_id,
            name=profile.name,
            username=profile.username,
            photo_url=profile.photo_url,
            role=MEMBER_ROLE,
            coins=0,
            email=None,
            referral_code=code,
            # A member can never refer themselves, even if their new code matches start_param.
            referred_by=referrer if referrer != code else None,
            token_version=0,
            created_at=now,
            updated_at=now,
            allows_write_to_pm=profile.allows_write_to_pm,
            logged_in_at=now,
            reminders=True,
        )
        outcome = users_table.create(member)
        if outcome is CreateOutcome.CREATED:
            count("UserCreated")
            return member
        if outcome is CreateOutcome.USER_EXISTS:
            return None
        if outcome is CreateOutcome.REFERRER_UNKNOWN:
            referrer = None
        elif outcome is CreateOutcome.REFERRAL_CODE_TAKEN:
            count("ReferralCodeCollision")
        else:
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        logger.info("user creation retried", extra={"outcome": outcome.value})
    raise ServiceUnavailable()


def set_role(telegram_id: int, role: str, now: datetime | None = None) -> bool:
    """`make make-admin` (devkit.ops.admin): give the member with this Telegram id `role`, as
    the operator tool, through the same transaction as an admin's change in the app (the count
    of admins, the audit record: services/roles.py). True if the role changed. Their tokens
    stay valid: every staff and admin route reads the role from the user item."""
    member = users_table.get(telegram_id, consistent=True)
    if member is None:
        raise NotFound(f"no member with Telegram id {telegram_id}: they must log in once first")
    return _changed_role(member, role, roles.OPERATOR, now)[1]


def grant_role(
    admin: Member, raw_referral_code: str, role: str, now: datetime | None = None
) -> RoleGranted:
    """PUT /api/v1/members/{referral_code}/role: an admin gives the member behind a referral
    code (any letter case) `role`. The same role again changes nothing and writes no audit."""
    referral_code = normalise_referral_code(raw_referral_code)
    found = users_table.find_by_referral_code(referral_code) if referral_code else None
    # The index is eventually consistent: the role decided on is read from the item itself.
    member = None if found is None else users_table.get(found.telegram_id, consistent=True)
    if member is None:
        raise NotFound("no member has this referral code")
    after, changed = _changed_role(member, role, roles.Actor(admin), now)
    return RoleGranted(user=UserPublic.model_validate(after), changed=changed)


def _changed_role(
    member: Member, role: str, actor: roles.Actor, now: datetime | None
) -> tuple[Member, bool]:
    after, changed = roles.apply(member, role, actor, now)
    if changed:
        # The public profile shows the role: its cached copies must not show the old one.
        cdn.invalidate(profile_paths(after.referral_code))
    return after, changed


def update_me(member: Member, changes: UserUpdate, now: datetime | None = None) -> PrivateProfile:
    """Apply a member's own changes; nothing sent, nothing written."""
    if changes.reminders is None:
        return private_profile(member)
    updated = users_table.set_reminders(
        member.telegram_id, changes.reminders, now or datetime.now(UTC)
    )
    if updated is None:
        raise NotFound("member not found")
    logger.info("reminders changed", extra={"reminders": changes.reminders})
    return private_profile(updated)
