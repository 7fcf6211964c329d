"""The printed report of a model run: item sizes, units per request, table, index and partition
key value, the route throttle, and the cost at on-demand prices."""

from collections import defaultdict

from devkit.capacity.billing import item_size, write_units
from devkit.capacity.model import PARTITION_RCU, PARTITION_WCU, Load, Report
from devkit.capacity.scenario import StoredItem
from devkit.capacity.tables import TABLE_OF, route_throttle

# DynamoDB on-demand, us-east-1, Standard table class: the prices since the 50% cut of
# 2024-11-01 (aws.amazon.com/dynamodb/pricing/on-demand, checked 2024-11).
PRICES_AS_OF = "us-east-1 on-demand, Standard table class, prices of 2024-11"
PRICE_PER_MILLION_WRITES = 0.625
PRICE_PER_MILLION_READS = 0.125
PRICE_PER_GB_MONTH = 0.25
PITR_PER_GB_MONTH = 0.20
# Every stored item and index entry carries 100 bytes of storage overhead (billed storage).
ITEM_OVERHEAD = 100


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
        f"{_n(s.waitlist_joins_per_second)} waitlist joins/s and "
        f"{_n(s.waitlist_leaves_per_second)} leaves/s ({s.event_capacity} seats, "
        f"{s.waitlist_length} waiting per event); "
        f"at one event's door {_n(s.checkins_per_second)} check-ins/s, "
        f"{_n(s.ticket_views_per_second)} ticket views/s, "
        f"{_n(s.attendee_list_reads_per_second)} attendee-list reads/s; "
        f"{_n(s.logins)} first logins/s, {s.referred_share:.0%} of them through one "
        f"member's code; {_n(s.leaderboard_views)} leaderboard reads/s; "
        f"page size {s.page_size}; item profile '{s.profile}'."
    )
    out.append("")
    out.append("Item sizes (measured on the serialised items; write units = KB rounded up):")
    tables = report.tables
    rows = []
    samples = [
        ("user", report.items.user),
        ("guard", report.items.guard),
        ("referrer", report.items.referrer_counted),
        ("referral_month", report.items.referral_month_counted),
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
        operations = _operations([call.operation for call in request.variants[0][1]])
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


def _operations(names: list[str]) -> str:
    """The calls in order, a run of one operation as `<name> x<count>` (a notice's claims are
    one PutItem per member)."""
    runs: list[tuple[str, int]] = []
    for name in names:
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + 1)
        else:
            runs.append((name, 1))
    return " + ".join(name if count == 1 else f"{name} x{count}" for name, count in runs)
