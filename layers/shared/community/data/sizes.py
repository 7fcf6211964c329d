"""Items as DynamoDB stores them, and their size by DynamoDB's own rules: what `make capacity`
(devkit.capacity) bills each request by. Kept here because it is PynamoDB's serialised form
that is measured, the exact attribute map a PutItem sends."""

import math
from decimal import Decimal
from typing import Any

from pynamodb.models import Model

# An attribute map in DynamoDB's wire form: {"name": {"S": "..."}, "count": {"N": "3"}, ...}.
StoredItem = dict[str, dict[str, Any]]


def stored_form(item: Model) -> StoredItem:
    """The attribute map PynamoDB writes for this item (what PutItem sends)."""
    serialized: StoredItem = item.serialize()
    return serialized


def item_size(item: StoredItem) -> int:
    """Bytes DynamoDB counts for an item: each attribute's UTF-8 name plus its value
    (docs "DynamoDB item sizes and formats")."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def value_size(value: dict[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(str(content).encode())
    if kind == "N":
        return number_size(str(content))
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "BS"):
        return sum(value_size({kind[0]: element}) for element in content)
    if kind == "NS":
        return sum(number_size(str(element)) for element in content)
    if kind == "L":
        # 3 bytes for the list, 1 more per element.
        return 3 + sum(1 + value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(
            1 + len(name.encode()) + value_size(element) for name, element in content.items()
        )
    raise ValueError(f"unknown DynamoDB type {kind}")


def number_size(number: str) -> int:
    """About one byte per two significant digits, plus one (leading/trailing zeros trimmed)."""
    digits = format(abs(Decimal(number)), "f").replace(".", "").strip("0")
    return math.ceil(len(digits) / 2) + 1
