"""DynamoDB's billing of each call, from the items' sizes and the template's indexes: read and
write units per call, on which table or index and partition key value."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from devkit.capacity.scenario import Items, Scenario, StoredItem
from devkit.capacity.tables import TABLE_OF, Table


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
        if isinstance(value, str) and value.startswith("CALENDAR#"):
            return f"{attribute}=<one member's calendar token>", members
        if isinstance(value, str) and value.startswith("NOTICE#") and "#A" in value:
            position = next(
                i for i, event in enumerate(self.items.events) if event["id"]["S"] in value
            )
            return f"pk=<event #{position + 1}'s card slot>", 1
        if isinstance(value, str) and value.startswith("TOLD#"):
            return "pk=<one member's notice claim>", members
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

    def query(self, kind: str, index: str | None, items: Sequence[StoredItem]) -> Call:
        """A Query of an index, or of the table itself (index None)."""
        table = self.tables[TABLE_OF[kind]]
        if index is None:
            entries: list[StoredItem | None] = list(items)
        else:
            entries = [table.indexes[index].entry(item, table.keys) for item in items]
        size = sum(item_size(entry) for entry in entries)
        units = read_units(size, consistent=False)
        return Call("Query", [self._usage(kind, items[0], index, rcu=units)])

    def query_partition(
        self, kind: str, items: Sequence[StoredItem], consistent: bool = False
    ) -> Call:
        """A Query of one partition of the table itself: billed on every item read, a filter
        (the waitlist's on `status`) dropping some of them after."""
        units = read_units(sum(item_size(item) for item in items), consistent)
        return Call("Query", [self._usage(kind, items[0], None, rcu=units)])

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
