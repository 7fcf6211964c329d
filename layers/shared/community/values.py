"""The rules a stored value follows, in one place for the data layer, the schemas, the cursors
and the initData check alike: event ids, event dates, and text DynamoDB can store. The data
layer stores by these rules and the schemas accept by them; neither imports the other."""

import re
from datetime import UTC, datetime

# Event ids are ULIDs (Crockford base32, canonically upper case) or UUIDs (lower case).
ULID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# The events table's date format: fixed width and UTC, so lexical order is time order.
EVENT_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
EVENT_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# JSON may spell a lone UTF-16 surrogate ("\ud83c"), which Python keeps in a `str` but which
# has no UTF-8 form: DynamoDB refuses the whole request. A valid pair is decoded into one
# character by `json.loads`, so any surrogate left is lone.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def normalise_event_id(raw: str) -> str | None:
    """The canonical form of an event id, or None if `raw` is neither a ULID nor a UUID."""
    if ULID_RE.fullmatch(raw.upper()):
        return raw.upper()
    if UUID_RE.fullmatch(raw.lower()):
        return raw.lower()
    return None


def event_date(moment: datetime) -> str:
    """An event date as stored and indexed (EVENT_DATE_FORMAT)."""
    return moment.astimezone(UTC).strftime(EVENT_DATE_FORMAT)


def storable(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD, as a UTF-8 decoder would."""
    return LONE_SURROGATE.sub("\ufffd", text)


def has_lone_surrogate(text: str) -> bool:
    return LONE_SURROGATE.search(text) is not None
