"""Each modelled request type: its rate in the scenario and the DynamoDB calls its handler makes,
in order (the same sequence as the CALLS table of tests/integration/test_fault_injection.py)."""

from collections.abc import Iterable
from dataclasses import dataclass

from devkit.capacity.billing import Billing, Call, Usage
from devkit.capacity.scenario import CATEGORIES, StoredItem


def _counted(event: StoredItem, change: int) -> StoredItem:
    """The event after `ADD attendee_count change` (what the RSVP transactions do)."""
    after = dict(event)
    after["attendee_count"] = {"N": str(int(event["attendee_count"]["N"]) + change)}
    return after


def _checked_in(event: StoredItem) -> StoredItem:
    """The event after a check-in's `ADD checked_in_count 1`."""
    after = dict(event)
    after["checked_in_count"] = {"N": str(int(event.get("checked_in_count", {"N": "0"})["N"]) + 1)}
    return after


def _waitlisted(event: StoredItem, change: int) -> StoredItem:
    """The event after a join (change 1: a count and a ticket more) or a leave (-1)."""
    after = dict(event)
    count = int(event.get("waitlist_count", {"N": "0"})["N"]) + change
    after["waitlist_count"] = {"N": str(count)}
    if change > 0:
        after["waitlist_seq"] = {"N": str(int(event.get("waitlist_seq", {"N": "0"})["N"]) + 1)}
    return after


@dataclass(frozen=True)
class RequestType:
    name: str
    function: str
    rate: float
    # (share of this request type's rate, its calls); the shares add up to 1.
    variants: list[tuple[float, list[Call]]]


def _even(calls: Iterable[list[Call]]) -> list[tuple[float, list[Call]]]:
    variants = list(calls)
    return [(1 / len(variants), variant) for variant in variants]


def request_types(model: Billing) -> list[RequestType]:
    """Every modelled request type with the calls its handler makes (in order)."""
    s, items, m = model.scenario, model.items, model
    events = items.events
    popular = events[: s.rsvp_events]
    user = items.user
    attendance = items.attendance
    page = s.page_size
    feed = (events * (1 + s.calendar_feed_events // max(1, len(events))))[: s.calendar_feed_events]

    def attendance_for(event: StoredItem) -> StoredItem:
        return attendance | {"event_id": event["id"], "start_date": event["start_date"]}

    def left_for(event: StoredItem) -> StoredItem:
        """The attendance once cancelled or left: the row stays, status "left"."""
        return items.left_attendance | {"event_id": event["id"], "start_date": event["start_date"]}

    def checked_in_for(event: StoredItem) -> StoredItem:
        return items.checked_in | {"event_id": event["id"], "start_date": event["start_date"]}

    # The event whose door the check-ins are at.
    door = events[0]

    def card_slot(event: StoredItem) -> list[Usage]:
        """The RSVP's (or cancel's) upsert of its event's card slot for the minute, in the same
        transaction; the first of the minute makes it, the rest rewrite it (same size)."""
        if not s.channel_cards:
            return []
        slot = items.card_slot | {"pk": {"S": f"NOTICE#{event['id']['S']}#A-minute"}}
        return m.write("notification", slot, slot, transactional=True)

    def waiting_for(event: StoredItem) -> StoredItem:
        return attendance_for(event) | {
            "status": {"S": "waiting"},
            "seq": {"N": str(s.waitlist_length)},
        }

    def partition_of(event: StoredItem) -> list[StoredItem]:
        """An event's attendances as the waitlist's Query reads them: going, then waiting."""
        return [attendance_for(event)] * s.event_capacity + [waiting_for(event)] * (
            s.waitlist_length
        )

    def category_page(category: str) -> list[StoredItem]:
        return [event for event in events if event["category"]["S"] == category][: page + 1]

    login_rate = s.logins
    listings = s.listing_views_per_second * s.origin_share
    return [
        RequestType(
            "login: generate-code",
            "GenerateCodeFunction",
            login_rate,
            [(1.0, [Call("PutItem", m.write("auth_code", None, items.auth_code))])],
        ),
        RequestType(
            "login: callback, first login",
            "AuthCallbackFunction",
            login_rate,
            [
                (
                    1 - s.referred_share,
                    [
                        Call("DeleteItem", m.write("auth_code", items.auth_code, None)),
                        # The returning-member refresh, refused: the member is not there yet.
                        Call("UpdateItem", m.refused_write("user", {"pk": user["pk"]})),
                        Call(
                            "TransactWriteItems",
                            m.write("user", None, user, transactional=True)
                            + m.write("guard", None, items.guard, transactional=True),
                        ),
                    ],
                ),
                (
                    # Through a member's code: the code's guard (consistent), then the member
                    # counted on the referrer's item and month counter in the same transaction,
                    # each moving its by_referrals entry (data/referrals.py).
                    s.referred_share,
                    [
                        Call("DeleteItem", m.write("auth_code", items.auth_code, None)),
                        Call("UpdateItem", m.refused_write("user", {"pk": user["pk"]})),
                        m.get("guard", items.guard, consistent=True),
                        Call(
                            "TransactWriteItems",
                            m.write("user", None, user, transactional=True)
                            + m.write("guard", None, items.guard, transactional=True)
                            + m.write(
                                "referrer",
                                items.referrer,
                                items.referrer_counted,
                                transactional=True,
                            )
                            + m.write(
                                "referral_month",
                                items.referral_month,
                                items.referral_month_counted,
                                transactional=True,
                            ),
                        ),
                    ],
                ),
            ],
        ),
        RequestType(
            # The top ten: the member, ten keys-only entries of one by_referrals partition
            # (all time or this month: the same size), their members' public fields.
            "GET /api/v1/referrals/top",
            "ReferralsTopFunction",
            s.leaderboard_views,
            _even(
                [
                    m.get("user", user),
                    m.query("referrer", "by_referrals", [listed] * 10),
                    m.batch_get("user", [user] * 10),
                ]
                for listed in (items.referrer_counted, items.referral_month_counted)
            ),
        ),
        RequestType(
            "GET /api/users/me", "UsersMeFunction", login_rate, [(1.0, [m.get("user", user)])]
        ),
        RequestType(
            "GET /api/users/me/email/verify",
            "UsersMeEmailVerifyFunction",
            s.email_verifications,
            # The link's conditional UpdateItem (a refused link adds a GetItem: rare).
            [(1.0, [Call("UpdateItem", m.write("user", items.pending_user, items.verified_user))])],
        ),
        RequestType(
            "GET /events/upcoming (page 1)",
            "EventsUpcomingFunction",
            listings * (1 - s.category_share),
            [(1.0, listing_calls(m, "by_start_date", events[: page + 1]))],
        ),
        RequestType(
            "GET /events/upcoming?category= (page 1)",
            "EventsUpcomingFunction",
            listings * s.category_share,
            _even(
                listing_calls(m, "by_category", category_page(category)) for category in CATEGORIES
            ),
        ),
        RequestType(
            "GET /events/{id}",
            "EventDetailFunction",
            s.detail_views_per_second * s.origin_share,
            _even([m.get("event", event)] for event in popular),
        ),
        RequestType(
            "POST /events/{id}/rsvp",
            "EventRsvpFunction",
            s.rsvps_per_second,
            _even(
                [
                    m.get("user", user),
                    m.get("event", event, consistent=True),
                    Call(
                        "TransactWriteItems",
                        m.write("attendance", None, attendance_for(event), transactional=True)
                        + m.write("event", event, _counted(event, 1), transactional=True)
                        + card_slot(event),
                    ),
                    # The event as the RSVP left it, for the answer.
                    m.get("event", _counted(event, 1), consistent=True),
                ]
                for event in popular
            ),
        ),
        RequestType(
            # Every detail view asks whether the member is going; private, so never cached.
            "GET /events/{id}/rsvp",
            "EventRsvpStatusFunction",
            s.detail_views_per_second,
            _even(
                [
                    m.get("user", user),
                    m.get("event", event),
                    m.get("attendance", attendance_for(event), consistent=True),
                ]
                for event in popular
            ),
        ),
        RequestType(
            "DELETE /events/{id}/rsvp",
            "EventRsvpCancelFunction",
            s.cancels_per_second,
            _even(
                [
                    m.get("user", user),
                    m.get("event", event),
                    Call(
                        "TransactWriteItems",
                        m.write(
                            "attendance", attendance_for(event), left_for(event), transactional=True
                        )
                        + m.write("event", event, _counted(event, -1), transactional=True)
                        + card_slot(event),
                    ),
                ]
                for event in popular
            ),
        ),
        RequestType(
            "POST /events/{id}/waitlist",
            "EventWaitlistJoinFunction",
            s.waitlist_joins_per_second,
            _even(
                [
                    m.get("user", user),
                    m.get("event", event, consistent=True),
                    Call(
                        "TransactWriteItems",
                        m.write("attendance", None, waiting_for(event), transactional=True)
                        + m.write("event", event, _waitlisted(event, 1), transactional=True),
                    ),
                    # The member's position: their rank among the waiting.
                    m.query_partition("attendance", partition_of(event), consistent=True),
                ]
                for event in popular
            ),
        ),
        RequestType(
            "DELETE /events/{id}/waitlist",
            "EventWaitlistLeaveFunction",
            s.waitlist_leaves_per_second,
            _even(
                [
                    m.get("user", user),
                    m.get("event", event),
                    Call(
                        "TransactWriteItems",
                        m.write(
                            "attendance", waiting_for(event), left_for(event), transactional=True
                        )
                        + m.write("event", _waitlisted(event, 1), event, transactional=True),
                    ),
                ]
                for event in popular
            ),
        ),
        RequestType(
            "GET /api/users/me/events",
            "UsersMeEventsFunction",
            s.my_events_per_second,
            _even(
                [
                    m.get("user", user),
                    m.query(
                        "attendance",
                        "by_member",
                        [attendance_for(event) for event in popular[: page + 1]],
                    ),
                    m.batch_get("event", (popular * 2)[start : start + page]),
                ]
                for start in range(len(popular))
            ),
        ),
        RequestType(
            # A calendar app polling a member's feed: the token's guard (consistent: a reset
            # token is unknown at once), the member's attendances on by_member, their events.
            "GET /api/calendar/{token}.ics",
            "CalendarFeedFunction",
            s.calendar_polls,
            [
                (
                    1.0,
                    [
                        m.get("calendar_guard", items.calendar_guard, consistent=True),
                        m.query(
                            "attendance",
                            "by_member",
                            [attendance_for(event) for event in feed],
                        ),
                        m.batch_get("event", feed),
                    ],
                )
            ],
        ),
        RequestType(
            "GET /events/{id}/ticket",
            "EventTicketFunction",
            s.ticket_views_per_second,
            [
                (
                    1.0,
                    [
                        m.get("user", user),
                        m.get("event", door),
                        m.get("attendance", attendance_for(door), consistent=True),
                    ],
                )
            ],
        ),
        RequestType(
            # One event's door: every check-in writes its one event item and its partition.
            "POST /events/{id}/checkins",
            "EventCheckinFunction",
            s.checkins_per_second,
            [
                (
                    1.0,
                    [
                        # The staff member's role, read consistently.
                        m.get("user", user, consistent=True),
                        m.get("event", door, consistent=True),
                        m.get("attendance", attendance_for(door), consistent=True),
                        Call(
                            "TransactWriteItems",
                            m.write(
                                "attendance",
                                attendance_for(door),
                                checked_in_for(door),
                                transactional=True,
                            )
                            + m.write("event", door, _checked_in(door), transactional=True),
                        ),
                        # The member checked in, for the answer.
                        m.get("user", user),
                    ],
                )
            ],
        ),
        RequestType(
            "GET /events/{id}/attendees",
            "EventAttendeesFunction",
            s.attendee_list_reads_per_second,
            [
                (
                    1.0,
                    [
                        m.get("user", user, consistent=True),
                        m.get("event", door, consistent=True),
                        # limit + 1 going, read consistently (checked in or not: the larger).
                        m.query_partition(
                            "attendance",
                            [checked_in_for(door)] * (s.attendee_page + 1),
                            consistent=True,
                        ),
                        m.batch_get("user", [user] * s.attendee_page),
                    ],
                )
            ],
        ),
        RequestType(
            # The member (the bearer's) and the event; then savePreparedInlineMessage.
            "POST /events/{id}/share",
            "EventShareFunction",
            s.shares_per_second,
            _even([m.get("user", user), m.get("event", event)] for event in popular),
        ),
        RequestType(
            # Each announced event's card, edited at most once a minute from its RSVPs (its
            # slot's INSERT on the stream): the event read, the edit claimed, the shown text's
            # hash written on the event (a whole-item write).
            "stream: a channel card's edit",
            "NoticeSenderFunction",
            (s.rsvp_events / 60) if s.channel_cards else 0.0,
            _even(
                [
                    m.get("event", event, consistent=True),
                    Call("PutItem", m.write("notification", None, items.claim)),
                    Call("UpdateItem", m.write("event", event, event)),
                ]
                for event in popular
            ),
        ),
        RequestType(
            "stream: a change told to its going members",
            "NoticeSenderFunction",
            s.event_changes_per_second,
            [(1.0, notice_calls(m, events[0], s.notice_recipients))],
        ),
    ]


# BatchGetItem takes at most 100 keys a request.
BATCH_GET_KEYS = 100


def notice_calls(model: Billing, event: StoredItem, recipients: int) -> list[Call]:
    """One `changed` notice sent by Telegram (services/notifications/notices.py): the event
    (consistent: its transaction was a moment ago), its RSVPs (one Query), their members, then
    their claims and unreachable marks (BatchGetItem, 100 keys each: every claim a miss, a
    record absent reads as the minimum unit), then each member's claim (a conditional PutItem).
    The stream read itself is free of units (DynamoDB Streams reads from Lambda are not
    billed)."""
    items = model.items
    attendance = items.attendance | {"event_id": event["id"], "telegram_id": {"N": "1" * 10}}
    members = [items.user] * recipients
    absent = [{"pk": items.claim["pk"]}] * (2 * recipients)
    return [
        model.get("event", event, consistent=True),
        model.query("attendance", None, [attendance] * recipients),
        *[
            model.batch_get("user", members[start : start + BATCH_GET_KEYS])
            for start in range(0, recipients, BATCH_GET_KEYS)
        ],
        *[
            model.batch_get("notification", absent[start : start + BATCH_GET_KEYS])
            for start in range(0, len(absent), BATCH_GET_KEYS)
        ],
        *[Call("PutItem", model.write("notification", None, items.claim))] * recipients,
    ]


def listing_calls(model: Billing, index: str, first: list[StoredItem]) -> list[Call]:
    """An upcoming page (services.events.upcoming_page): one Query of page + 1 entries on the
    listing index (by_category for a category's listing; the extra entry only says whether
    there is a next page), then one BatchGetItem of the page's events from the table."""
    return [model.query("event", index, first), model.batch_get("event", first[:-1])]
