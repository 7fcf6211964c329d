"""The package's own exceptions. The data layer and services raise these; the app factory maps
them to HTTP responses, so no handler needs to know about botocore or PynamoDB."""


class CommunityError(Exception):
    status_code = 500
    public_detail = "internal error"
    # Answered beside `detail` in the error's body (e.g. a full event's waitlist_count).
    fields: dict[str, object] = {}

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.public_detail)
        self.detail = detail or self.public_detail


class InvalidRequest(CommunityError):
    status_code = 400
    public_detail = "invalid request"


class InvalidField(CommunityError):
    """A body field refused by a rule its schema cannot check alone (it needs the stored
    record): a 422 shaped as the schema's own, so a client shows it beside the same field."""

    status_code = 422
    public_detail = "invalid field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Unauthorized(CommunityError):
    status_code = 401
    public_detail = "not authenticated"
    # The scheme named in WWW-Authenticate: bearer tokens everywhere but the login itself.
    challenge = "Bearer"


class InvalidInitData(Unauthorized):
    challenge = "tma"


class Forbidden(CommunityError):
    status_code = 403
    public_detail = "forbidden"


class NotFound(CommunityError):
    status_code = 404
    public_detail = "not found"


class Conflict(CommunityError):
    status_code = 409
    public_detail = "conflict"


class EventFull(Conflict):
    """An RSVP to a full event: how many wait already, so the client can offer the waitlist."""

    def __init__(self, waitlist_count: int) -> None:
        super().__init__("event full")
        self.fields = {"waitlist_count": waitlist_count}


class DoorConflict(Conflict):
    """A check-in refused by the state of things: already checked in (when, by whom), or
    outside the event's check-in window (when it is open). `fields` go beside `detail`."""

    def __init__(self, detail: str, fields: dict[str, object]) -> None:
        super().__init__(detail)
        self.fields = fields


class WrongEvent(CommunityError):
    """A valid ticket, for another event than the one being checked in."""

    status_code = 422
    public_detail = "this ticket is for another event"

    def __init__(self, ticket_event_id: str) -> None:
        super().__init__()
        self.fields = {"ticket_event_id": ticket_event_id}


class Gone(CommunityError):
    """What was asked for existed once and never will again (a used or expired link)."""

    status_code = 410
    public_detail = "gone"


class TooManyRequests(CommunityError):
    """Asked again too soon; `retry_after` seconds say when it will work."""

    status_code = 429
    public_detail = "too many requests"

    def __init__(self, detail: str | None = None, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)


class BadGateway(CommunityError):
    """A service we depend on refused the request for good (SES rejecting a message)."""

    status_code = 502
    public_detail = "an upstream service refused the request"


class ServiceUnavailable(CommunityError):
    """The backend is throttled or failing; the client may retry after `retry_after` seconds."""

    status_code = 503
    public_detail = "service temporarily unavailable, retry shortly"
    retry_after = 1


class ConfigurationError(CommunityError):
    public_detail = "service misconfigured"
