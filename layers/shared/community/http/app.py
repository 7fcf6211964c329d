"""The one FastAPI app factory every function uses, so errors, logging, metrics and tracing
behave the same on every endpoint."""

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from community import startup
from community.errors import (
    CommunityError,
    InvalidField,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)
from community.observability import annotate, logger, metrics
from community.schemas.common import ErrorBody

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for error statuses, all answered with ErrorBody."""
    return {status: {"model": ErrorBody} for status in statuses}


ERROR_RESPONSES = error_responses(400, 401, 404, 413, 422, 503)
# Admin routes answer a member's token with 403, and a change that state forbids with 409.
ADMIN_ERRORS = error_responses(403, 409)


def error_response(
    status_code: int,
    detail: Any,
    headers: dict[str, str] | None = None,
    fields: dict[str, object] | None = None,
) -> JSONResponse:
    return JSONResponse(
        {"success": False, "detail": detail, **(fields or {})},
        status_code=status_code,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


async def _community_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, CommunityError)
    headers = {}
    if isinstance(error, NotFound) and request.app.state.not_found_cache_control:
        headers["Cache-Control"] = request.app.state.not_found_cache_control
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = error.challenge
    if isinstance(error, ServiceUnavailable | TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    if error.status_code >= 500:
        logger.exception("request failed", extra={"error": type(error).__name__})
    if isinstance(error, InvalidField):
        problem = {"loc": ["body", error.field], "msg": error.message, "type": "value_error"}
        return error_response(error.status_code, [problem], headers)
    return error_response(error.status_code, error.detail, headers, error.fields)


# What one 422 may carry: a few problems, each briefly. A body of 70,000 unknown keys has
# 70,000 errors; listing them all made a 6 MB answer, over Lambda's response limit.
MAX_ERRORS_SHOWN = 10
MAX_LOC_PARTS = 6
MAX_TEXT = 120


def _short(part: object) -> object:
    if isinstance(part, int):
        return part
    text = str(part)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "..."


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = error.errors()
    # Only where and why: echoing the input back could repeat a secret (a login code).
    detail: list[dict[str, object]] = [
        {
            "loc": [_short(part) for part in item.get("loc", ())[:MAX_LOC_PARTS]],
            "msg": _short(item.get("msg", "")),
            "type": _short(item.get("type")),
        }
        for item in errors[:MAX_ERRORS_SHOWN]
    ]
    if len(errors) > MAX_ERRORS_SHOWN:
        detail.append(
            {
                "loc": [],
                "msg": f"{len(errors) - MAX_ERRORS_SHOWN} more errors not shown",
                "type": "too_many_errors",
            }
        )
    return error_response(422, detail)


async def _http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return error_response(error.status_code, error.detail, dict(error.headers or {}))


class BodyLimit:
    """413 for a request body larger than the route can need, before anything parses it: a
    megabyte of JSON costs every function time and memory even when it is refused at once."""

    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._refuse(scope, receive, send)
            return
        # Mangum (and `make run`) hand over the whole body at once; read it, then replay it.
        messages: list[Message] = []
        size, more = 0, True
        while more:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
            if size > self.max_body_bytes:
                await self._refuse(scope, receive, send)
                return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"request body larger than {self.max_body_bytes} bytes"
        await error_response(413, detail)(scope, receive, send)


def _with_cache_policy(message: Message) -> Message:
    """Every response says whether it may be stored. One whose route set no policy carries a
    token, a code or a member's data unless proven otherwise: `no-store`, and `Pragma:
    no-cache` beside any `no-store` for HTTP/1.0 caches (RFC 6749 section 5.1)."""
    headers = list(message.get("headers") or [])
    names = {name.lower(): value for name, value in headers}
    cache_control = names.get(b"cache-control")
    if cache_control is None:
        cache_control = b"no-store"
        headers.append((b"cache-control", cache_control))
    if b"no-store" in cache_control and b"pragma" not in names:
        headers.append((b"pragma", b"no-cache"))
    return {**message, "headers": headers}


class LambdaObservability:
    """Correlation id, an access log line, metrics flushing, and a JSON 500 instead of a stack
    trace for anything unexpected. Pure ASGI so it also catches what FastAPI would re-raise."""

    def __init__(self, app: Any, function_name: str, logged_path: str | None = None) -> None:
        self.app = app
        self.function_name = function_name
        self.logged_path = logged_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        event = scope.get("aws.event") or {}
        request_context = event.get("requestContext") or {}
        logger.set_correlation_id(request_context.get("requestId"))
        annotate("function", self.function_name)
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def send_tracking_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["sent"] = message["status"], True
                message = _with_cache_policy(message)
            await send(message)

        try:
            await self.app(scope, receive, send_tracking_status)
        except Exception:
            logger.exception("unhandled error")
            if not status["sent"]:
                await error_response(500, "internal error")(scope, receive, send_tracking_status)
        finally:
            # Successful requests are already in API Gateway's access log; repeating them here
            # would cost every request ~50 us and CloudWatch ingestion, so only failures are
            # logged at INFO. The path only: query strings can carry login codes.
            log = logger.info if status["code"] >= 400 else logger.debug
            log(
                "request",
                extra={
                    "function": self.function_name,
                    "method": scope.get("method"),
                    "path": self.logged_path or scope.get("path"),
                    "status": status["code"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            if metrics.metric_set:  # most requests record none; skip the empty-flush warning
                metrics.flush_metrics()


# Enough for every body but an event's (initData is at most 8 KB); 6 MB is Lambda's own limit.
DEFAULT_MAX_BODY_BYTES = 16 * 1024


def create_app(
    function_name: str,
    *,
    not_found_cache_control: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    logged_path: str | None = None,
) -> FastAPI:
    """The function's app, after the process's start-up (`community.startup`): handlers call
    this at module level, so it all happens during Lambda's init. `not_found_cache_control`
    lets a public endpoint have its 404s cached (briefly) by browsers and CloudFront; every
    other error is `no-store`. `max_body_bytes` is the largest request body the route accepts
    (413 above it). `logged_path` is logged instead of the request's path, for a route whose
    path is a credential (a calendar feed's token)."""
    startup.start()
    app = FastAPI(
        title=function_name,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        responses=ERROR_RESPONSES,
    )
    app.state.not_found_cache_control = not_found_cache_control
    app.add_exception_handler(CommunityError, _community_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(BodyLimit, max_body_bytes=max_body_bytes)
    # Added last, so outermost: it also sees (and logs) the 413s.
    app.add_middleware(LambdaObservability, function_name=function_name, logged_path=logged_path)
    # During init, not on the first request: a SnapStart snapshot then holds a primed client,
    # and an on-demand cold start does it with init's CPU (`make bench`: "1st ms").
    startup.prime()
    return app
