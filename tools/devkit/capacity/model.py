"""The model run: every request type's units added up per request, per table and index, per
partition key value and per route, against DynamoDB's per-partition limits."""

from collections import defaultdict
from dataclasses import dataclass, field

from devkit.capacity.billing import Billing
from devkit.capacity.request_types import RequestType, request_types
from devkit.capacity.scenario import Items, Scenario, build_items
from devkit.capacity.tables import Table, read_tables

# Documented throughput of one partition (and at most of one partition key value).
PARTITION_RCU = 3000.0
PARTITION_WCU = 1000.0


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
