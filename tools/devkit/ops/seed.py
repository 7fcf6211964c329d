"""`make seed-events FILE=events.json`: loads a JSON list of events into the configured events
table, all or nothing: every record is validated first, and one bad record (named by its
position and field) means nothing is written. An event starting in the past is a bad record
unless --allow-past (`make seed-events ALLOW_PAST=1`) says history is meant to be loaded.

The table is on DYNAMODB_ENDPOINT_URL if set, else the one a running `make run` of this
checkout uses (the one on --port/$PORT if given, else the only one running), found through the
run file it leaves in .local/ (devkit.local.runstate)."""

import argparse
import json
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from devkit.local.env import use_local_defaults
from devkit.local.runstate import NoServer, find, port_from_environment
from devkit.template.dynamo import configured_table_names, create_missing_tables, dynamodb_client
from devkit.template.reader import table_env_vars


def local_endpoint(port: int | None) -> str:
    """DYNAMODB_ENDPOINT_URL, else the DynamoDB of the running `make run` (on `port` if given),
    whose table names this process then uses too. Raises NoServer."""
    explicit = os.environ.get("DYNAMODB_ENDPOINT_URL")
    if explicit:
        return explicit
    server = find(port)
    # The tables the server reads are where records must go, whatever this shell has set.
    os.environ.update(server.tables)
    return server.dynamodb_endpoint


def use_tables(endpoint: str, region: str) -> dict[str, str]:
    """Point this process at `endpoint` and the configured tables, creating missing ones, and
    start `community` on them (its settings are read once, by the start-up)."""
    from community import startup

    os.environ["DYNAMODB_ENDPOINT_URL"] = endpoint
    names = configured_table_names()
    for variable, logical_id in table_env_vars().items():
        os.environ[variable] = names[logical_id]
    create_missing_tables(dynamodb_client(endpoint, region), names)
    startup.start()
    return names


def load(records: object, *, allow_past: bool = False) -> int:
    """Validate every record, then write them all; InvalidRequest names the bad ones."""
    from community.services import seeding

    return seeding.load(seeding.validate_records(records, allow_past=allow_past))


def sample_events(now: datetime) -> list[dict[str, Any]]:
    """`make run`'s starting set, relative to now so it keeps showing the filtering: four
    upcoming events, one past, one already started and one upcoming but inactive."""

    def event(title: str, starts_in: timedelta, hours: int, **fields: Any) -> dict[str, Any]:
        start = (now + starts_in).replace(minute=0, second=0, microsecond=0)
        return {
            "title": title,
            "description": f"{title}: sample event for local development.",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(hours=hours)).isoformat(),
            "location": "Community space, 1 Main Street",
            "price": 0,
            "capacity": None,
            "image_url": None,
            "is_active": True,
            **fields,
        }

    return [
        event("Welcome meetup", timedelta(days=2), 2, capacity=30, category="meetup"),
        event(
            "Python workshop",
            timedelta(days=5),
            3,
            price="15.00",
            capacity=20,
            image_url="https://example.com/images/python-workshop.png",
            category="workshop",
        ),
        event(
            "Community hike", timedelta(days=12), 6, location="North trailhead", category="sports"
        ),
        event("Demo night", timedelta(days=30), 3, price="5.50", capacity=80, category="talk"),
        event("Kick-off party (past)", -timedelta(days=10), 4),
        event("Board games (started)", -timedelta(hours=2), 5),
        event("Rooftop cinema (inactive)", timedelta(days=7), 3, is_active=False),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path, help="a JSON list of events")
    parser.add_argument("--port", type=int, default=port_from_environment())
    parser.add_argument(
        "--allow-past",
        action="store_true",
        help="load events that started in the past too (history); refused without it",
    )
    args = parser.parse_args()
    use_local_defaults()
    try:
        endpoint = local_endpoint(args.port)
    except NoServer as error:
        print(f"no DynamoDB to load into: {error}, or set DYNAMODB_ENDPOINT_URL", file=sys.stderr)
        return 2
    try:
        records = json.loads(args.file.read_text())
    except (OSError, ValueError) as error:
        print(f"{args.file}: cannot read a JSON list: {error}", file=sys.stderr)
        return 2
    names = use_tables(endpoint, os.environ["AWS_REGION"])
    from community.errors import InvalidRequest

    try:
        loaded = load(records, allow_past=args.allow_past)
    except InvalidRequest as error:
        print(f"{args.file}: nothing loaded\n{error.detail}", file=sys.stderr)
        return 1
    print(f"loaded {loaded} events into {names['EventsTable']} at {endpoint}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
