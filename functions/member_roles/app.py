"""GET /api/v1/members/roles (admins): every member whose role is not member, admins first,
and the audit of role changes, newest first, a page at a time (signed cursor)."""

from typing import Annotated

from fastapi import Query, Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app, error_responses
from community.http.auth import AdminUser
from community.http.caching import NO_STORE, conditional_json
from community.schemas.roles import RolesListing
from community.services import roles
from community.services.events import MAX_LIMIT

app = create_app("member-roles")


@app.get("/api/v1/members/roles", response_model=RolesListing, responses=error_responses(403))
async def member_roles(
    request: Request,
    _: AdminUser,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    # Checked (and refused with a 400) by the service, like every other bad cursor.
    cursor: str | None = None,
) -> Response:
    return conditional_json(request, roles.listing(limit, cursor), NO_STORE)


handler = SafeMangum(app, lifespan="off")
