"""The reminder sweep, run by an EventBridge schedule (every five minutes): sends the event
reminders due now, each at most once (community/services/notifications/reminders.py)."""

import json
from datetime import datetime
from typing import Any

from community import startup
from community.observability import logger, metrics
from community.services.notifications import reminders

# The same start-up as every HTTP function's create_app, during init.
startup.start()


def _now(event: Any) -> datetime | None:
    """`now` may be set by whoever invokes the function by hand (`make remind NOW=...`, a demo,
    a replay); the schedule never sets it, so the sweep uses the clock. Malformed: ignored."""
    raw = event.get("now") if isinstance(event, dict) else None
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return None
    return moment


def handler(event: Any, context: Any) -> dict[str, Any]:
    logger.set_correlation_id(getattr(context, "aws_request_id", None))
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    seconds = (lambda: remaining() / 1000) if callable(remaining) else None
    # A quarter of the time given, at most DEADLINE_MARGIN: 20 s of Lambda's 240, less of a
    # short local invocation's.
    margin = min(reminders.DEADLINE_MARGIN, seconds() / 4) if seconds else 0.0
    report = reminders.sweep(_now(event), remaining_seconds=seconds, margin=margin)
    if metrics.metric_set:
        metrics.flush_metrics()
    # Shaped like an HTTP answer so every fixture is checked alike (the contract test, `make
    # test-sam`); the schedule ignores it. A failure raises instead: an Errors alarm.
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(report.as_dict()),
    }
