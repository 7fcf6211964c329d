"""DELETE /api/v1/events/{event_id}/rsvp: give the spot back. 204 whether or not there was an
RSVP, so a retried or repeated cancel is harmless; 409 once the event has started. With
`Prefer: return=representation` (RFC 7240) 200 with the event as it is afterwards instead."""

from typing import Annotated

from fastapi import Header, Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app, error_responses
from community.http.auth import CurrentUser
from community.http.caching import NO_STORE, conditional_json
from community.http.prefer import RETURN_REPRESENTATION, wants_representation
from community.schemas import EventDetail
from community.services import attendance

app = create_app("event-rsvp-cancel")

# The answer depends on Prefer, so a cache must key on it too.
VARY = {"Vary": "Prefer"}


@app.delete(
    "/api/v1/events/{event_id}/rsvp",
    status_code=204,
    response_class=Response,
    responses={
        200: {"model": EventDetail, "description": "With Prefer: return=representation"},
        **error_responses(409),
    },
)
async def event_rsvp_cancel(
    request: Request,
    event_id: str,
    user: CurrentUser,
    prefer: Annotated[
        str | None, Header(description="return=representation: 200 with the event, not 204")
    ] = None,
) -> Response:
    if wants_representation(prefer):
        response = conditional_json(request, attendance.cancel_and_show(user, event_id), NO_STORE)
        response.headers.update({"Preference-Applied": RETURN_REPRESENTATION, **VARY})
        return response
    attendance.cancel(user, event_id)
    return Response(status_code=204, headers={"Cache-Control": NO_STORE, **VARY})


handler = SafeMangum(app, lifespan="off")
