"""What the data layer reads and writes: plain frozen values with Python types (int, str,
datetime, Decimal), never a PynamoDB item. Services decide on these, schemas show them
(`from_attributes`), and the data layer maps them to and from its items.

Here rather than in `community.data` so that services, schemas and the HTTP layer can name
them without importing the data package; dataclasses rather than pydantic models because they
are built on every read (a slotted dataclass costs a fraction of a validated model) and hold
only what the data layer already checked on the way in."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from community.telegram import TelegramUser

MEMBER_ROLE = "member"
# An attendance's status: a spot taken, or a place on the waitlist.
GOING = "going"
WAITING = "waiting"
# Cancelled or left the waitlist: the row stays (with `left_at`) so a member's calendar feed
# can tell their calendar the event is off for them; every other reader skips it.
LEFT = "left"
# May check members in at the door and read attendee lists (community.http.auth.staff_member).
STAFF_ROLE = "staff"
# Everything staff may, and grants roles: `make make-admin` (devkit.ops.admin) for the first one,
# PUT /api/v1/members/{referral_code}/role by another admin after that.
ADMIN_ROLE = "admin"
ROLES = (MEMBER_ROLE, STAFF_ROLE, ADMIN_ROLE)


@dataclass(frozen=True, slots=True)
class Member:
    """A member of the community, found by Telegram id (their table key) or referral code."""

    id: str
    telegram_id: int
    name: str
    username: str | None
    photo_url: str | None
    role: str
    coins: int
    email: str | None
    referral_code: str
    referred_by: str | None
    token_version: int
    created_at: datetime
    updated_at: datetime
    # From the last login's initData: whether the bot may message this member first.
    allows_write_to_pm: bool
    # When the member last logged in (None for members older than the bot): a block the bot
    # saw before it no longer holds.
    logged_in_at: datetime | None
    # Event reminders from the bot: on unless the member turned them off.
    reminders: bool
    # The address's verification (services/email.py): confirmed through its link; the nonce of
    # the one link still good; when the last link went out. A new member has none of them.
    email_verified: bool = False
    email_nonce: str | None = None
    email_sent_at: datetime | None = None
    # Whether the member is in the role listing (data/roles.py), as every role holder since
    # roles were granted in the app is; a staff or admin from before that is not, and is
    # neither listed nor counted among the admins until `make make-admin` names them again.
    role_listed: bool = False
    # The calendar feed (services/calendar_feed.py): the nonce its token is derived from and
    # the token's SHA-256; None until the member first asks for the feed's address.
    calendar_nonce: str | None = None
    calendar_hash: str | None = None
    # The members who joined through this member's referral code (data/referrals.py).
    referral_count: int = 0


@dataclass(frozen=True, slots=True)
class Event:
    """An event. Dates are aware UTC datetimes, whole seconds (schemas.EventDate)."""

    id: str
    title: str
    description: str
    start_date: datetime
    end_date: datetime
    location: str
    price: Decimal
    # ISO 4217 (values.CURRENCIES); an event stored without one reads as DEFAULT_CURRENCY.
    currency: str
    capacity: int | None
    image_url: str | None
    # An EventCategory value, or None.
    category: str | None
    is_active: bool
    # Changed only by the RSVP transactions of the data layer, never written by a service.
    attendee_count: int
    created_at: datetime
    updated_at: datetime | None
    # Changed only by the waitlist transactions of the data layer, like attendee_count.
    waitlist_count: int = 0
    # The last waitlist ticket handed out (data/attendances.py: join_waitlist).
    waitlist_seq: int = 0
    # Counts the changes a calendar must follow (start, end, location, active): the data
    # layer bumps it in the write that makes one, and calendars send it as SEQUENCE.
    version: int = 0
    # Members checked in at the door, counted in each check-in's transaction.
    checked_in_count: int = 0
    # The event's Telegram group (/linkevent) and its invite link, which asks to join: the bot
    # approves the requests of members going (services/chats.py). Never shown publicly.
    chat_id: int | None = None
    chat_invite_link: str | None = None


@dataclass(frozen=True, slots=True)
class Attendance:
    """A member's RSVP to an event; `start_date` is the event's when the RSVP was taken (kept
    in step when the event moves)."""

    event_id: str
    user_id: str
    start_date: datetime
    created_at: datetime
    # None on RSVPs made before the bot existed: no chat to remind.
    telegram_id: int | None
    # GOING, WAITING on the event's waitlist with ticket `seq` (lower is nearer the front), or
    # LEFT (cancelled or left the waitlist) at `left_at`.
    status: str = GOING
    seq: int | None = None
    left_at: datetime | None = None
    # The check-in at the door: when, by whom (a users' id and the name they had then), and
    # the Idempotency-Key of the request that did it.
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None
    checked_in_by_name: str | None = None
    checkin_key: str | None = None


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """A one-time login code as stored: only its hash, and what the login will need."""

    code_hash: str
    user: TelegramUser
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RoleChange:
    """One change of a member's role, as audited: who made it (`by_id` None for the operator
    tool, `make make-admin`), whom it changed, from which role to which, and when. `id` is a
    ULID: the records of one second still list in the order they were made."""

    id: str
    at: datetime
    by_id: str | None
    by_name: str
    by_referral_code: str | None
    member_id: str
    member_name: str
    member_referral_code: str
    from_role: str
    to_role: str
