"""Creating the template's tables on a DynamoDB-compatible endpoint."""

import os
from typing import Any

import boto3

from devkit.local.env import table_names
from devkit.template.reader import create_table_requests, table_env_vars


def configured_table_names() -> dict[str, str]:
    """Table logical id -> physical name, from the environment or the local defaults."""
    defaults = table_names()
    return {
        logical_id: os.environ.get(variable) or defaults[variable]
        for variable, logical_id in table_env_vars().items()
    }


def dynamodb_client(endpoint_url: str | None, region: str = "us-east-1") -> Any:
    return boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)


def create_missing_tables(
    client: Any, table_names: dict[str, str], *, ttl: bool = True
) -> list[str]:
    """Create the template's tables that are missing. `ttl=False` leaves TTL off, for servers
    without the UpdateTimeToLive API (dynalite); codes still expire by the redemption's
    condition, TTL only cleans up."""
    existing = set(client.list_tables()["TableNames"])
    created = []
    for request in create_table_requests(table_names):
        name = request["create"]["TableName"]
        if name in existing:
            continue
        created_status = client.create_table(**request["create"])["TableDescription"]["TableStatus"]
        if created_status != "ACTIVE":  # moto's tables are; dynalite's and DynamoDB's are not yet
            # The waiter's own 20 s between polls is all waiting for a local server, whose
            # tables are ACTIVE within milliseconds; the bound stays the waiter's 500 s.
            client.get_waiter("table_exists").wait(
                TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 500}
            )
        if ttl and request["ttl_attribute"]:
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={
                    "AttributeName": request["ttl_attribute"],
                    "Enabled": True,
                },
            )
        created.append(name)
    return created
