"""GET /api/v1/events/{event_id}/attendees (staff or admin): the going members, each with
when they were checked in (or null), a page at a time (signed cursor), with the event's
"checked_in" and "going" totals; `?format=csv` is all of them as a spreadsheet (formulas
neutralised). Never stored on the way: members' names, for staff only."""

from typing import Annotated, Literal

from fastapi import Query, Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app, error_responses
from community.http.auth import StaffUser
from community.http.caching import NO_STORE, conditional, conditional_json
from community.schemas.door import Attendees
from community.services import door

app = create_app("event-attendees")
CSV_RESPONSE: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
    **error_responses(403),
}


@app.get("/api/v1/events/{event_id}/attendees", response_model=Attendees, responses=CSV_RESPONSE)
async def event_attendees(
    request: Request,
    event_id: str,
    _: StaffUser,
    limit: Annotated[int, Query(ge=1, le=door.MAX_ATTENDEES_LIMIT)] = 50,
    cursor: str | None = None,
    as_: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Response:
    if as_ == "csv":
        sheet = door.attendees_csv(event_id)
        response = conditional(request, sheet.body, door.CSV_MEDIA_TYPE, NO_STORE)
        response.headers["Content-Disposition"] = f'attachment; filename="{sheet.filename}"'
        return response
    return conditional_json(request, door.attendees_page(event_id, limit, cursor), NO_STORE)


handler = SafeMangum(app, lifespan="off")
