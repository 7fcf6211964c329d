"""The notice sender, fed by the notifications table's DynamoDB Stream (the event source
mapping's filter passes only INSERTs of NOTICE# records: data/outbox.py): sends each notice
through the notification pipeline (community/services/notifications/notices.py) and reports the
records it could not finish (Powertools' BatchProcessor: `batchItemFailures`), so the stream hands
them, and only from them on, over again. Every send is claimed first: a record handed over
twice sends nothing twice."""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from community import startup
from community.observability import logger, metrics
from community.services.notifications import notices, telegram_channel

# The same start-up as every HTTP function's create_app, during init.
startup.start()

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


class _Invocation:
    """What each record's sends need of the invocation: its time left, one Bot API client."""

    remaining_seconds: Any = None
    margin: float = 0.0
    api: telegram_channel.BotApi | None = None


_invocation = _Invocation()


def record_handler(record: DynamoDBRecord) -> None:
    notices.handle_record(
        record.raw_event,
        api=_invocation.api,
        remaining_seconds=_invocation.remaining_seconds,
        margin=_invocation.margin,
    )


def handler(event: Any, context: Any) -> dict[str, Any]:
    logger.set_correlation_id(getattr(context, "aws_request_id", None))
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    seconds = (lambda: remaining() / 1000) if callable(remaining) else None
    _invocation.remaining_seconds = seconds
    # A quarter of the time given, at most DEADLINE_MARGIN (as the reminder sweep's).
    _invocation.margin = min(notices.DEADLINE_MARGIN, seconds() / 4) if seconds else 0.0
    _invocation.api = telegram_channel.default_api()
    try:
        response: dict[str, Any] = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    finally:
        if metrics.metric_set:
            metrics.flush_metrics()
    return response
