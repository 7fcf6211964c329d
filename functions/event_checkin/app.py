"""POST /api/v1/events/{event_id}/checkins (staff or admin): check in the member a scanned
ticket names. 201 with who it is; 409 scanned before (a retry with the same Idempotency-Key
gets its 201 again) or outside the check-in window; 410 the RSVP was cancelled; 422 a ticket
of another event; 400 not a ticket. Of two scanners sending one ticket at once, one wins."""

from typing import Annotated

from fastapi import Header, Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import StaffUser
from community.http.caching import NO_STORE, conditional_json
from community.schemas.common import ErrorBody
from community.schemas.door import CheckinConflictBody, CheckinDone, CheckinRequest, OtherEventBody
from community.services import door

app = create_app("event-checkin")


@app.post(
    "/api/v1/events/{event_id}/checkins",
    response_model=CheckinDone,
    status_code=201,
    responses={
        403: {"model": ErrorBody},
        409: {"model": CheckinConflictBody},
        410: {"model": ErrorBody},
        422: {"model": OtherEventBody},
    },
)
async def event_checkin(
    request: Request,
    event_id: str,
    body: CheckinRequest,
    staff: StaffUser,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Response:
    key = door.idempotency_key(idempotency_key)
    done = door.check_in(staff, event_id, body.ticket, key)
    return conditional_json(request, done, NO_STORE, status_code=201)


handler = SafeMangum(app, lifespan="off")
