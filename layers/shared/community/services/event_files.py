"""An event's .ics as GET /api/v1/events/{event_id}/calendar.ics serves it. Apart from
`calendar` so that the functions that only attach or list calendars (notices, reminders, the
feed) import the calendar writer without the events service behind this lookup."""

from community.services import calendar, events


def active_event_file(event_id: str) -> calendar.EventFile:
    """The .ics of an active event (one GetItem); unknown, malformed and inactive ids are the
    same 404 as the event's detail (a deactivated event reaches calendars through the feed
    and the notices, as CANCELLED)."""
    event = events.active_event(event_id)
    return calendar.EventFile(calendar.event_file(event), calendar.filename(event))
