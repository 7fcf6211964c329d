"""Events as iCalendar (RFC 5545) files: one event's .ics, a member's feed, a mail's attachment.

The only module that imports `icalendar` (with tzdata, about 5 MB of the dependencies layer, and
20-50 ms of a cold start's imports): only the functions that serve or attach calendars import
this one, and tests/unit/test_calendar_imports.py keeps it out of every other function's.

What calendar apps need to follow an event (RFC 5545 3.8.4.7, 3.8.7.4; RFC 5546 2.1.4):
- UID from the event's id alone, under a fixed domain, never from a title, a time or a setting
  (a changed public URL would turn every subscribed event into a new one);
- SEQUENCE, the event's `version`, which the data layer bumps in the write that moves the event,
  changes its place or cancels it: an update with the same SEQUENCE is ignored by many clients;
- STATUS:CANCELLED, so a subscribed calendar removes the event rather than keeping it;
- DTSTAMP from the event's own updated_at (else created_at), never the clock, so the same event
  gives the same bytes and the same ETag.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from icalendar import Calendar
from icalendar import Event as VEvent
from icalendar.prop import vText

from community import applinks, entities

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Community//Events//EN"
# Fixed for the life of the platform: part of every UID a calendar has stored.
UID_DOMAIN = "events.community"
# RFC 5546 methods this platform may send; a feed sends none (RFC 5545 3.7.2).
METHODS = frozenset({"PUBLISH", "REQUEST", "CANCEL"})
# The ASCII slug of a file name: long titles cut here, at a word if one ends near.
MAX_SLUG = 60

Status = Literal["CONFIRMED", "TENTATIVE", "CANCELLED"]

# What a TEXT value cannot hold (RFC 5545 3.3.11: controls other than HTAB; a line break is
# escaped as \n): C0 but TAB and LF, DEL and C1. CR is a line break first (_text).
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class CalendarEntry:
    """An event as one calendar shows it: the event (its version is the SEQUENCE), and the
    status this calendar gives it (a waitlisted member's TENTATIVE, a left one's CANCELLED)."""

    event: entities.Event
    status: Status


class _Text(vText):
    """A TEXT value escaped by RFC 5545 3.3.11 alone. icalendar's own vText first turns the two
    characters backslash, N of a text into a line break (`C:\\New` comes out as `C:` and `ew`
    on two lines), so an admin's backslash would not survive the round trip."""

    __slots__ = ()

    def to_ical(self) -> bytes:
        return (
            self.replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\n", "\\n")
            .encode()
        )


def _text(value: str) -> _Text:
    """`value` as TEXT: every line break (CRLF, CR, LF) one LF, and the controls TEXT cannot
    hold (a row stored before the schemas refused them) dropped, so no character of an
    admin's text can end a content line or start another."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n")
    return _Text(_FORBIDDEN.sub("", lines))


def _utc(moment: datetime) -> datetime:
    # An aware UTC datetime is written with Z and no TZID (RFC 5545 3.3.5, FORM #2).
    return moment.astimezone(UTC).replace(microsecond=0)


def uid(event: entities.Event) -> str:
    return f"{event.id}@{UID_DOMAIN}"


def _vevent(entry: CalendarEntry) -> VEvent:
    event = entry.event
    vevent = VEvent()
    vevent.add("uid", _text(uid(event)))
    vevent.add("dtstamp", _utc(event.updated_at or event.created_at))
    vevent.add("dtstart", _utc(event.start_date))
    vevent.add("dtend", _utc(event.end_date))
    vevent.add("sequence", event.version)
    vevent.add("status", entry.status)
    vevent.add("summary", _text(event.title))
    if event.description:
        vevent.add("description", _text(event.description))
    if event.location:
        vevent.add("location", _text(event.location))
    vevent.add("url", applinks.direct_link(applinks.Target(event_id=event.id)))
    vevent.add("created", _utc(event.created_at))
    if event.updated_at is not None:
        vevent.add("last-modified", _utc(event.updated_at))
    return vevent


def render(entries: Sequence[CalendarEntry], *, method: str | None = None) -> bytes:
    """A whole VCALENDAR with one VEVENT per entry, in their order: the same bytes for the same
    entries. `method` (RFC 5546: PUBLISH for a mailed file) only when given; a feed has none."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        if method not in METHODS:
            raise ValueError(f"unknown iTIP method {method!r}")
        calendar.add("method", method)
    for entry in entries:
        calendar.add_component(_vevent(entry))
    written: bytes = calendar.to_ical()
    return written


def status_of(event: entities.Event) -> Status:
    return "CONFIRMED" if event.is_active else "CANCELLED"


def event_file(event: entities.Event) -> bytes:
    """One event's .ics: CONFIRMED while active, CANCELLED once deactivated."""
    return render([CalendarEntry(event, status_of(event))])


@dataclass(frozen=True)
class EventFile:
    """A file to send: its bytes and the name to save it under."""

    body: bytes
    filename: str


def filename(event: entities.Event) -> str:
    """`<slug>.ics`: the title in lower-case ASCII letters and digits joined by hyphens (safe
    unquoted and quoted in a Content-Disposition), or `event-<id>` when the title has none."""
    ascii_title = unicodedata.normalize("NFKD", event.title).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_title.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[:MAX_SLUG]
        slug = (cut.rsplit("-", 1)[0] if "-" in cut[MAX_SLUG // 2 :] else cut).strip("-")
    return f"{slug or 'event-' + _NOT_SLUG.sub('-', event.id.lower())}.ics"
