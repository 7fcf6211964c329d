"""The package's own exceptions. The data layer and services raise these; the app factory maps
them to HTTP responses, so no handler needs to know about botocore or PynamoDB."""


class CommunityError(Exception):
    status_code = 500
    public_detail = "internal error"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.public_detail)
        self.detail = detail or self.public_detail


class InvalidRequest(CommunityError):
    status_code = 400
    public_detail = "invalid request"


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


class ServiceUnavailable(CommunityError):
    """The backend is throttled or failing; the client may retry after `retry_after` seconds."""

    status_code = 503
    public_detail = "service temporarily unavailable, retry shortly"
    retry_after = 1


class ConfigurationError(CommunityError):
    public_detail = "service misconfigured"
