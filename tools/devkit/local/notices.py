"""What Lambda's event source mapping does for NoticeSenderFunction in AWS, done locally: follow
the notifications table's DynamoDB Stream (moto keeps one, docs: /work/shared/notes), pick the
records the mapping's filter would pass (INSERTs of NOTICE# keys), and hand them to the
function's handler in Lambda's event shape, a batch at a time. `make run` runs it in a thread,
so a notice is sent as it is written; the tests call `deliver` themselves.

A batch the handler reports as partly failed is handed over again from its first failed record,
up to MAX_RETRIES times (the template's MaximumRetryAttempts), then dropped with a log line (AWS:
the on-failure queue)."""

import contextlib
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3

NOTICE_PREFIX = "NOTICE#"
BATCH_SIZE = 10
MAX_RETRIES = 5
FUNCTION = "NoticeSenderFunction"
Invoke = Callable[[dict[str, Any]], dict[str, Any]]


def passes_filter(record: dict[str, Any]) -> bool:
    """The template's FilterCriteria: INSERT, and a key starting with NOTICE#. Also drops
    what only moto writes: an UpdateItem that creates its item (the channel card's minute slot,
    data/outbox.py) gives DynamoDB's one INSERT with the whole new item, but moto records two,
    the bare key first (its put of the empty item) and then the item."""
    change = record.get("dynamodb", {})
    key = change.get("Keys", {}).get("pk", {}).get("S", "")
    bare = set(change.get("NewImage") or {}) <= set(change.get("Keys") or {})
    return record.get("eventName") == "INSERT" and key.startswith(NOTICE_PREFIX) and not bare


def lambda_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A record of GetRecords as Lambda hands it to a function (JSON: the creation time as
    epoch seconds, as Lambda's event has it)."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": record.get("eventID", ""),
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }


class StreamFollower:
    """The notifications table's stream, read from now on (or from its start)."""

    def __init__(
        self, table: str, *, endpoint_url: str | None, region: str, from_start: bool = False
    ) -> None:
        self.region = region
        dynamodb = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)
        self.streams = boto3.client(
            "dynamodbstreams", endpoint_url=endpoint_url, region_name=region
        )
        self.arn: str = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        shards = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        position = "TRIM_HORIZON" if from_start else "LATEST"
        self.iterators: dict[str, str | None] = {
            shard["ShardId"]: self.streams.get_shard_iterator(
                StreamArn=self.arn, ShardId=shard["ShardId"], ShardIteratorType=position
            )["ShardIterator"]
            for shard in shards
        }

    def new_records(self) -> list[dict[str, Any]]:
        """The records written since the last call that the filter passes, Lambda-shaped."""
        found = []
        for shard, iterator in self.iterators.items():
            if iterator is None:
                continue
            answer = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            self.iterators[shard] = answer.get("NextShardIterator")
            found += [
                lambda_record(record, self.arn, self.region)
                for record in answer.get("Records", [])
                if passes_filter(record)
            ]
        return found


def deliver(records: list[dict[str, Any]], invoke: Invoke, *, log: Callable[[str], None]) -> int:
    """Hand `records` to the handler in batches, each partly failed batch again from its first
    failed record (at most MAX_RETRIES times); the number of records given up on."""
    given_up = 0
    pending = list(records)
    while pending:
        batch, pending = pending[:BATCH_SIZE], pending[BATCH_SIZE:]
        for _ in range(MAX_RETRIES + 1):
            failed = _failed_from(batch, invoke({"Records": batch}))
            if failed is None:
                break
            batch = batch[failed:]
        else:
            given_up += len(batch)
            log(f"notices: gave up on {len(batch)} record(s) after {MAX_RETRIES} retries")
    return given_up


def _failed_from(batch: list[dict[str, Any]], response: dict[str, Any]) -> int | None:
    """Where Lambda would resume a stream batch: its first reported failure, or None."""
    failures = {item["itemIdentifier"] for item in response.get("batchItemFailures") or []}
    for index, record in enumerate(batch):
        if record["dynamodb"].get("SequenceNumber") in failures:
            return index
    return None


def follow_in_background(
    table: str, *, endpoint_url: str | None, region: str, interval: float = 0.25
) -> threading.Event:
    """`make run`'s poller: every `interval` seconds, the new notices to the sender's handler.
    Set the returned event to stop it."""
    from devkit.functions.handlers import invoke

    stop = threading.Event()
    try:
        follower = StreamFollower(table, endpoint_url=endpoint_url, region=region)
    except KeyError:
        # A table made before it had a stream, or a server without streams (dynalite).
        print(f"notices: {table} has no stream here; notices are not sent (make run anew)")
        return stop

    def run() -> None:
        while not stop.is_set():
            try:
                records = follower.new_records()
                if records:
                    deliver(records, lambda event: invoke(FUNCTION, event), log=print)
            except Exception as error:
                with contextlib.suppress(Exception):
                    print(f"notices: {type(error).__name__}: {error}", flush=True)
            time.sleep(interval)

    threading.Thread(target=run, name="notice-stream", daemon=True).start()
    return stop
