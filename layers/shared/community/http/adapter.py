"""The Lambda entry point of every function: Mangum, except that no event can make it raise.

Mangum raises before the app runs when an event is not one it can parse (no requestContext, a
requestContext without `http`, a REST or unknown payload...). Lambda would report that as an
unhandled error with a stack trace and API Gateway would answer a bare 500; here it is a JSON
400, logged with the event's request id when it has one. Past that point the app's own
middleware turns every exception into a JSON 500, so a failure after parsing (building the
response) is answered the same way."""

import json
from typing import Any

from mangum import Mangum

from community.observability import logger


def _json(status_code: int, detail: str) -> dict[str, Any]:
    return {
        "statusCode": status_code,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": json.dumps({"success": False, "detail": detail}),
        "isBase64Encoded": False,
    }


def _request_id(event: Any) -> str | None:
    context = event.get("requestContext") if isinstance(event, dict) else None
    request_id = context.get("requestId") if isinstance(context, dict) else None
    return request_id if isinstance(request_id, str) else None


class SafeMangum(Mangum):
    """`handler = SafeMangum(app, lifespan="off")`, used exactly like Mangum."""

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        try:
            parsed = self.infer(event, context)
            _ = parsed.scope, parsed.body  # what Mangum reads from the event, checked first
        except Exception:
            logger.set_correlation_id(_request_id(event))
            logger.warning("malformed Lambda event", exc_info=True)
            return _json(400, "malformed request event")
        try:
            response: dict[str, Any] = super().__call__(event, context)
        except Exception:
            logger.set_correlation_id(_request_id(event))
            logger.exception("unhandled error outside the app")
            return _json(500, "internal error")
        return response
