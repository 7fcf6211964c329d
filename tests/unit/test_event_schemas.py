"""What `make seed-events` accepts as an event, and how it is normalised."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from community.schemas.events import EventIn, EventPublic
from community.values import event_date, normalise_event_id


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Meetup",
        "description": "",
        "start_date": "2030-01-01T18:00:00Z",
        "end_date": "2030-01-01T20:00:00Z",
        "location": "Hall",
        "price": 0,
        "capacity": None,
        "image_url": None,
        "is_active": True,
    }
    return {**base, **changes}


def error_fields(raw: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        EventIn.model_validate(raw)
    return {".".join(map(str, error["loc"])) for error in caught.value.errors()}


def test_dates_with_any_offset_become_fixed_width_utc_to_the_second() -> None:
    event = EventIn.model_validate(
        record(start_date="2030-01-01T21:00:00.750+03:00", end_date="2030-01-02T01:00:00-02:00")
    )

    assert event_date(event.start_date) == "2030-01-01T18:00:00Z"
    assert event_date(event.end_date) == "2030-01-02T03:00:00Z"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_date": "2030-01-01T18:00:00Z"}, "end_date"),
        ({"end_date": "2030-01-01T17:00:00Z"}, "end_date"),
        ({"end_date": "2030-01-01T18:00:00.900Z"}, "end_date"),
        ({"start_date": "2030-01-01T18:00:00"}, "start_date"),
        ({"start_date": "tomorrow"}, "start_date"),
        ({"price": -1}, "price"),
        ({"price": "1.005"}, "price"),
        ({"price": "NaN"}, "price"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "10"}, "capacity"),
        ({"image_url": "ftp://example.com/a.png"}, "image_url"),
        ({"image_url": "javascript:alert(1)"}, "image_url"),
        ({"title": "  "}, "title"),
        ({"is_active": "yes"}, "is_active"),
        ({"id": "not-an-id"}, "id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_records_name_the_field(changes: dict[str, Any], field: str) -> None:
    assert field in error_fields(record(**changes))


def test_missing_required_fields_are_named() -> None:
    raw = record()
    del raw["price"], raw["is_active"]

    assert error_fields(raw) == {"price", "is_active"}


def test_ids_are_ulids_or_uuids_in_canonical_case() -> None:
    assert normalise_event_id("01jdq7z8w3k5m9p2r4t6v8x0ya") == "01JDQ7Z8W3K5M9P2R4T6V8X0YA"
    assert (
        normalise_event_id("9B2F3C9E-6A8D-4F0B-9C1E-2D3A4B5C6D7E")
        == "9b2f3c9e-6a8d-4f0b-9c1e-2d3a4b5c6d7e"
    )
    assert normalise_event_id("USER#42") is None
    assert normalise_event_id("01JDQ7Z8W3K5M9P2R4T6V8X0YU") is None  # U is not Crockford


def test_prices_serialise_as_exact_json_numbers() -> None:
    shown = EventPublic.model_validate(
        {
            **record(),
            "id": "01JDQ7Z8W3K5M9P2R4T6V8X0YA",
            "price": Decimal("0.10"),
            "currency": "EUR",
            "created_at": "2030-01-01T00:00:00Z",
        }
    ).model_dump_json()

    assert '"price":0.1,' in shown
