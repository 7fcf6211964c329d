"""The tables and indexes of template.yaml (keys, projections), and its route throttle."""

from dataclasses import dataclass

from devkit.capacity.scenario import StoredItem
from devkit.template.reader import load_template, resources

# Which table each item kind lives in (template logical ids); the unit test
# test_models_match_template checks the models' keys against the same tables.
TABLE_OF = {
    "user": "UsersTable",
    "guard": "UsersTable",
    "referrer": "UsersTable",
    "referral_month": "UsersTable",
    "calendar_guard": "UsersTable",
    "auth_code": "AuthCodesTable",
    "event": "EventsTable",
    "attendance": "AttendancesTable",
    "notification": "NotificationsTable",
}


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
