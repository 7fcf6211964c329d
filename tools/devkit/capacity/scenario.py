"""The launch-day workload (Scenario) and the items it writes, built the way the services build
them and serialised by PynamoDB as a PutItem would send them."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from community.schemas.events import EventCategory

StoredItem = dict[str, dict[str, Any]]
# The API's own list (schemas.events.EventCategory), in its order: event i has category i % 6.
CATEGORIES = tuple(category.value for category in EventCategory)


@dataclass(frozen=True)
class Scenario:
    members: int = 100_000
    events: int = 200
    rsvps_per_second: float = 2000.0
    rsvp_events: int = 50
    rsvp_minutes: float = 10.0
    listing_views_per_second: float = 20_000.0
    cdn_hit_ratio: float = 0.95
    category_share: float = 0.25
    detail_views_per_second: float = 5000.0
    my_events_per_second: float = 500.0
    cancels_per_second: float = 0.0
    # Members turned away by a full event who join (and some who leave) its waitlist; a
    # position is ranked by one consistent Query of the event's partition, going and waiting.
    waitlist_joins_per_second: float = 100.0
    waitlist_leaves_per_second: float = 20.0
    event_capacity: int = 100
    waitlist_length: int = 20
    logins_per_second: float | None = None
    email_verifications_per_second: float | None = None
    # Admin changes (a move, a new place, a cancellation) each told by the notice sender to
    # every going member of the event: a few an hour, to a large event.
    event_changes_per_second: float = 0.01
    notice_recipients: int = 1000
    # Calendar apps polling members' feeds (GET /api/calendar/<token>.ics): the share of
    # members subscribed, how often an app polls (15 minutes to hours), and the entries of a
    # feed (the member's events from 30 days back and upcoming).
    calendar_subscribed_share: float = 0.2
    calendar_poll_seconds: float = 1800.0
    calendar_feed_events: int = 10
    # The door (issue 28): one event's scanners checking 500 people in 15 minutes, each member
    # opening their ticket there once, and the staff's attendee list refreshed every 5 s.
    checkins_per_second: float = 500 / (15 * 60)
    ticket_views_per_second: float = 500 / (15 * 60)
    attendee_list_reads_per_second: float = 0.2
    attendee_page: int = 50
    # Who brought whom (issue 29): the share of first logins through a member's code, all of
    # them through ONE code (a viral link: the worst case for the referrer's item and for the
    # by_referrals partitions every referral writes), and leaderboard reads (private: every
    # one reaches Lambda; default one per login).
    referred_share: float = 0.5
    leaderboard_views_per_second: float | None = None
    # Growth (issue 29): members sharing an event's card (POST /events/{id}/share: the member
    # and the event read, then the Bot API), and whether the RSVP'd events have a channel card
    # (ANNOUNCE_CHAT_ID): then every RSVP and cancel also upserts its event's card slot for the
    # minute, and the notice sender edits each card at most once a minute.
    shares_per_second: float = 50.0
    channel_cards: bool = True
    page_size: int = 10
    profile: str = "max"

    @property
    def logins(self) -> float:
        # Unless given: every member logs in once during the launch hour.
        return self.members / 3600 if self.logins_per_second is None else self.logins_per_second

    @property
    def email_verifications(self) -> float:
        # Unless given: one member in ten gives an address (and follows its link) that hour.
        if self.email_verifications_per_second is None:
            return self.logins / 10
        return self.email_verifications_per_second

    @property
    def leaderboard_views(self) -> float:
        if self.leaderboard_views_per_second is None:
            return self.logins
        return self.leaderboard_views_per_second

    @property
    def calendar_polls(self) -> float:
        """Feed polls a second: every subscribed member's calendar app, once a poll interval
        (CloudFront caches no feed, so each reaches Lambda)."""
        return self.members * self.calendar_subscribed_share / self.calendar_poll_seconds

    @property
    def origin_share(self) -> float:
        """The share of cacheable views that reach Lambda (CloudFront misses)."""
        return 1.0 - self.cdn_hit_ratio


@dataclass(frozen=True)
class Profile:
    """Lengths (characters) of the free texts, and bytes per character of prose."""

    title: int
    description: int
    location: int
    image_url: int
    name: int
    username: int
    photo_url: int
    start_param: int
    prose_char: str


PROFILES = {
    # Every field at the limit the API or the Telegram parser enforces.
    "max": Profile(200, 5000, 300, 2048, 128, 64, 1024, 64, "x"),
    "max-utf8": Profile(200, 5000, 300, 2048, 128, 64, 1024, 64, "ж"),
    "typical": Profile(60, 800, 60, 120, 24, 16, 110, 12, "x"),
}


def _url(length: int) -> str:
    return "https://cdn.example.com/" + "p" * (length - len("https://cdn.example.com/"))


@dataclass(frozen=True)
class Items:
    user: StoredItem
    # The member with an address waiting for its link, and once the link was followed.
    pending_user: StoredItem
    verified_user: StoredItem
    guard: StoredItem
    # A member's calendar feed token guard (CALENDAR#<hash>: data/calendar_feeds.py).
    calendar_guard: StoredItem
    auth_code: StoredItem
    attendance: StoredItem
    # The attendance once cancelled (or its waitlist place left): kept as status "left".
    left_attendance: StoredItem
    # The same RSVP once checked in at the door (data/attendances.py: check_in).
    checked_in: StoredItem
    # One per upcoming event, in start order; event i has category CATEGORIES[i % 6].
    events: list[StoredItem]
    member_id: str
    member_pk: str
    referral_code: str
    # A notice record (data/outbox.py) and one member's claim of it (TOLD#).
    notice: StoredItem
    claim: StoredItem
    # A channel card's slot for one minute (data/outbox.py: slot_key), as an RSVP upserts it.
    card_slot: StoredItem
    # The member whose code a referred first login names, before and after that login counts
    # them (data/referrals.py: credit), and their month's counter, before and after.
    referrer: StoredItem
    referrer_counted: StoredItem
    referral_month: StoredItem
    referral_month_counted: StoredItem


def build_items(scenario: Scenario) -> Items:
    # Items are only built and serialised: no settings, no start-up, nothing connects.
    from community.data import notifications, outbox, referrals
    from community.data.attendances import LEFT_KEPT
    from community.data.events import to_item
    from community.data.models import (
        Attendance,
        AuthCode,
        CalendarGuard,
        Notification,
        ReferralGuard,
        ReferralMonth,
        User,
    )
    from community.data.sizes import stored_form
    from community.entities import MEMBER_ROLE
    from community.schemas.events import EventIn
    from community.services.seeding import to_event

    text = PROFILES[scenario.profile]
    prose = text.prose_char
    now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    telegram_id = 9_999_999_999
    member_id = "0f8fad5b-d9cb-469f-a165-70867728950e"
    referral_code = "UP-ABCDEFGH"
    # As services.users._create builds a new member (one who was referred, with a username).
    user = User(
        f"USER#{telegram_id}",
        id=member_id,
        telegram_id=telegram_id,
        name=prose * text.name,
        username="u" * text.username,
        photo_url=_url(text.photo_url),
        role=MEMBER_ROLE,
        coins=0,
        email=None,
        referral_code=referral_code,
        referred_by="UP-ZYXWVUTS",
        token_version=0,
        created_at=now,
        updated_at=now,
    )
    # As services.email stores an address (the longest one allowed), then verifies it.
    pending = User(**user.attribute_values)
    pending.email, pending.email_verified = "e" * 64 + "@" + ("d" * 61 + ".") * 3 + "com", False
    pending.email_nonce, pending.email_sent_at = "n" * 22, now
    verified = User(**pending.attribute_values)
    verified.email_verified, verified.email_verified_at, verified.email_nonce = True, now, None
    guard = ReferralGuard(f"REFERRAL#{referral_code}", user_pk=user.pk)
    # As data/calendar_feeds.issue writes it: the key is the token's SHA-256 (64 hex digits).
    calendar_guard = CalendarGuard(f"CALENDAR#{'c' * 64}", user_pk=user.pk, user_id=member_id)
    # As services.auth.issue_login_code stores a code: only its SHA-256 (64 hex digits).
    auth_code = AuthCode(
        "f" * 64,
        telegram_id=telegram_id,
        name=user.name,
        username=user.username,
        photo_url=user.photo_url,
        start_param="s" * text.start_param,
        expires_at=now + timedelta(minutes=10),
    )
    events = []
    for index in range(scenario.events):
        start = now + timedelta(days=1, hours=index)
        fields = {
            "id": f"00000000-0000-4000-8000-{index:012d}",
            "title": prose * text.title,
            "description": prose * text.description,
            "start_date": start,
            "end_date": start + timedelta(hours=3),
            "location": prose * text.location,
            "price": Decimal("12345678.90"),
            "currency": "EUR",
            "capacity": 1_000_000,
            "image_url": _url(text.image_url),
            "category": CATEGORIES[index % len(CATEGORIES)],
            "is_active": True,
        }
        # The scenario's `now` is a fixed day, long past: its events are history to the rule.
        record = EventIn.model_validate(fields, context={"allow_past": True})
        event = to_item(to_event(record, now))
        # An event well into its RSVPs, edited once by an admin: every attribute present.
        event.attendee_count = 123_456
        event.updated_at = now
        events.append(stored_form(event))
    attendance = Attendance(
        events[0]["id"]["S"], member_id, start_date=events[0]["start_date"]["S"], created_at=now
    )
    # As data/attendances.remove leaves it (with the member's telegram id, as RSVPs carry it).
    left = Attendance(**attendance.attribute_values)
    left.telegram_id, left.status, left.left_at = telegram_id, "left", now
    left.expires_at = now + LEFT_KEPT
    # As the check-in sets it: the staff member's id and name, the scanner's Idempotency-Key
    # (at its longest).
    checked_in = Attendance(**attendance.attribute_values)
    checked_in.checked_in_at, checked_in.checked_in_by = now, member_id
    checked_in.checked_in_by_name, checked_in.checkin_key = prose * text.name, "k" * 128
    # As services.events.change_notice writes a move and a new place (the longest location).
    # The id's random part fixed: the report is the same every run.
    key = f"{outbox.notice_key(events[0]['id']['S'], now)[:-10]}{'0' * 10}"
    changes = {
        "start_date": [events[0]["start_date"]["S"]] * 2,
        "end_date": [events[0]["end_date"]["S"]] * 2,
        "location": [events[0]["location"]["S"]] * 2,
    }
    notice = Notification(
        key,
        created_at=now,
        expires_at=now + outbox.NOTICE_TTL,
        kind=outbox.CHANGED,
        event_id=events[0]["id"]["S"],
        payload=json.dumps({"changes": changes}, separators=(",", ":")),
    )
    # As the Telegram channel claims a send (the email claim is the same size but no telegram_id).
    claim = Notification(
        notifications.told_key(key, "telegram", member_id),
        created_at=now,
        status=notifications.CLAIMED,
        telegram_id=telegram_id,
        expires_at=now + outbox.NOTICE_TTL,
    )
    # The minute's card slot, as outbox.slot_actions writes it for an RSVP.
    card_slot = Notification(
        outbox.slot_key(events[0]["id"]["S"], now),
        created_at=now,
        expires_at=now + outbox.NOTICE_TTL,
        kind=outbox.ANNOUNCE,
        event_id=events[0]["id"]["S"],
        payload=json.dumps({"reason": "rsvp"}, separators=(",", ":")),
    )
    # The referrer: a member like the others (max-size texts), well into their referrals, as
    # their first referral's transaction left them; then one more.
    referrer = User(**user.attribute_values)
    referrer.pk, referrer.telegram_id = "USER#1000000001", 1_000_000_001
    referrer.referral_code, referrer.referred_by = "UP-ZYXWVUTS", None
    month = ReferralMonth(referrals.month_key(referrer.pk, now))

    def counted[T: (User, ReferralMonth)](item: T, count: int, listed: str) -> T:
        after = type(item)(**item.attribute_values)
        after.referral_count, after.referral_listing = count, listed
        after.referral_rank = count - 1 + referrals.rank_step(now)
        return after

    all_time, this_month = referrals.listing("all", now), referrals.listing("month", now)
    return Items(
        referrer=stored_form(counted(referrer, 12_345, all_time)),
        referrer_counted=stored_form(counted(referrer, 12_346, all_time)),
        referral_month=stored_form(counted(month, 1_234, this_month)),
        referral_month_counted=stored_form(counted(month, 1_235, this_month)),
        user=stored_form(user),
        pending_user=stored_form(pending),
        verified_user=stored_form(verified),
        guard=stored_form(guard),
        calendar_guard=stored_form(calendar_guard),
        auth_code=stored_form(auth_code),
        attendance=stored_form(attendance),
        left_attendance=stored_form(left),
        checked_in=stored_form(checked_in),
        events=events,
        member_id=member_id,
        member_pk=user.pk,
        referral_code=referral_code,
        notice=stored_form(notice),
        claim=stored_form(claim),
        card_slot=stored_form(card_slot),
    )
