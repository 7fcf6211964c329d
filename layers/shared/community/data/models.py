"""PynamoDB items. Key schemas, GSIs and TTL are declared once, in template.yaml; the local
server and the tests create tables from the template, and a unit test checks these models
against it. Only the data layer sees these: it hands out `community.entities` instead."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders
from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.constants import NUMBER
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from community.entities import MEMBER_ROLE
from community.settings import Settings
from community.values import event_date

USER_PREFIX = "USER#"
REFERRAL_GUARD_PREFIX = "REFERRAL#"
CALENDAR_GUARD_PREFIX = "CALENDAR#"
# The by_start_date partition every active event is listed under (see EventsTable).
ACTIVE_LISTING = "ACTIVE"
# The users table's by_role_listing partitions (data/roles.py): members whose role is not
# "member", and the role changes' audit records.
ROLE_HOLDERS_LISTING = "ROLES"
ROLE_CHANGES_LISTING = "ROLE_CHANGES"
ROLE_CHANGE_PREFIX = "ROLECHANGE#"
# The users-table item counting the members whose role is admin (data/roles.py).
ADMIN_COUNT_KEY = "COUNT#ADMINS"
# The users table's by_referrals partitions (data/referrals.py): every member who brought
# someone (all time), and REFERRERS#<YYYY-MM> each month's counter items, keyed
# REFCOUNT#<YYYY-MM>#USER#<telegram id>.
REFERRERS_LISTING = "REFERRERS"
REFERRAL_MONTH_PREFIX = "REFCOUNT#"


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB Number read back as a Decimal: NumberAttribute goes through float, which
    would turn a price of 0.1 into 0.1000000000000000055."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        return str(value)

    def deserialize(self, value: Any) -> Decimal:
        return Decimal(value)


class ReferralCodeIndex(GlobalSecondaryIndex["User"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by_referral_code"
        projection = AllProjection()

    referral_code = UnicodeAttribute(hash_key=True)


class UserRoleIndex(GlobalSecondaryIndex["User"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by_role_listing"
        projection = AllProjection()

    role_listing = UnicodeAttribute(hash_key=True)
    role_sort = UnicodeAttribute(range_key=True)


class ReferrersIndex(GlobalSecondaryIndex["User"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by_referrals"
        projection = KeysOnlyProjection()

    referral_listing = UnicodeAttribute(hash_key=True)
    referral_rank = DecimalAttribute(range_key=True)


class User(Model):
    """A member, keyed by Telegram id so a login finds its user with one key lookup and two
    concurrent first logins of one person collide on the key instead of making two users."""

    class Meta:
        table_name = "users"

    pk = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute()
    telegram_id = NumberAttribute()
    name = UnicodeAttribute()
    username = UnicodeAttribute(null=True)
    photo_url = UnicodeAttribute(null=True)
    role = UnicodeAttribute(default=MEMBER_ROLE)
    coins = NumberAttribute(default=0)
    email = UnicodeAttribute(null=True)
    referral_code = UnicodeAttribute()
    referred_by = UnicodeAttribute(null=True)
    token_version = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    # From the last login's initData: whether the bot may message this member first.
    allows_write_to_pm = BooleanAttribute(null=True)
    # When the member last logged in: a block the bot saw before it no longer holds.
    logged_in_at = UTCDateTimeAttribute(null=True)
    # False when the member turned reminders off (PATCH /api/users/me); unset means on.
    reminders = BooleanAttribute(null=True)
    # The member's email (community/data/email_addresses.py): `email` is the address they
    # gave, `email_verified` true once its link was followed; until then `email_nonce` is the
    # one verification link that may still do it. `email_sent_at`: the last link sent (resends
    # are rate-limited on it).
    email_verified = BooleanAttribute(null=True)
    email_nonce = UnicodeAttribute(null=True)
    email_sent_at = UTCDateTimeAttribute(null=True)
    email_verified_at = UTCDateTimeAttribute(null=True)
    # Set only while the role is not "member" (ROLE_HOLDERS_LISTING, and the role then the
    # member's id): puts role holders, and nobody else, in the sparse by_role_listing index.
    # Written by data/roles.py in the transaction that changes the role.
    role_listing = UnicodeAttribute(null=True)
    role_sort = UnicodeAttribute(null=True)
    # The member's calendar feed (community/data/calendar_feeds.py): the random nonce its
    # token is derived from (with a key only the functions hold) and the token's SHA-256, the
    # key of its CalendarGuard. Neither is the token itself.
    calendar_nonce = UnicodeAttribute(null=True)
    calendar_hash = UnicodeAttribute(null=True)
    # The members who joined through this member's code, one more in each of their first
    # logins' transactions (data/users.py: create). Set with the first one, together with
    # `referral_listing` (REFERRERS_LISTING), which puts the member in the sparse by_referrals
    # index, and `referral_rank` (data/referrals.py: rank), its order there.
    referral_count = NumberAttribute(null=True)
    referral_listing = UnicodeAttribute(null=True)
    referral_rank = DecimalAttribute(null=True)

    by_referral_code = ReferralCodeIndex()
    by_role_listing = UserRoleIndex()
    by_referrals = ReferrersIndex()


class ReferralGuard(Model):
    """Makes referral codes unique: written with attribute_not_exists in the same transaction
    as its user. The GSI above serves look-ups only; it cannot enforce uniqueness."""

    class Meta:
        table_name = "users"

    pk = UnicodeAttribute(hash_key=True)
    user_pk = UnicodeAttribute()


class ReferralMonthIndex(GlobalSecondaryIndex["ReferralMonth"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by_referrals"
        projection = KeysOnlyProjection()

    referral_listing = UnicodeAttribute(hash_key=True)
    referral_rank = DecimalAttribute(range_key=True)


class ReferralMonth(Model):
    """`REFCOUNT#<YYYY-MM>#USER#<telegram id>`: the members one member brought in one month
    (UTC), created by the first of them and counted in the same transactions as the member's
    own referral_count; listed under `REFERRERS#<YYYY-MM>` in by_referrals."""

    class Meta:
        table_name = "users"

    pk = UnicodeAttribute(hash_key=True)
    referral_count = NumberAttribute()
    referral_listing = UnicodeAttribute()
    referral_rank = DecimalAttribute()

    by_referrals = ReferralMonthIndex()


class RoleChangeIndex(GlobalSecondaryIndex["RoleChange"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by_role_listing"
        projection = AllProjection()

    role_listing = UnicodeAttribute(hash_key=True)
    role_sort = UnicodeAttribute(range_key=True)


class RoleChange(Model):
    """The audit record of one role change, written in the change's transaction: who (`by_*`:
    an admin, or the operator tool with no id), whom (`member_*`), from, to and when. Listed
    newest first under ROLE_CHANGES_LISTING, `role_sort` being the time then the record's id.
    Kept for good: no TTL."""

    class Meta:
        table_name = "users"

    pk = UnicodeAttribute(hash_key=True)
    role_listing = UnicodeAttribute()
    role_sort = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    by_id = UnicodeAttribute(null=True)
    by_name = UnicodeAttribute()
    by_referral_code = UnicodeAttribute(null=True)
    member_id = UnicodeAttribute()
    member_name = UnicodeAttribute()
    member_referral_code = UnicodeAttribute()
    from_role = UnicodeAttribute()
    to_role = UnicodeAttribute()

    by_role_listing = RoleChangeIndex()


class AdminCount(Model):
    """How many members are admins: changed by +1/-1 in every transaction that makes or unmakes
    an admin, and a demotion is conditional on it being above 1, so the last admin can never
    be removed however many demotions race (data/roles.py)."""

    class Meta:
        table_name = "users"

    pk = UnicodeAttribute(hash_key=True)
    admins = NumberAttribute(default=0)


class CalendarGuard(Model):
    """`CALENDAR#<SHA-256 of a feed token>`: whose calendar feed that token opens (one
    consistent GetItem per poll). Written in the same transaction as the member's
    calendar_hash, deleted in the one that replaces it; nothing else carries the hash, so a
    reset token is unknown at once."""

    class Meta:
        table_name = "users"

    pk = UnicodeAttribute(hash_key=True)
    user_pk = UnicodeAttribute()
    user_id = UnicodeAttribute()


class AuthCode(Model):
    """A one-time login code. Only the SHA-256 of the code is stored, so a read of the table
    yields nothing that can be redeemed."""

    class Meta:
        table_name = "auth-codes"

    code_hash = UnicodeAttribute(hash_key=True)
    telegram_id = NumberAttribute()
    name = UnicodeAttribute()
    username = UnicodeAttribute(null=True)
    photo_url = UnicodeAttribute(null=True)
    start_param = UnicodeAttribute(null=True)
    allows_write_to_pm = BooleanAttribute(null=True)
    expires_at = TTLAttribute()


class StartDateIndex(GlobalSecondaryIndex["Event"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by_start_date"
        projection = KeysOnlyProjection()

    listing = UnicodeAttribute(hash_key=True)
    start_date = UnicodeAttribute(range_key=True)


class CategoryIndex(GlobalSecondaryIndex["Event"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by_category"
        projection = KeysOnlyProjection()

    category_listing = UnicodeAttribute(hash_key=True)
    start_date = UnicodeAttribute(range_key=True)


class Event(Model):
    """An event. Dates are fixed-width UTC strings (YYYY-MM-DDTHH:MM:SSZ), so their lexical
    order in the index is their time order. Only active events carry `listing`, which puts
    them in the sparse by_start_date index; an inactive event is simply absent from it."""

    class Meta:
        table_name = "events"

    id = UnicodeAttribute(hash_key=True)
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    start_date = UnicodeAttribute()
    end_date = UnicodeAttribute()
    location = UnicodeAttribute(default="")
    price = DecimalAttribute()
    # ISO 4217; unset on events stored before events had a currency (read as the default).
    currency = UnicodeAttribute(null=True)
    capacity = NumberAttribute(null=True)
    image_url = UnicodeAttribute(null=True)
    is_active = BooleanAttribute()
    listing = UnicodeAttribute(null=True)
    category = UnicodeAttribute(null=True)
    # The category, on active events only: puts them in the sparse by_category index.
    category_listing = UnicodeAttribute(null=True)
    # Maintained only by the RSVP transactions, together with the attendance items.
    attendee_count = NumberAttribute(default=0)
    # The members waiting (attendances with status "waiting"), kept with them the same way.
    waitlist_count = NumberAttribute(default=0)
    # The last waitlist ticket handed out: each join takes the next one in its transaction,
    # conditional on this being unchanged, so tickets are unique and in commit order.
    waitlist_seq = NumberAttribute(default=0)
    # Bumped (ADD 1) in the same UpdateItem or transaction as a change of start_date,
    # end_date, location or is_active: an iCalendar SEQUENCE, which calendar apps need to
    # grow before they take an update. Unset on events stored before it (read as 0).
    version = NumberAttribute(default=0)
    # The members checked in at the door: one more in each check-in's transaction.
    checked_in_count = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    # The event's Telegram group, linked by an admin's /linkevent there (data/chats.py), and
    # the invite link that asks to join it (shown to going members only).
    chat_id = NumberAttribute(null=True)
    chat_invite_link = UnicodeAttribute(null=True)

    by_start_date = StartDateIndex()
    by_category = CategoryIndex()


class MemberIndex(GlobalSecondaryIndex["Attendance"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by_member"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    start_date = UnicodeAttribute(range_key=True)


class Attendance(Model):
    """A member's RSVP to an event, or their place on its waitlist. Keyed by event then
    member, so an RSVP is idempotent on its key and nobody can be both going and waiting;
    `start_date` is the event's, copied so by_member lists a member's events in start order
    with one Query."""

    class Meta:
        table_name = "attendances"

    event_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    start_date = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    # The member's users-table key, so the reminder sweep reads members with BatchGetItem.
    # Unset on RSVPs made before the bot existed (the sweep skips and counts those).
    telegram_id = NumberAttribute(null=True)
    # "waiting" on the waitlist, with the event's waitlist ticket `seq` (the order of the
    # queue); unset means going (every RSVP made before waitlists existed).
    status = UnicodeAttribute(null=True)
    seq = NumberAttribute(null=True)
    # Status "left" only: when the member cancelled or left the waitlist (their calendar feed
    # shows the event as cancelled for 30 days), and when TTL may delete the row after that.
    # A new RSVP or waitlist place replaces the whole item, so neither outlives it.
    left_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(null=True)
    # Set once, by the check-in at the door (data/attendances.py: check_in): when, by which
    # staff member (users' id, and their name then, for the answer), and the scanner's
    # Idempotency-Key, so that a retried request is told its own 201 again.
    checked_in_at = UTCDateTimeAttribute(null=True)
    checked_in_by = UnicodeAttribute(null=True)
    checked_in_by_name = UnicodeAttribute(null=True)
    checkin_key = UnicodeAttribute(null=True)

    by_member = MemberIndex()


class Notification(Model):
    """The bot's own records, one table, told apart by the key's prefix (so IAM can give each
    function only its own prefix): `UPDATE#<update_id>` (a webhook update handled),
    `REMINDER#<event>#<start>#<member>#<offset>` (a reminder claimed before it is sent),
    `UNREACHABLE#<telegram id>` (the member blocked the bot), `NOTICE#<event>#<id>` (a notice
    to send, written in the transaction of the change it tells: data/outbox.py; the table's
    stream feeds it to the sender), `TOLD#<notice>#<medium>#<member>` (a notice claimed for
    one member and medium before it is sent), `CHAT#<chat id>` (the event a Telegram group is
    linked to) and `JOINREQ#<event>#<member>` (a join request waiting for a promotion). TTL
    cleans them all up."""

    class Meta:
        table_name = "notifications"

    pk = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute()
    # REMINDER: "claimed", then "unknown" when the send timed out after it may have arrived.
    status = UnicodeAttribute(null=True)
    telegram_id = NumberAttribute(null=True)
    expires_at = TTLAttribute()
    # NOTICE records only (data/outbox.py): what happened, to which event, for whom (a
    # users-table key; unset: everyone going or waiting), and its details as JSON.
    kind = UnicodeAttribute(null=True)
    event_id = UnicodeAttribute(null=True)
    member_id = UnicodeAttribute(null=True)
    payload = UnicodeAttribute(null=True)
    # CHAT# (the event a group is linked to: `event_id`) and JOINREQ# (a waitlisted member's
    # join request, left pending until they are promoted) records (data/chats.py).
    chat_id = NumberAttribute(null=True)


ALL_MODELS: tuple[type[Model], ...] = (
    User,
    ReferralGuard,
    ReferralMonth,
    RoleChange,
    AdminCount,
    CalendarGuard,
    AuthCode,
    Event,
    Attendance,
    Notification,
)
_shared_connection: Connection | None = None


def bind(settings: Settings) -> None:
    """Point every model at the configured tables and endpoint, all through one Connection.
    PynamoDB gives each model a Connection of its own, hence a botocore session and client of
    its own, and loading botocore's DynamoDB model once per session costs tens of milliseconds
    of cold start per table; sharing one pays it once. Nothing connects here: botocore creates
    the client on the first call. Run by `community.startup.start()` (cold start); tests rerun
    it against their own tables."""
    global _shared_connection
    _shared_connection = Connection(
        region=settings.aws_region,
        host=settings.dynamodb_endpoint_url,
        max_retry_attempts=2,
        connect_timeout_seconds=2,
        read_timeout_seconds=3,
    )
    # User before the other models of the users table: the shared connection holds one
    # description per table, which must be User's (it has all of the table's indexes).
    # Notification and Notice share the notifications table the same way.
    tables = {
        User: settings.users_table,
        ReferralGuard: settings.users_table,
        ReferralMonth: settings.users_table,
        RoleChange: settings.users_table,
        AdminCount: settings.users_table,
        CalendarGuard: settings.users_table,
        AuthCode: settings.auth_codes_table,
        Event: settings.events_table,
        Attendance: settings.attendances_table,
        Notification: settings.notifications_table,
    }
    described: set[str] = set()
    for model, table_name in tables.items():
        model.Meta.table_name = table_name
        model.Meta.host = settings.dynamodb_endpoint_url
        model.Meta.region = settings.aws_region
        model._connection = None
        table_connection = model._get_connection()
        if table_name not in described:
            _shared_connection.add_meta_table(table_connection.get_meta_table())
            described.add(table_name)
        table_connection.connection = _shared_connection


def bound() -> bool:
    return _shared_connection is not None


def connection() -> Connection:
    """The one Connection every model (and every transaction) uses."""
    if _shared_connection is None:
        raise RuntimeError(UNBOUND)
    return _shared_connection


UNBOUND = "the data layer is not bound to any tables: call community.startup.start() first"


def date_key(moment: datetime) -> str:
    """An event date as stored and indexed (values.EVENT_DATE_FORMAT)."""
    return event_date(moment)


def from_date_key(value: str) -> datetime:
    # fromisoformat (C) reads the stored form's "Z" as UTC, several times faster than strptime.
    return datetime.fromisoformat(value)


def prime() -> None:
    """Do during init what the first DynamoDB call would otherwise do on the first request:
    create the client (load the service model: ~80 ms), resolve the endpoint and serialise
    one GetItem. A stub answers it at `before-call`, before anything is signed or sent: nothing
    leaves the process, no connection enters a SnapStart snapshot (it would be stale after a
    restore), and hooks that count the requests really made (tests, bench) never see it."""
    client: Any = connection().client  # botocore's stubs know no per-service methods

    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("https://dynamodb.prime", 200, HTTPHeaders(), None), {}

    # First in line: ahead of any other handler that would count or answer it.
    client.meta.events.register_first("before-call.dynamodb.GetItem", answer)
    try:
        client.get_item(TableName=User.Meta.table_name, Key={"pk": {"S": "PRIME"}})
    finally:
        client.meta.events.unregister("before-call.dynamodb.GetItem", answer)
