"""Reading the .ics files the platform writes with a second, independent parser: `ical`
(allenporter/ical, strict and pydantic-based; the library Home Assistant's local calendar is
built on), never `icalendar`, which wrote them, so a fault of the writer cannot hide behind the
same library's reader. Two views of each file: the raw tree of components and properties (what
a hostile text would have to add to, to inject anything), and the typed calendar (the values a
calendar app would show, escapes decoded, dates as datetimes)."""

from dataclasses import dataclass

import icalendar
from ical.calendar import Calendar
from ical.calendar_stream import IcsCalendarStream
from ical.parsing.component import ParsedComponent, parse_content

CRLF = b"\r\n"
MAX_LINE_OCTETS = 75


@dataclass(frozen=True)
class ParsedFile:
    tree: list[ParsedComponent]
    calendar: Calendar

    @property
    def vcalendar(self) -> ParsedComponent:
        (vcalendar,) = self.tree
        assert vcalendar.name == "vcalendar"
        return vcalendar

    def vevents(self) -> list[ParsedComponent]:
        return [c for c in self.vcalendar.components if c.name == "vevent"]

    def properties(self, component: ParsedComponent) -> dict[str, list[str]]:
        """A component's properties by name (upper case), each with its values as written
        (escaped, unfolded)."""
        found: dict[str, list[str]] = {}
        for prop in component.properties:
            found.setdefault(prop.name.upper(), []).append(prop.value)
        return found


def physical_lines(body: bytes) -> list[bytes]:
    """The file's lines as sent: each ended by CRLF (RFC 5545 3.1), no bare CR or LF
    anywhere, none longer than 75 octets, and each whole UTF-8 by itself (a fold never
    splits a character's bytes)."""
    assert body.endswith(CRLF), body[-40:]
    lines = body[: -len(CRLF)].split(CRLF)
    for line in lines:
        assert b"\r" not in line, line
        assert b"\n" not in line, line
        assert len(line) <= MAX_LINE_OCTETS, (len(line), line)
        line.decode("utf-8")  # strict: a split sequence raises
    return lines


def icalendar_texts(body: bytes) -> list[tuple[str, str, str]]:
    """Each event's (SUMMARY, LOCATION, DESCRIPTION) as `icalendar` itself reads them back:
    the writer's own verdict, beside the independent one above."""
    parsed = icalendar.Calendar.from_ical(body)
    return [
        (
            str(event.get("SUMMARY", "")),
            str(event.get("LOCATION", "")),
            str(event.get("DESCRIPTION", "")),
        )
        for event in parsed.walk("VEVENT")
    ]


def parse(body: bytes) -> ParsedFile:
    """The file read by `ical`, after the line checks above; a file `ical` refuses fails."""
    physical_lines(body)
    text = body.decode("utf-8")
    return ParsedFile(parse_content(text), IcsCalendarStream.calendar_from_ics(text))
