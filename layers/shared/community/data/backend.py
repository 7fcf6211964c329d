"""Translation of PynamoDB/botocore failures into the package's own exceptions."""

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException, TransactWriteError

from community.data import models
from community.errors import InvalidRequest, ServiceUnavailable
from community.observability import count, logger

CONDITION_FAILED = "ConditionalCheckFailedException"
# A transaction item's cancellation code when its own condition failed.
ITEM_CONDITION_FAILED = "ConditionalCheckFailed"

# Failures a client may retry: capacity, throttling, transient server errors, transaction races.
RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
        "TransactionInProgressException",
    }
)


# Requests DynamoDB refuses for what they hold (a string with no UTF-8 form, an item over
# 400 KB, a number beyond 38 digits): sending them again can never help, so a 4xx, not a 503.
# The rest of the non-retryable errors (a missing table, denied access, bad credentials) are
# the deployment's fault, not the request's: they stay a logged 500.
REFUSED_CODES = frozenset({"ValidationException", "SerializationException"})
# The same refusal as a transaction item's cancellation code.
ITEM_REFUSED = "ValidationError"
REFUSED_DETAIL = "the request holds a value that cannot be stored"


def _refused(error: Exception) -> InvalidRequest:
    # Also the trace of a bug of ours (a malformed expression): logged and counted, not hidden.
    logger.warning("DynamoDB refused the request", extra={"error": str(error)[:500]})
    count("StorageRefused")
    return InvalidRequest(REFUSED_DETAIL)


def response_code(error: PynamoDBException) -> str | None:
    """DynamoDB's error code, or None when there was no response. PynamoDB's own
    `cause_response_code` raises AttributeError when the cause is a read timeout: botocore's
    ReadTimeoutError has a `response` attribute, and it is None."""
    response = getattr(error.cause, "response", None)
    if not isinstance(response, dict):
        return None
    code = response.get("Error", {}).get("Code")
    return str(code) if code is not None else None


def is_retryable(error: Exception) -> bool:
    if isinstance(error, PynamoDBException):
        cause = error.cause
        if isinstance(cause, BotoCoreError):
            return True  # connect/read timeouts, endpoint unreachable
        code = response_code(error)
        return code in RETRYABLE_CODES or (
            isinstance(cause, ClientError) and (code is None or _server_side(cause))
        )
    return isinstance(error, BotoCoreError)


def _server_side(error: ClientError) -> bool:
    """A 5xx without a DynamoDB error code (a proxy's or a local server's HTML error page) is
    the server's failure, not the request's: retryable like InternalServerError. botocore
    then uses the status as the code; PynamoDB keeps only the code, the original (chained)
    error still has the status."""
    original = error.__cause__ if isinstance(error.__cause__, ClientError) else error
    status = original.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = str(original.response.get("Error", {}).get("Code", ""))
    return (isinstance(status, int) and status >= 500) or (code.isdigit() and int(code) >= 500)


@contextmanager
def backend_errors() -> Iterator[None]:
    """Turn a transient backend failure into ServiceUnavailable (503 + Retry-After) and a
    refused value into InvalidRequest (400); any other PynamoDB error propagates, to be logged
    and answered as a controlled 500. Every data call passes through here, so this is also
    where a process that skipped the start-up fails plainly, not on a table named `users`."""
    if not models.bound():
        raise RuntimeError(models.UNBOUND)
    try:
        yield
    except (PynamoDBException, BotoCoreError) as error:
        if is_retryable(error):
            raise ServiceUnavailable() from error
        if isinstance(error, PynamoDBException) and response_code(error) in REFUSED_CODES:
            raise _refused(error) from error
        raise


def cancellation_codes(error: TransactWriteError) -> list[str | None]:
    """Each item's cancellation code, in the order the transaction sent them (None where that
    item was fine). A failure without reasons was not a cancellation but the backend's: raised
    as ServiceUnavailable when retryable, else as it is."""
    codes = [reason.code if reason else None for reason in error.cancellation_reasons]
    if not codes:
        if is_retryable(error):
            raise ServiceUnavailable() from error
        raise error
    if ITEM_REFUSED in codes:
        raise _refused(error) from error
    return codes
