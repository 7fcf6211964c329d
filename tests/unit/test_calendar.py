"""Events as iCalendar files (community/services/calendar.py), checked against RFC 5545 and read
back by a second, independent parser (`ical`: tests/support/calendar_files.py), never only by
`icalendar`, which writes them: UID, SEQUENCE, STATUS, UTC dates, the Mini App link, escaping,
folding at 75 octets, the calendar's own properties, byte-identical output for the same event,
and admins' hostile texts that must come back as text, never as a property or a component."""

import dataclasses
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from support.calendar_files import icalendar_texts, parse, physical_lines

from community import applinks, entities
from community.services import calendar
from community.services.calendar import CalendarEntry

ULID = "01HZX3K9Q7M2N4P6R8S0T1V3W5"
START = datetime(2031, 3, 14, 18, 30, tzinfo=UTC)
CREATED = datetime(2031, 1, 2, 9, 15, 7, tzinfo=UTC)


def an_event(**fields: Any) -> entities.Event:
    values: dict[str, Any] = {
        "id": ULID,
        "title": "Spring meetup",
        "description": "Drinks on the terrace",
        "start_date": START,
        "end_date": START + timedelta(hours=3),
        "location": "Terrace",
        "price": Decimal("12.50"),
        "currency": "EUR",
        "capacity": 40,
        "image_url": None,
        "category": "meetup",
        "is_active": True,
        "attendee_count": 3,
        "created_at": CREATED,
        "updated_at": None,
        **fields,
    }
    return entities.Event(**values)


def only_vevent(body: bytes) -> tuple[Any, dict[str, list[str]]]:
    """The file's one event, typed and as written (properties by name)."""
    parsed = parse(body)
    (raw,) = parsed.vevents()
    (event,) = parsed.calendar.events
    return event, parsed.properties(raw)


# --- identity and versions ------------------------------------------------------------------


def test_the_uid_comes_from_the_id_alone_and_survives_a_new_title_time_and_place() -> None:
    before = an_event()
    after = an_event(
        title="Renamed",
        start_date=START + timedelta(days=7),
        end_date=START + timedelta(days=7, hours=1),
        location="Elsewhere",
        version=2,
    )

    uids = [only_vevent(calendar.event_file(event))[0].uid for event in (before, after)]

    assert uids == [f"{ULID}@events.community"] * 2
    assert only_vevent(calendar.event_file(an_event(id="0b6a1f6e-8f1e-4c1a-9d2b-3f4e5a6b7c8d")))[
        0
    ].uid == ("0b6a1f6e-8f1e-4c1a-9d2b-3f4e5a6b7c8d@events.community")


@pytest.mark.parametrize("version", [0, 1, 7, 1234])
def test_sequence_is_the_events_version(version: int) -> None:
    event, written = only_vevent(calendar.event_file(an_event(version=version)))

    assert event.sequence == version
    assert written["SEQUENCE"] == [str(version)]


@pytest.mark.parametrize("status", ["CONFIRMED", "TENTATIVE", "CANCELLED"])
def test_each_entry_carries_the_status_it_was_given(status: calendar.Status) -> None:
    _, written = only_vevent(calendar.render([CalendarEntry(an_event(), status)]))

    assert written["STATUS"] == [status]


def test_an_event_file_is_confirmed_while_active_and_cancelled_once_deactivated() -> None:
    active, _ = only_vevent(calendar.event_file(an_event()))
    cancelled, _ = only_vevent(calendar.event_file(an_event(is_active=False, version=1)))

    assert (active.status.value, cancelled.status.value) == ("CONFIRMED", "CANCELLED")
    assert cancelled.sequence == 1


# --- dates ----------------------------------------------------------------------------------


def test_dtstart_dtend_dtstamp_are_utc_with_z_and_no_tzid() -> None:
    # Given dates handed over in another zone (they are stored in UTC, but the writer must not
    # depend on it)
    plus_three = timezone(timedelta(hours=3))
    event = an_event(
        start_date=START.astimezone(plus_three),
        end_date=(START + timedelta(hours=3)).astimezone(plus_three),
        updated_at=datetime(2031, 2, 3, 4, 5, 6, 789_000, tzinfo=plus_three),
    )

    body = calendar.event_file(event)
    parsed, written = only_vevent(body)

    assert written["DTSTART"] == ["20310314T183000Z"]
    assert written["DTEND"] == ["20310314T213000Z"]
    assert written["DTSTAMP"] == ["20310203T010506Z"]
    assert (parsed.dtstart, parsed.dtend) == (START, START + timedelta(hours=3))
    assert parsed.dtstart.utcoffset() == timedelta(0)
    assert b"TZID" not in body
    assert b"VTIMEZONE" not in body


def test_dtstamp_is_the_last_update_else_the_creation_never_the_clock() -> None:
    _, created = only_vevent(calendar.event_file(an_event()))
    _, updated = only_vevent(
        calendar.event_file(an_event(updated_at=datetime(2031, 2, 1, tzinfo=UTC)))
    )

    assert created["DTSTAMP"] == ["20310102T091507Z"]
    assert updated["DTSTAMP"] == ["20310201T000000Z"]
    assert updated["LAST-MODIFIED"] == ["20310201T000000Z"]
    assert "LAST-MODIFIED" not in created


def test_the_same_event_gives_the_same_bytes() -> None:
    event = an_event(description="Ünïcode, ; \\ текст 🎉", updated_at=CREATED)

    assert calendar.event_file(event) == calendar.event_file(dataclasses.replace(event))


# --- the calendar and its link --------------------------------------------------------------


def test_the_url_opens_the_event_in_the_mini_app() -> None:
    event, written = only_vevent(calendar.event_file(an_event()))

    link = applinks.direct_link(applinks.Target(event_id=ULID))
    assert written["URL"] == [link]
    assert str(event.url) == link
    assert applinks.event_of(link.rsplit("startapp=", 1)[1]) == ULID


def test_the_calendar_has_prodid_version_calscale_and_no_method() -> None:
    body = calendar.event_file(an_event())
    parsed = parse(body)

    written = parsed.properties(parsed.vcalendar)
    assert written == {
        "PRODID": [calendar.PRODID],
        "VERSION": ["2.0"],
        "CALSCALE": ["GREGORIAN"],
    }
    assert parsed.calendar.method is None
    assert physical_lines(body)[:2] == [b"BEGIN:VCALENDAR", b"VERSION:2.0"]


def test_a_method_is_written_only_when_passed_and_only_a_known_one() -> None:
    parsed = parse(calendar.render([CalendarEntry(an_event(), "CONFIRMED")], method="PUBLISH"))

    assert parsed.properties(parsed.vcalendar)["METHOD"] == ["PUBLISH"]
    with pytest.raises(ValueError, match="unknown iTIP method"):
        calendar.render([], method="PUBLISH\r\nX-INJECTED:1")


def test_render_writes_one_vevent_per_entry_in_order() -> None:
    entries = [
        CalendarEntry(an_event(id=f"01HZX3K9Q7M2N4P6R8S0T1V3W{n}", title=f"Event {n}"), status)
        for n, status in enumerate(("CONFIRMED", "TENTATIVE", "CANCELLED"))
    ]

    parsed = parse(calendar.render(entries))

    assert [(e.summary, e.status.value) for e in parsed.calendar.events] == [
        ("Event 0", "CONFIRMED"),
        ("Event 1", "TENTATIVE"),
        ("Event 2", "CANCELLED"),
    ]
    assert parse(calendar.render([])).calendar.events == []


# --- text: escaping, folding, hostile input -------------------------------------------------


def test_summary_location_description_are_escaped_by_rfc_5545() -> None:
    text = "a\\b; c, d\ne"
    _, written = only_vevent(
        calendar.event_file(an_event(title=text, location=text, description=text))
    )

    escaped = "a\\\\b\\; c\\, d\\ne"
    assert (written["SUMMARY"], written["LOCATION"], written["DESCRIPTION"]) == ([escaped],) * 3


def test_a_backslash_before_n_stays_a_backslash() -> None:
    # icalendar's own TEXT escaping turns `\N` into a line break (calendar._Text says why)
    text = "C:\\New folder \\N \\n"
    event, _ = only_vevent(calendar.event_file(an_event(title=text, description=text)))

    assert (event.summary, event.description) == (text, text)


LONG_TEXTS = {
    "cyrillic": "Встреча сообщества в парке Горького, у главного входа; " * 6,  # noqa: RUF001
    "emoji": "🎉🎈🥳👩‍👩‍👧‍👦🏳️‍🌈" * 20,
    "mixed": "a" + "é🙂ж" * 50,
    "rtl": "لقاء المجتمع في الحديقة المركزية، عند المدخل الرئيسي " * 4,
}


@pytest.mark.parametrize("text", LONG_TEXTS.values(), ids=LONG_TEXTS.keys())
def test_long_lines_fold_at_75_octets_without_splitting_a_character(text: str) -> None:
    body = calendar.event_file(an_event(title=text, location=text, description=text))

    lines = physical_lines(body)  # each <= 75 octets and whole UTF-8 by itself
    assert any(line.startswith(b" ") for line in lines)
    assert max(len(line) for line in lines) > 70  # filled, not split early
    event, _ = only_vevent(body)
    assert (event.summary, event.location, event.description) == (text, text, text)


TEN_KB = ("Paragraph with ; and , and \\ — текст 🎉\n" * 300)[:10_240]
# What an admin may write (the schemas refuse other controls and bidi overrides), and a title
# or place may not hold line breaks: each must come back exactly, as one property's value.
HOSTILE: dict[str, dict[str, str]] = {
    "begin-vevent": {
        "title": "BEGIN:VEVENT",
        "location": "END:VEVENT",
        "description": "x\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil@example.com\nSUMMARY:Injected\n"
        "END:VEVENT\nEND:VCALENDAR\nBEGIN:VCALENDAR",
    },
    "property-lookalikes": {
        "title": "SUMMARY:Other;LANGUAGE=en:x",
        "location": 'LOCATION;ALTREP="http://evil.example":Nowhere',
        "description": "DTSTART:19700101T000000Z\nSTATUS:CANCELLED\nSEQUENCE:99999\nURL:x",
    },
    "tabs-and-newlines": {
        "title": "Tab\there",
        "location": "\tindented",
        "description": "\n\nlines\n\twith tabs\n \n trailing \n",
    },
    "rtl-and-emoji": {
        "title": "لقاء 🎉 \u200fמפגש\u200e",
        "location": "مقهى، شارع ١",  # noqa: RUF001
        "description": "שלום עולם\nمرحبا 👩‍👩‍👧‍👦",  # noqa: RUF001
    },
    "ten-kb": {"title": "Long", "location": "Hall", "description": TEN_KB},
    "escapes": {
        "title": "\\;\\,\\n\\N\\\\",
        "location": ";;;,,,\\\\\\",
        "description": "^n ^' ^^ \\x00 %0D%0A &#13;&#10;",
    },
}


@pytest.mark.parametrize("texts", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_admin_texts_cannot_inject_a_property_or_a_component(
    texts: dict[str, str],
) -> None:
    event = an_event(**texts, version=3)

    body = calendar.event_file(event)
    parsed = parse(body)

    # Exactly the calendar's and the event's own properties, one each, and one VEVENT
    assert [c.name for c in parsed.vcalendar.components] == ["vevent"]
    assert sorted(parsed.properties(parsed.vcalendar)) == ["CALSCALE", "PRODID", "VERSION"]
    (raw,) = parsed.vevents()
    written = parsed.properties(raw)
    assert raw.components == []
    assert sorted(written) == sorted(EXPECTED_PROPERTIES)
    assert all(len(values) == 1 for values in written.values())
    # And the texts come back exactly, the rest untouched
    (vevent,) = parsed.calendar.events
    assert (vevent.summary, vevent.location, vevent.description) == (
        texts["title"],
        texts["location"],
        texts["description"],
    )
    assert (vevent.uid, vevent.sequence, vevent.status.value) == (
        f"{ULID}@events.community",
        3,
        "CONFIRMED",
    )
    assert vevent.dtstart == START
    # And icalendar, which wrote the file, reads the same texts back
    assert icalendar_texts(body) == [(texts["title"], texts["location"], texts["description"])]


EXPECTED_PROPERTIES = (
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "SEQUENCE",
    "STATUS",
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "URL",
    "CREATED",
)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("one\r\ntwo", "one\ntwo"),
        ("one\rtwo", "one\ntwo"),
        ("CRLF at the end\r\n", "CRLF at the end\n"),
        ("\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n", "\nBEGIN:VEVENT\nEND:VCALENDAR\n"),
        ("nul\x00 bell\x07 esc\x1b del\x7f c1\x85\x9b", "nul bell esc del c1"),
    ],
    ids=["crlf", "cr", "trailing-crlf", "crlf-injection", "controls"],
)
def test_stored_line_breaks_and_controls_the_schemas_now_refuse_stay_inside_their_text(
    stored: str, shown: str
) -> None:
    # Rows stored before the schemas refused CR and controls: a CR is a line break, the
    # controls TEXT cannot hold are dropped, and neither ends the property.
    body = calendar.event_file(an_event(title=stored, location=stored, description=stored))

    assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", body.replace(b"\r\n", b""))
    event, written = only_vevent(body)
    assert (event.summary, event.location, event.description) == (shown,) * 3
    assert sorted(written) == sorted(EXPECTED_PROPERTIES)


# --- the file name --------------------------------------------------------------------------

SAFE_FILENAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\.ics")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Spring meetup", "spring-meetup.ics"),
        ("Café «Crème» — 2031!", "cafe-creme-2031.ics"),
        ("\"; filename*=UTF-8''evil.exe", "filename-utf-8-evil-exe.ics"),
        ("../../etc/passwd\r\nX: y", "etc-passwd-x-y.ics"),
        ("Встреча 🎉", f"event-{ULID.lower()}.ics"),
        ("!!!", f"event-{ULID.lower()}.ics"),
    ],
)
def test_the_file_name_is_an_ascii_slug_of_the_title_or_of_the_id(
    title: str, expected: str
) -> None:
    assert calendar.filename(an_event(title=title)) == expected


def test_a_long_title_gives_a_bounded_file_name_cut_at_a_word() -> None:
    name = calendar.filename(an_event(title="Annual general meeting of the members " * 5))

    assert SAFE_FILENAME.fullmatch(name)
    assert len(name) <= calendar.MAX_SLUG + len(".ics")
    assert name.startswith("annual-general-meeting-of-the-members-annual")
    assert not name.removesuffix(".ics").endswith(("-", "-annu", "-annua"))


def test_a_file_name_from_a_uuid_is_safe_too() -> None:
    name = calendar.filename(an_event(id="0b6a1f6e-8f1e-4c1a-9d2b-3f4e5a6b7c8d", title="—"))

    assert name == "event-0b6a1f6e-8f1e-4c1a-9d2b-3f4e5a6b7c8d.ics"
    assert SAFE_FILENAME.fullmatch(name)


def test_the_content_type_is_text_calendar_in_utf_8() -> None:
    assert calendar.CONTENT_TYPE == "text/calendar; charset=utf-8"
