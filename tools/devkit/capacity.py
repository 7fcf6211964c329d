"""`make capacity`: launch-day DynamoDB capacity on paper, from the code and the template.

Item sizes are measured on real items: built the way the services build them (events through
`community.services.events.to_item`), serialised by PynamoDB as a PutItem would send them, and
sized by DynamoDB's rules (`community.data.sizes`). Tables, indexes and projections are read
from template.yaml, so an index entry is what the template projects. Each request type is
modelled as the DynamoDB calls its handler makes (the same sequence as the CALLS table of
tests/integration/test_fault_injection.py, which a unit test compares), and billed:

- reads: GetItem and each BatchGetItem item by its own size rounded up to 4 KB; a Query by the
  sum of the entries it returns rounded up to 4 KB; eventually consistent = half a unit, and
  a GSI is always eventually consistent; a miss still costs the minimum;
- writes: the larger of the item's before and after images, rounded up to 1 KB; twice that in
  TransactWriteItems (prepare and commit), condition checks included; a GSI is written (1 unit
  per KB of its entry, not transactional) when an entry appears, disappears (1 write), changes
  key (2: delete and put) or changes a projected attribute (1); otherwise not at all.

Then per table, per index and per partition key value: units per second, against DynamoDB's
per-partition limits (3,000 RCU/s, 1,000 WCU/s for one partition key value; adaptive capacity
and split-for-heat cannot split a single key value of a base table), the API Gateway route
throttle of the template, and the cost at on-demand prices. Exit status 1 when a partition
key value is over its limit."""

import argparse
import math
import os
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from devkit.template import load_template, resources, table_env_vars

StoredItem = dict[str, dict[str, Any]]

# DynamoDB on-demand, us-east-1, Standard table class: the prices since the 50% cut of
# 2024-11-01 (aws.amazon.com/dynamodb/pricing/on-demand, checked 2024-11).
PRICES_AS_OF = "us-east-1 on-demand, Standard table class, prices of 2024-11"
PRICE_PER_MILLION_WRITES = 0.625
PRICE_PER_MILLION_READS = 0.125
PRICE_PER_GB_MONTH = 0.25
PITR_PER_GB_MONTH = 0.20
# Documented throughput of one partition (and at most of one partition key value).
PARTITION_RCU = 3000.0
PARTITION_WCU = 1000.0
# Every stored item and index entry carries 100 bytes of storage overhead (billed storage).
ITEM_OVERHEAD = 100
CATEGORIES = ("meetup", "workshop", "talk", "social", "sports", "online")
# Which table each item kind lives in (template logical ids); the unit test
# test_models_match_template checks the models' keys against the same tables.
TABLE_OF = {
    "user": "UsersTable",
    "guard": "UsersTable",
    "auth_code": "AuthCodesTable",
    "event": "EventsTable",
    "attendance": "AttendancesTable",
}


# ---------------------------------------------------------------------------------------------
# The workload


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
    logins_per_second: float | None = None
    email_verifications_per_second: float | None = None
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
    def origin_share(self) -> float:
        """The share of cacheable views that reach Lambda (CloudFront misses)."""
        return 1.0 - self.cdn_hit_ratio


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
    parser.add_argument("--page-size", type=int, default=defaults.page_size)
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default=defaults.profile,
        help="item contents: every text at its validation limit (max: ASCII; max-utf8: "
        "two-byte letters, e.g. Cyrillic) or typical lengths",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.cdn_hit_ratio <= 1 or not 0 <= args.category_share <= 1:
        parser.error("ratios and shares are between 0 and 1")
    if not 1 <= args.rsvp_events <= args.events or not 1 <= args.page_size <= 50:
        parser.error("need 1 <= rsvp-events <= events and 1 <= page-size <= 50")
    return Scenario(**vars(args))


# ---------------------------------------------------------------------------------------------
# Items, as the code writes them


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
    auth_code: StoredItem
    attendance: StoredItem
    # One per upcoming event, in start order; event i has category CATEGORIES[i % 6].
    events: list[StoredItem]
    member_id: str
    member_pk: str
    referral_code: str


def _use_placeholder_tables() -> None:
    """`community` reads its settings once, at import; nothing here connects anywhere."""
    for variable, logical_id in table_env_vars().items():
        os.environ.setdefault(variable, logical_id)


def build_items(scenario: Scenario) -> Items:
    _use_placeholder_tables()
    from community.data.models import Attendance, AuthCode, ReferralGuard, User
    from community.data.sizes import stored_form
    from community.schemas import EventIn
    from community.services.events import to_item

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
        role="member",
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
        record = EventIn(
            id=f"00000000-0000-4000-8000-{index:012d}",
            title=prose * text.title,
            description=prose * text.description,
            start_date=start,
            end_date=start + timedelta(hours=3),
            location=prose * text.location,
            price=Decimal("12345678.90"),
            capacity=1_000_000,
            image_url=_url(text.image_url),
            category=CATEGORIES[index % len(CATEGORIES)],
            is_active=True,
        )
        event = to_item(record, now)
        # An event well into its RSVPs, edited once by an admin: every attribute present.
        event.attendee_count = 123_456
        event.updated_at = now
        events.append(stored_form(event))
    attendance = Attendance(
        events[0]["id"]["S"], member_id, start_date=events[0]["start_date"]["S"], created_at=now
    )
    return Items(
        user=stored_form(user),
        pending_user=stored_form(pending),
        verified_user=stored_form(verified),
        guard=stored_form(guard),
        auth_code=stored_form(auth_code),
        attendance=stored_form(attendance),
        events=events,
        member_id=member_id,
        member_pk=user.pk,
        referral_code=referral_code,
    )


# ---------------------------------------------------------------------------------------------
# Tables and indexes, from the template


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str
    non_key: tuple[str, ...] = ()

    def entry(self, item: StoredItem | None, table_keys: tuple[str, ...]) -> StoredItem | None:
        """The item's entry in this index (None when the item lacks a key of it: sparse)."""
        if item is None or any(key not in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return dict(item)
        kept = set(table_keys) | set(self.keys)
        if self.projection == "INCLUDE":
            kept |= set(self.non_key)
        return {name: value for name, value in item.items() if name in kept}


@dataclass(frozen=True)
class Table:
    name: str
    keys: tuple[str, ...]
    indexes: dict[str, Index]


def _key_names(schema: list[dict[str, str]]) -> tuple[str, ...]:
    ordered = sorted(schema, key=lambda key: key["KeyType"] != "HASH")
    return tuple(key["AttributeName"] for key in ordered)


def read_tables() -> dict[str, Table]:
    tables = {}
    for logical_id, resource in resources("AWS::DynamoDB::Table").items():
        properties = resource["Properties"]
        indexes = {}
        for declared in properties.get("GlobalSecondaryIndexes", []):
            projection = declared["Projection"]
            indexes[declared["IndexName"]] = Index(
                name=declared["IndexName"],
                keys=_key_names(declared["KeySchema"]),
                projection=projection["ProjectionType"],
                non_key=tuple(projection.get("NonKeyAttributes", ())),
            )
        tables[logical_id] = Table(logical_id, _key_names(properties["KeySchema"]), indexes)
    return tables


def route_throttle() -> tuple[float, float]:
    """(rate, burst) every route of the HTTP API gets by default: the template's parameters'
    defaults (a deployment may override them)."""
    parameters = load_template()["Parameters"]
    return (
        float(parameters["ThrottlingRateLimit"]["Default"]),
        float(parameters["ThrottlingBurstLimit"]["Default"]),
    )


# ---------------------------------------------------------------------------------------------
# Units


def item_size(item: StoredItem | None) -> int:
    from community.data.sizes import item_size as size

    return 0 if item is None else size(item)


def read_units(size: int, consistent: bool) -> float:
    # A miss or an empty result still costs one read of the minimum size.
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


@dataclass(frozen=True)
class Usage:
    """Units one call consumes on one partition key value of a table or index. `spread` is
    how many key values like this one share the load evenly (members, codes)."""

    table: str
    index: str | None
    key: str
    spread: int
    rcu: float = 0.0
    wcu: float = 0.0


@dataclass(frozen=True)
class Call:
    operation: str
    usage: list[Usage]


@dataclass
class Billing:
    """Builds the calls of each request type from the items and the template's tables."""

    scenario: Scenario
    items: Items
    tables: dict[str, Table]

    def key_of(self, item: StoredItem, attribute: str) -> tuple[str, int]:
        """A partition key value's label, and over how many such values the load spreads."""
        value = next(iter(item[attribute].values()))
        members = self.scenario.members
        if value in (self.items.member_pk, self.items.member_id):
            return f"{attribute}=<one member>", members
        if value == self.items.referral_code or value == f"REFERRAL#{self.items.referral_code}":
            return f"{attribute}=<one referral code>", members
        if attribute == "code_hash":
            return "code_hash=<one login code>", 1_000_000
        if attribute == "id" or attribute == "event_id":
            position = next(
                i for i, event in enumerate(self.items.events) if event["id"]["S"] == value
            )
            return f"{attribute}=<event #{position + 1}>", 1
        return f"{attribute}={value}", 1

    def _usage(self, kind: str, item: StoredItem, index: str | None, **units: float) -> Usage:
        table = self.tables[TABLE_OF[kind]]
        attribute = table.indexes[index].keys[0] if index else table.keys[0]
        key, spread = self.key_of(item, attribute)
        return Usage(table.name, index, key, spread, **units)

    def get(self, kind: str, item: StoredItem, consistent: bool = False) -> Call:
        units = read_units(item_size(item), consistent)
        return Call("GetItem", [self._usage(kind, item, None, rcu=units)])

    def query(self, kind: str, index: str, items: Sequence[StoredItem]) -> Call:
        table = self.tables[TABLE_OF[kind]]
        entries = [table.indexes[index].entry(item, table.keys) for item in items]
        size = sum(item_size(entry) for entry in entries)
        units = read_units(size, consistent=False)
        return Call("Query", [self._usage(kind, items[0], index, rcu=units)])

    def batch_get(self, kind: str, items: Sequence[StoredItem]) -> Call:
        return Call(
            "BatchGetItem",
            [
                self._usage(kind, item, None, rcu=read_units(item_size(item), False))
                for item in items
            ],
        )

    def write(
        self,
        kind: str,
        before: StoredItem | None,
        after: StoredItem | None,
        transactional: bool = False,
    ) -> list[Usage]:
        """The base table write and every index write of changing `before` into `after`
        (None: absent)."""
        table = self.tables[TABLE_OF[kind]]
        subject = after if after is not None else before
        assert subject is not None
        factor = 2 if transactional else 1
        base = write_units(max(item_size(before), item_size(after))) * factor
        usage = [self._usage(kind, subject, None, wcu=base)]
        for index in table.indexes.values():
            old, new = index.entry(before, table.keys), index.entry(after, table.keys)
            if old == new:
                continue  # not in the index, or nothing it holds changed: no index write
            if (
                old is not None
                and new is not None
                and all(old[key] == new[key] for key in index.keys)
            ):
                changed = [new]  # a projected attribute changed: one write
            else:
                # Appears, disappears (one write each), or moves: delete and put (two).
                changed = [entry for entry in (old, new) if entry is not None]
            usage += [
                self._usage(kind, entry, index.name, wcu=write_units(item_size(entry)))
                for entry in changed
            ]
        return usage

    def refused_write(self, kind: str, key: StoredItem) -> list[Usage]:
        """A conditional write whose condition fails on a missing item: the minimum unit."""
        return [self._usage(kind, key, None, wcu=1)]

    def condition_check(self, kind: str, item: StoredItem) -> list[Usage]:
        # Billed like a transactional write of the checked item; nothing is written.
        units = 2 * write_units(item_size(item))
        return [self._usage(kind, item, None, wcu=units)]


def _counted(event: StoredItem, change: int) -> StoredItem:
    """The event after `ADD attendee_count change` (what the RSVP transactions do)."""
    after = dict(event)
    after["attendee_count"] = {"N": str(int(event["attendee_count"]["N"]) + change)}
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

    def attendance_for(event: StoredItem) -> StoredItem:
        return attendance | {"event_id": event["id"], "start_date": event["start_date"]}

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
                    1.0,
                    [
                        Call("DeleteItem", m.write("auth_code", items.auth_code, None)),
                        # The returning-member refresh, refused: the member is not there yet.
                        Call("UpdateItem", m.refused_write("user", {"pk": user["pk"]})),
                        Call(
                            "TransactWriteItems",
                            m.write("user", None, user, transactional=True)
                            + m.write("guard", None, items.guard, transactional=True)
                            + m.condition_check("guard", items.guard),
                        ),
                    ],
                )
            ],
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
                        + m.write("event", event, _counted(event, 1), transactional=True),
                    ),
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
                        m.write("attendance", attendance_for(event), None, transactional=True)
                        + m.write("event", event, _counted(event, -1), transactional=True),
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
    ]


def listing_calls(model: Billing, index: str, first: list[StoredItem]) -> list[Call]:
    """An upcoming page (services.events.upcoming_page): one Query of page + 1 entries on the
    listing index (by_category for a category's listing; the extra entry only says whether
    there is a next page), then one BatchGetItem of the page's events from the table."""
    return [model.query("event", index, first), model.batch_get("event", first[:-1])]


# ---------------------------------------------------------------------------------------------
# The report


@dataclass
class Load:
    rcu: float = 0.0
    wcu: float = 0.0


@dataclass
class Report:
    scenario: Scenario
    items: Items
    tables: dict[str, Table]
    requests: list[RequestType]
    per_request: dict[str, dict[str, Load]] = field(default_factory=dict)
    per_table: dict[str, Load] = field(default_factory=dict)
    per_key: dict[tuple[str, str | None, str], Load] = field(default_factory=dict)
    per_route: dict[str, float] = field(default_factory=dict)

    @property
    def over_limit(self) -> list[tuple[str, str | None, str, Load]]:
        return [
            (table, index, key, load)
            for (table, index, key), load in self.per_key.items()
            if load.rcu > PARTITION_RCU or load.wcu > PARTITION_WCU
        ]


def compute(scenario: Scenario) -> Report:
    items = build_items(scenario)
    tables = read_tables()
    requests = request_types(Billing(scenario, items, tables))
    report = Report(scenario, items, tables, requests)
    per_table: dict[str, Load] = defaultdict(Load)
    per_key: dict[tuple[str, str | None, str], Load] = defaultdict(Load)
    per_route: dict[str, float] = defaultdict(float)
    for request in requests:
        per_request: dict[str, Load] = defaultdict(Load)
        per_route[request.function] += request.rate
        for share, calls in request.variants:
            for call in calls:
                for usage in call.usage:
                    where = usage.table + (f".{usage.index}" if usage.index else "")
                    per_request[where].rcu += share * usage.rcu
                    per_request[where].wcu += share * usage.wcu
                    rate = request.rate * share
                    per_table[where].rcu += rate * usage.rcu
                    per_table[where].wcu += rate * usage.wcu
                    key = per_key[(usage.table, usage.index, usage.key)]
                    key.rcu += rate * usage.rcu / usage.spread
                    key.wcu += rate * usage.wcu / usage.spread
        report.per_request[request.name] = dict(per_request)
    report.per_table, report.per_key, report.per_route = (
        dict(per_table),
        dict(per_key),
        dict(per_route),
    )
    return report


def calls_of(report: Report) -> dict[str, list[str]]:
    """Each function's DynamoDB operations, in order, as modelled (first variant)."""
    return {
        request.function: [call.operation for call in request.variants[0][1]]
        for request in report.requests
    }


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.rjust(w) if i else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *rows]
    ]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


def _n(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".") or "0"


def monthly_storage_gb(report: Report) -> float:
    s, items, tables = report.scenario, report.items, report.tables
    rsvps = s.rsvps_per_second * s.rsvp_minutes * 60

    def stored(kind: str, item: StoredItem) -> int:
        table = tables[TABLE_OF[kind]]
        size = item_size(item) + ITEM_OVERHEAD
        for index in table.indexes.values():
            entry = index.entry(item, table.keys)
            if entry is not None:
                size += item_size(entry) + ITEM_OVERHEAD
        return size

    total: float = s.members * (stored("user", items.user) + stored("guard", items.guard))
    total += sum(stored("event", event) for event in items.events)
    total += rsvps * stored("attendance", items.attendance)
    return total / 1024**3


def render(report: Report) -> str:
    s = report.scenario
    out: list[str] = []
    out.append(
        f"Scenario: {s.members:,} members, {s.events} upcoming events; "
        f"{_n(s.rsvps_per_second)} RSVPs/s over {s.rsvp_events} events for {_n(s.rsvp_minutes)} "
        f"min; {_n(s.listing_views_per_second)} listing views/s at {s.cdn_hit_ratio:.0%} CDN "
        f"hits ({s.category_share:.0%} of them category listings); "
        f"{_n(s.detail_views_per_second)} detail views/s (same CDN); "
        f"{_n(s.my_events_per_second)} my-events/s; {_n(s.cancels_per_second)} cancels/s; "
        f"{_n(s.logins)} first logins/s; page size {s.page_size}; item profile '{s.profile}'."
    )
    out.append("")
    out.append("Item sizes (measured on the serialised items; write units = KB rounded up):")
    tables = report.tables
    rows = []
    samples = [
        ("user", report.items.user),
        ("guard", report.items.guard),
        ("auth_code", report.items.auth_code),
        ("event", report.items.events[0]),
        ("attendance", report.items.attendance),
    ]
    for kind, item in samples:
        table = tables[TABLE_OF[kind]]
        rows.append(
            [f"{table.name} {kind}", f"{item_size(item):,}", str(write_units(item_size(item))), ""]
        )
        for index in table.indexes.values():
            entry = index.entry(item, table.keys)
            if entry is not None:
                rows.append(
                    [
                        f"  {index.name} entry ({index.projection})",
                        f"{item_size(entry):,}",
                        str(write_units(item_size(entry))),
                        ", ".join(sorted(set(entry) - set(table.keys) - set(index.keys)))
                        if index.projection != "ALL"
                        else "",
                    ]
                )
    out.append(_table(rows, ["item", "bytes", "WCU", "non-key attributes projected"]))
    out.append("")
    out.append("Per request (units per request, then per second at the request's rate):")
    rows = []
    for request in report.requests:
        usage = report.per_request[request.name]
        rcu = sum(load.rcu for load in usage.values())
        wcu = sum(load.wcu for load in usage.values())
        operations = " + ".join(call.operation for call in request.variants[0][1])
        rows.append(
            [
                request.name,
                _n(request.rate),
                operations,
                _n(rcu),
                _n(wcu),
                _n(request.rate * rcu),
                _n(request.rate * wcu),
            ]
        )
    out.append(
        _table(rows, ["request", "req/s", "DynamoDB calls", "RCU/req", "WCU/req", "RCU/s", "WCU/s"])
    )
    out.append("")
    places = sorted(report.per_table)
    out.append("The same units per request, by table and index (read/write):")
    rows = []
    for request in report.requests:
        usage = report.per_request[request.name]
        rows.append(
            [request.name]
            + [
                f"{_n(usage[place].rcu)}/{_n(usage[place].wcu)}" if place in usage else "-"
                for place in places
            ]
        )
    short = [place.replace("Table", "") for place in places]
    out.append(_table(rows, ["request", *short]))
    out.append("")
    out.append("Per table and index (units per second):")
    rows = [[where, _n(load.rcu), _n(load.wcu)] for where, load in sorted(report.per_table.items())]
    out.append(_table(rows, ["table/index", "RCU/s", "WCU/s"]))
    out.append("")
    out.append(
        f"Per partition key value (limits {PARTITION_RCU:,.0f} RCU/s and {PARTITION_WCU:,.0f} "
        "WCU/s each; the 3 busiest of each table and index):"
    )
    rows = []
    by_place: dict[tuple[str, str | None], list[tuple[str, Load]]] = defaultdict(list)
    for (table_name, index_name, key), load in report.per_key.items():
        by_place[(table_name, index_name)].append((key, load))
    for (table_name, index_name), keys in sorted(
        by_place.items(), key=lambda p: (p[0][0], p[0][1] or "")
    ):
        keys.sort(key=lambda kv: -max(kv[1].rcu / PARTITION_RCU, kv[1].wcu / PARTITION_WCU))
        for key, load in keys[:3]:
            flag = "OVER" if load.rcu > PARTITION_RCU or load.wcu > PARTITION_WCU else "ok"
            rows.append(
                [
                    table_name + (f".{index_name}" if index_name else ""),
                    key,
                    _n(load.rcu),
                    f"{load.rcu / PARTITION_RCU:.0%}",
                    _n(load.wcu),
                    f"{load.wcu / PARTITION_WCU:.0%}",
                    flag,
                ]
            )
    out.append(
        _table(rows, ["table/index", "partition key", "RCU/s", "of limit", "WCU/s", "of limit", ""])
    )
    out.append("")
    rate, burst = route_throttle()
    out.append(
        f"API Gateway route throttle (template defaults: {rate:,.0f} req/s, burst {burst:,.0f}; "
        "a deployment overrides them with ThrottlingRateLimit/ThrottlingBurstLimit):"
    )
    rows = [
        [route, _n(load), "THROTTLED" if load > rate else "ok"]
        for route, load in sorted(report.per_route.items())
    ]
    out.append(_table(rows, ["route (function)", "req/s", ""]))
    out.append("")
    reads = sum(load.rcu for load in report.per_table.values())
    writes = sum(load.wcu for load in report.per_table.values())
    per_hour = 3600 * (reads * PRICE_PER_MILLION_READS + writes * PRICE_PER_MILLION_WRITES) / 1e6
    peak = per_hour * s.rsvp_minutes / 60
    storage = monthly_storage_gb(report)
    storage_cost = storage * (PRICE_PER_GB_MONTH + PITR_PER_GB_MONTH)
    out.append(
        f"Cost ({PRICES_AS_OF}: ${PRICE_PER_MILLION_WRITES} per million write request units, "
        f"${PRICE_PER_MILLION_READS} per million read request units, ${PRICE_PER_GB_MONTH} per "
        f"GB-month stored + ${PITR_PER_GB_MONTH} per GB-month of point-in-time recovery; free "
        "tier ignored):"
    )
    out.append(
        f"  at these rates: {_n(reads)} RCU/s + {_n(writes)} WCU/s = ${per_hour:,.2f} per hour"
    )
    out.append(f"  one peak of {_n(s.rsvp_minutes)} min: ${peak:,.2f}")
    out.append(
        f"  storage: {storage:.3f} GB (members, events, the peak's RSVPs, index entries, "
        f"100 B overhead each): ${storage_cost:,.2f} per month"
    )
    out.append(
        f"  monthly, one launch peak + storage: ${peak + storage_cost:,.2f}; were these rates "
        f"held all month (730 h): ${per_hour * 730:,.0f}"
    )
    out.append("")
    over = report.over_limit
    if over:
        out.append(f"{len(over)} partition key value(s) OVER the per-partition limits:")
        for table_name, index_name, key, load in over:
            place = table_name + (f".{index_name}" if index_name else "")
            out.append(f"  {place} {key}: {_n(load.rcu)} RCU/s, {_n(load.wcu)} WCU/s")
    else:
        out.append("Every partition key value is under its limits.")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    report = compute(parse_args(argv))
    print(render(report))
    return 1 if report.over_limit else 0


if __name__ == "__main__":
    sys.exit(main())
