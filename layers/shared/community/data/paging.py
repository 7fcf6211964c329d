"""One page of a listing index: the events listings and a member's RSVPs are both a partition
of a GSI ranged by start_date, read a page at a time from a (start_date, id) position."""

from typing import Any

from pynamodb.expressions.condition import Condition

from community.data.backend import backend_errors


def query_page(
    index: Any,
    partition: tuple[str, str],
    range_condition: Condition,
    count: int,
    after: tuple[str, str] | None,
    *,
    item_key: str,
    filter_condition: Condition | None = None,
) -> list[Any]:
    """Up to `count` entries of the index's `partition` (attribute name, value) that meet
    `range_condition`, in start order, after the position `after` (start_date, the table key
    `item_key`): one Query. The ExclusiveStartKey is rebuilt here from those two values, so
    whatever a client's cursor held, the read stays in the partition. With `filter_condition`,
    PynamoDB reads on until `count` entries pass it (or the partition ends)."""
    name, value = partition
    start_key = None
    if after is not None:
        start_date, item_id = after
        start_key = {
            name: {"S": value},
            "start_date": {"S": start_date},
            item_key: {"S": item_id},
        }
    with backend_errors():
        return list(
            index.query(
                value,
                range_condition,
                limit=count,
                last_evaluated_key=start_key,
                filter_condition=filter_condition,
            )
        )
