"""`make capacity [CAPACITY_ARGS=...]`: the scenario from the command line, the report printed,
exit status 1 when a partition key value is over its limit."""

import argparse
from collections.abc import Sequence

from devkit.capacity.model import compute
from devkit.capacity.report import render
from devkit.capacity.scenario import PROFILES, Scenario


def parse_args(argv: Sequence[str] | None = None) -> Scenario:
    defaults = Scenario()
    parser = argparse.ArgumentParser(
        prog="make capacity",
        description="DynamoDB units, hot partitions and on-demand cost for a launch-day load.",
    )
    parser.add_argument("--members", type=int, default=defaults.members)
    parser.add_argument("--events", type=int, default=defaults.events, help="upcoming events")
    parser.add_argument("--rsvps-per-second", type=float, default=defaults.rsvps_per_second)
    parser.add_argument(
        "--rsvp-events",
        type=int,
        default=defaults.rsvp_events,
        help="the RSVPs are spread evenly over this many events (the earliest ones)",
    )
    parser.add_argument(
        "--rsvp-minutes",
        type=float,
        default=defaults.rsvp_minutes,
        help="how long the peak lasts (storage of the RSVPs it makes; cost of one peak)",
    )
    parser.add_argument(
        "--listing-views-per-second",
        type=float,
        default=defaults.listing_views_per_second,
        help="upcoming-events page views, before the CDN",
    )
    parser.add_argument("--cdn-hit-ratio", type=float, default=defaults.cdn_hit_ratio)
    parser.add_argument(
        "--category-share",
        type=float,
        default=defaults.category_share,
        help="the share of listing views that are ?category= listings (spread over the six)",
    )
    parser.add_argument(
        "--detail-views-per-second",
        type=float,
        default=defaults.detail_views_per_second,
        help="event detail views before the CDN, spread over the RSVP events",
    )
    parser.add_argument(
        "--my-events-per-second",
        type=float,
        default=defaults.my_events_per_second,
        help="GET /api/users/me/events (private: never cached by the CDN)",
    )
    parser.add_argument("--cancels-per-second", type=float, default=defaults.cancels_per_second)
    parser.add_argument(
        "--waitlist-joins-per-second", type=float, default=defaults.waitlist_joins_per_second
    )
    parser.add_argument(
        "--waitlist-leaves-per-second", type=float, default=defaults.waitlist_leaves_per_second
    )
    parser.add_argument(
        "--event-capacity",
        type=int,
        default=defaults.event_capacity,
        help="seats per RSVP event (the waitlist's Query reads them with the waiting)",
    )
    parser.add_argument("--waitlist-length", type=int, default=defaults.waitlist_length)
    parser.add_argument(
        "--checkins-per-second",
        type=float,
        default=defaults.checkins_per_second,
        help="check-ins at one event's door (default: 500 people in 15 minutes)",
    )
    parser.add_argument(
        "--ticket-views-per-second", type=float, default=defaults.ticket_views_per_second
    )
    parser.add_argument(
        "--attendee-list-reads-per-second",
        type=float,
        default=defaults.attendee_list_reads_per_second,
    )
    parser.add_argument(
        "--logins-per-second",
        type=float,
        default=None,
        help="first logins (generate-code, callback, /me); default: members / 3600",
    )
    parser.add_argument(
        "--email-verifications-per-second",
        type=float,
        default=None,
        help="verification links followed (GET /api/users/me/email/verify); default: logins / 10",
    )
    parser.add_argument(
        "--event-changes-per-second",
        type=float,
        default=defaults.event_changes_per_second,
        help="admin moves, new places and cancellations, each a notice to its event's members",
    )
    parser.add_argument(
        "--notice-recipients",
        type=int,
        default=defaults.notice_recipients,
        help="going members told of each change (the notice sender's reads and claims)",
    )
    parser.add_argument(
        "--calendar-subscribed-share",
        type=float,
        default=defaults.calendar_subscribed_share,
        help="members whose calendar app polls their feed",
    )
    parser.add_argument(
        "--calendar-poll-seconds",
        type=float,
        default=defaults.calendar_poll_seconds,
        help="how often a calendar app polls a feed",
    )
    parser.add_argument(
        "--calendar-feed-events",
        type=int,
        default=defaults.calendar_feed_events,
        help="events in one member's feed",
    )
    parser.add_argument(
        "--referred-share",
        type=float,
        default=defaults.referred_share,
        help="first logins through a member's code, all through one code (the worst case)",
    )
    parser.add_argument(
        "--leaderboard-views-per-second",
        type=float,
        default=None,
        help="GET /api/v1/referrals/top (private: never cached by the CDN); default: logins",
    )
    parser.add_argument(
        "--shares-per-second",
        type=float,
        default=defaults.shares_per_second,
        help="event cards shared (POST /api/v1/events/{id}/share)",
    )
    parser.add_argument(
        "--no-channel-cards",
        dest="channel_cards",
        action="store_false",
        help="no ANNOUNCE_CHAT_ID: RSVPs write no card slot, the sender edits no card",
    )
    parser.add_argument("--page-size", type=int, default=defaults.page_size)
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default=defaults.profile,
        help="item contents: every text at its validation limit (max: ASCII; max-utf8: "
        "two-byte letters, e.g. Cyrillic) or typical lengths",
    )
    args = parser.parse_args(argv)
    if not all(
        0 <= share <= 1 for share in (args.cdn_hit_ratio, args.category_share, args.referred_share)
    ):
        parser.error("ratios and shares are between 0 and 1")
    if not 1 <= args.rsvp_events <= args.events or not 1 <= args.page_size <= 50:
        parser.error("need 1 <= rsvp-events <= events and 1 <= page-size <= 50")
    return Scenario(**vars(args))


def main(argv: Sequence[str] | None = None) -> int:
    report = compute(parse_args(argv))
    print(render(report))
    return 1 if report.over_limit else 0
