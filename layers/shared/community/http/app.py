"""The one FastAPI app factory every function uses, so errors, logging, metrics and tracing
behave the same on every endpoint."""

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from community import snapstart  # noqa: F401 - registers the SnapStart hooks at cold start
from community.errors import CommunityError, NotFound, ServiceUnavailable, Unauthorized
from community.observability import annotate, logger, metrics
from community.schemas import ErrorBody

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for error statuses, all answered with ErrorBody."""
    return {status: {"model": ErrorBody} for status in statuses}


ERROR_RESPONSES = error_responses(400, 401, 404, 422, 503)
# Admin routes answer a member's token with 403, and a change that state forbids with 409.
ADMIN_ERRORS = error_responses(403, 409)


def error_response(
    status_code: int, detail: Any, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"success": False, "detail": detail},
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
    if isinstance(error, ServiceUnavailable):
        headers["Retry-After"] = str(error.retry_after)
    if error.status_code >= 500:
        logger.exception("request failed", extra={"error": type(error).__name__})
    return error_response(error.status_code, error.detail, headers)


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    # Only where and why: echoing the input back could repeat a secret (a login code).
    detail = [
        {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type")}
        for item in error.errors()
    ]
    return error_response(422, detail)


async def _http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return error_response(error.status_code, error.detail, dict(error.headers or {}))


class LambdaObservability:
    """Correlation id, an access log line, metrics flushing, and a JSON 500 instead of a stack
    trace for anything unexpected. Pure ASGI so it also catches what FastAPI would re-raise."""

    def __init__(self, app: Any, function_name: str) -> None:
        self.app = app
        self.function_name = function_name

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
            await send(message)

        try:
            await self.app(scope, receive, send_tracking_status)
        except Exception:
            logger.exception("unhandled error")
            if not status["sent"]:
                await error_response(500, "internal error")(scope, receive, send)
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
                    "path": scope.get("path"),
                    "status": status["code"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            if metrics.metric_set:  # most requests record none; skip the empty-flush warning
                metrics.flush_metrics()


def create_app(function_name: str, *, not_found_cache_control: str | None = None) -> FastAPI:
    """`not_found_cache_control` lets a public endpoint have its 404s cached (briefly) by
    browsers and CloudFront; every other error is `no-store`."""
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
    app.add_middleware(LambdaObservability, function_name=function_name)
    return app
