"""Events as admins and operators write them and as everyone reads them."""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Self, TypeVar, cast
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    computed_field,
    create_model,
    field_validator,
    model_validator,
)

from community.values import (
    currency_problem,
    has_lone_surrogate,
    is_blank,
    multi_line_problem,
    normalise_event_id,
    public_host_problem,
    single_line_problem,
)


def _event_id(raw: str) -> str:
    canonical = normalise_event_id(raw)
    if canonical is None:
        raise ValueError("must be a ULID or a UUID")
    return canonical


def _utc_to_the_second(moment: datetime) -> datetime:
    # Stored dates keep whole seconds in 4-digit years: anything else would break the
    # fixed width that makes lexical order equal time order.
    try:
        moment = moment.astimezone(UTC).replace(microsecond=0)
    except OverflowError:
        # 9999-12-31T23:59-05:00 is in year 10000 in UTC, 0001-01-01T00:30+01:00 in year 0.
        raise ValueError("year must be between 1970 and 9999") from None
    if not 1970 <= moment.year <= 9999:
        raise ValueError("year must be between 1970 and 9999")
    return moment


def _storable_text(text: str) -> str:
    if has_lone_surrogate(text):
        raise ValueError("must be valid Unicode text (it holds a lone surrogate)")
    return text


def _one_line(text: str) -> str:
    problem = single_line_problem(text)
    if problem:
        raise ValueError(problem)
    return text


def _lines(text: str) -> str:
    # A newline typed on Windows (CR LF), or an old Mac's lone CR, is a line feed here.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    problem = multi_line_problem(text)
    if problem:
        raise ValueError(problem)
    return text


def _visible(text: str) -> str:
    if is_blank(text):
        raise ValueError("must contain a visible character (not only spaces or invisible ones)")
    return text


def _visible_or_empty(text: str) -> str:
    return _visible(text) if text else text


def _web_image_url(raw: str) -> str:
    """An image every member's browser fetches from the event's card: https only (no mixed
    content, no plain-text fetch), no user name or password (a browser would send them, and
    `https://trusted.example@evil.example/` reads as the first host), and a public host name:
    no IP address (v4 in any of the forms browsers read, or v6) and no name that only leads
    inside a network (`localhost`, `.internal`, ...), so an event cannot make members' browsers
    knock on their own routers or on a cloud metadata address."""
    if "\\" in raw or any(character.isspace() for character in raw):
        # Browsers read a backslash as a slash and drop tabs and newlines: what they would
        # fetch is not what was checked.
        raise ValueError("must be a URL without spaces or backslashes")
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ValueError("must be an https URL") from None
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("must be an https URL")
    if "@" in parts.netloc:
        raise ValueError("must not contain a user name or password")
    problem = public_host_problem(parts.hostname)
    if problem:
        raise ValueError(problem)
    return raw


def _currency(code: str) -> str:
    problem = currency_problem(code)
    if problem:
        raise ValueError(problem)
    return code


def _json_number(value: Decimal) -> int | float:
    # Prices have at most 10 digits, so the float's shortest repr is exactly the decimal.
    return int(value) if value == value.to_integral_value() else float(value)


EventDate = Annotated[AwareDatetime, AfterValidator(_utc_to_the_second)]
Price = Annotated[Decimal, PlainSerializer(_json_number, return_type=int | float, when_used="json")]


class EventCategory(StrEnum):
    """The fixed set of event categories (docs/api.md "Events"). Each is one partition of the
    by_category index, so a category's listing is one Query."""

    MEETUP = "meetup"
    WORKSHOP = "workshop"
    TALK = "talk"
    SOCIAL = "social"
    SPORTS = "sports"
    ONLINE = "online"


Title = Annotated[
    str,
    Field(min_length=1, max_length=200),
    AfterValidator(_storable_text),
    AfterValidator(_one_line),
    AfterValidator(_visible),
]
Description = Annotated[
    str, Field(max_length=5000), AfterValidator(_storable_text), AfterValidator(_lines)
]
Location = Annotated[
    str,
    Field(max_length=300),
    AfterValidator(_storable_text),
    AfterValidator(_one_line),
    AfterValidator(_visible_or_empty),
]
PriceIn = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
Capacity = Annotated[int, Field(ge=1, le=1_000_000, strict=True)]
ImageUrl = Annotated[
    str, Field(max_length=2048), AfterValidator(_storable_text), AfterValidator(_web_image_url)
]
# Unset on a new event: the deployment's DEFAULT_CURRENCY (services.events).
Currency = Annotated[
    str,
    Field(min_length=3, max_length=3, examples=["EUR"]),
    AfterValidator(_currency),
]


# The largest event body a client can need: every text field at its limit, each character
# JSON-escaped as a surrogate pair (12 bytes), about 91 KB, plus the other fields.
MAX_EVENT_BODY_BYTES = 128 * 1024


def _not_started(start_date: datetime, info: ValidationInfo) -> datetime:
    """A new event's start is now or later: the listings show only events not yet started, so
    an event created in the past would never be seen. Validated with the context
    `{"allow_past": True}`, it may be (an operator's seed file loading history; an edit of an
    event that has started, whose other fields still change)."""
    context = info.context or {}
    if not context.get("allow_past") and start_date < datetime.now(UTC):
        raise ValueError("must not be in the past")
    return start_date


def _after_start_date(end_date: datetime, info: ValidationInfo) -> datetime:
    # Fields validate in order, so start_date is in info.data unless it was invalid itself.
    start_date = info.data.get("start_date")
    if start_date is not None and end_date <= start_date:
        raise ValueError("must be after start_date")
    return end_date


M = TypeVar("M", bound=BaseModel)


def _reshaped(
    *, required: tuple[str, ...] = (), optional: bool = False
) -> Callable[[type[M]], type[M]]:
    """The decorated model again, with the inherited fields named in `required` made required,
    or with every field made optional and nullable (a PATCH body): each field is declared once,
    in EventFields, and keeps its constraints, which apply to a value, never to a null."""

    def reshape(model: type[M]) -> type[M]:
        fields: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            if optional or name in required:
                value_type: Any = info.annotation
                if info.metadata:
                    value_type = Annotated[value_type, *info.metadata]
                fields[name] = (value_type | None, None) if optional else (value_type, ...)
        reshaped = create_model(
            model.__name__,
            __base__=model,
            __module__=model.__module__,
            __doc__=model.__doc__,
            **fields,
        )
        return cast(type[M], reshaped)

    return reshape


class EventFields(BaseModel):
    """An event's fields as an admin or an operator sets them, each declared once, with the
    defaults of a new event (EventCreate)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title
    description: Description = ""
    start_date: EventDate
    end_date: EventDate
    location: Location = ""
    price: PriceIn = Decimal(0)
    currency: Currency | None = None
    capacity: Capacity | None = None
    image_url: ImageUrl | None = None
    category: EventCategory | None = None
    is_active: bool = Field(default=True, strict=True)

    @field_validator("end_date")
    @classmethod
    def _ends_after_it_starts(
        cls, end_date: datetime | None, info: ValidationInfo
    ) -> datetime | None:
        return None if end_date is None else _after_start_date(end_date, info)


class EventCreate(EventFields):
    """POST /api/v1/events (admins): the server picks the id; optional fields may be left out.
    `currency` left out is the deployment's DEFAULT_CURRENCY."""

    @field_validator("start_date")
    @classmethod
    def _starts_now_or_later(cls, start_date: datetime, info: ValidationInfo) -> datetime:
        return _not_started(start_date, info)


@_reshaped(required=("description", "location", "price", "capacity", "image_url", "is_active"))
class EventIn(EventFields):
    """An event as an operator loads it (`make seed-events`). Any ISO 8601 date with an
    offset is accepted and stored in UTC; a date without an offset is ambiguous and refused."""

    id: Annotated[str, AfterValidator(_event_id)] | None = None
    created_at: EventDate | None = None

    @field_validator("start_date")
    @classmethod
    def _starts_now_or_later(cls, start_date: datetime, info: ValidationInfo) -> datetime:
        return _not_started(start_date, info)


# What a PATCH may not clear; capacity, image_url and category may be set to null.
NOT_NULLABLE = frozenset(
    {"title", "description", "start_date", "end_date", "location", "price", "currency", "is_active"}
)


@_reshaped(optional=True)
class EventPatch(EventFields):
    """PATCH /api/v1/events/{id} (admins): only the fields sent change; `null` clears
    capacity, image_url or category. The dates are checked against the stored ones too, and
    a start_date moved into the past is refused (services.events.update)."""

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("nothing to change")
        cleared = sorted(self.model_fields_set & NOT_NULLABLE & {k for k, v in self if v is None})
        if cleared:
            raise ValueError(f"cannot be null: {', '.join(cleared)}")
        return self


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    description: str
    start_date: datetime
    end_date: datetime
    location: str
    price: Price
    # The ISO 4217 code `price` is in (old events, stored without one, are in the default).
    currency: str
    capacity: int | None
    image_url: str | None
    category: EventCategory | None = None
    is_active: bool
    attendee_count: int = 0
    # Members waiting for a seat; only a full event has any.
    waitlist_count: int = 0
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def spots_left(self) -> int | None:
        """None when the event has no capacity limit."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.attendee_count, 0)


class UpcomingEvents(BaseModel):
    events: list[EventPublic]
    next_cursor: str | None
    has_more: bool


class EventDetail(BaseModel):
    success: bool = True
    event: EventPublic
