"""JSON and HTML responses with a strong ETag, answered with 304 when the client has them."""

import hashlib
from collections.abc import Mapping
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

PRIVATE_SHORT = "private, max-age=300"
NO_STORE = "no-store"
# Browsers keep a shared profile a minute, CloudFront five; after that CloudFront may serve the
# old copy for ten more minutes while it fetches a fresh one, so a popular link never waits.
PUBLIC_PROFILE = "public, max-age=60, s-maxage=300, stale-while-revalidate=600"
# Unknown codes may become known (a new member, index lag): cache the miss only briefly.
PUBLIC_MISS = "public, max-age=10, s-maxage=30"
# A member's own list changes with each RSVP they make: kept, but revalidated every time.
PRIVATE_REVALIDATE = "private, no-cache"
# Event listings and details: the same for every member, and fine to be a minute old.
PUBLIC_EVENTS = "public, max-age=30, s-maxage=60"
# The referrers' leaderboard: the same for every member, but only members may read it, so no
# shared cache (a CloudFront copy keyed without Authorization would answer anyone): each
# member's client keeps it a minute, then revalidates by ETag.
PRIVATE_MINUTE = "private, max-age=60"


# OpenAPI `responses` of a route answered through `conditional`: a revalidation has no body.
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not Modified: If-None-Match matched the current ETag (no body)"}
}
# The same for a route answering HTML, whose 404 is an HTML page too.
HTML_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}},
    **NOT_MODIFIED,
    404: {
        "description": "No member has this code: an HTML page",
        "content": {"text/html": {"schema": {"type": "string"}}},
    },
}
# The same for a route answering an iCalendar file (its 404 stays JSON, like the API's).
CALENDAR_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An iCalendar (RFC 5545) file, as an attachment",
        "content": {"text/calendar": {"schema": {"type": "string"}}},
        "headers": {
            "Content-Disposition": {
                "description": 'attachment; filename="<slug>.ics"',
                "schema": {"type": "string"},
            },
            "ETag": {"description": "Strong validator of the file", "schema": {"type": "string"}},
        },
    },
    **NOT_MODIFIED,
}


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match requires."""
    if not if_none_match:
        return False
    candidates = {candidate.strip().removeprefix("W/") for candidate in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def conditional(
    request: Request,
    body: bytes,
    media_type: str,
    cache_control: str,
    status_code: int = 200,
    extra_headers: Mapping[str, str] | None = None,
) -> Response:
    """`body` with its ETag, or 304 when the client has it; `extra_headers` (a file's
    Content-Disposition) go with the body only: a 304 carries the validators alone."""
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": cache_control}
    # Only safe reads revalidate: a 304 to a POST would tell the client nothing happened.
    revalidates = request.method in ("GET", "HEAD") and status_code == 200
    if revalidates and _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(
        body,
        status_code=status_code,
        media_type=media_type,
        headers={**headers, **(extra_headers or {})},
    )


def conditional_json(
    request: Request, payload: BaseModel, cache_control: str, status_code: int = 200
) -> Response:
    # pydantic's own serialiser (Rust) is several times faster than jsonable_encoder + json.
    body = payload.model_dump_json().encode()
    return conditional(request, body, "application/json", cache_control, status_code)
