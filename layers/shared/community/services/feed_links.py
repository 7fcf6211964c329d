"""A member's calendar feed address: created on first request, shown again on every later
one, replaced by a reset (the old address unknown at once). The token is derived, not stored
(community/signed/feed_tokens.py); the data layer keeps its hash and nonce
(community/data/calendar_feeds.py). No icalendar here: these functions only hand out URLs."""

from urllib.parse import urlsplit

from community.data import calendar_feeds
from community.data import users as users_table
from community.entities import Member
from community.errors import NotFound, ServiceUnavailable
from community.gateways import credentials
from community.observability import count
from community.schemas.users import CalendarLinks
from community.settings import get_settings
from community.signed import feed_tokens

# Each round after the first lost a race to another request that issued the token (a first
# request, a reset): it reads the member again, so two rounds settle it; more is a backend
# that keeps refusing.
MAX_ROUNDS = 4
FEED_PATH = "/api/calendar/"


def links(member: Member) -> CalendarLinks:
    """The member's feed URLs, issuing the token when they have none yet (or when it no longer
    derives from the current key: the JWT secret was rotated). `member` is from a strongly
    consistent read. DynamoDB calls: none when the token exists; else one transaction (plus a
    consistent GetItem of the member per lost race)."""
    return _settle(member, reset=False)


def reset(member: Member) -> CalendarLinks:
    """A new token: the old one opens nothing from the moment this commits. Two resets at
    once end with one token, the one whose transaction won; both answer with it."""
    return _settle(member, reset=True)


def _settle(member: Member, *, reset: bool) -> CalendarLinks:
    key = feed_tokens.feed_key(credentials.jwt_secret())
    current = member
    for _ in range(MAX_ROUNDS):
        if current.calendar_nonce is not None and not reset:
            token = feed_tokens.token_for(key, current.id, current.calendar_nonce)
            if feed_tokens.token_hash(token) == current.calendar_hash:
                return _links(token)
        nonce = feed_tokens.new_nonce()
        token = feed_tokens.token_for(key, current.id, nonce)
        if calendar_feeds.issue(
            current.telegram_id,
            current.id,
            nonce,
            feed_tokens.token_hash(token),
            current.calendar_hash,
        ):
            count("CalendarFeedReset" if reset else "CalendarFeedIssued")
            return _links(token)
        found = users_table.get(member.telegram_id, consistent=True)
        if found is None or found.id != member.id:
            raise NotFound("member not found")
        # Another request issued or reset the token meanwhile: theirs is new, it stands and
        # is shown. Unchanged (the transaction only collided with another): try again.
        reset = reset and found.calendar_hash == current.calendar_hash
        current = found
    raise ServiceUnavailable()


def _links(token: str) -> CalendarLinks:
    base = str(get_settings().public_base_url).rstrip("/")
    url = f"{base}{FEED_PATH}{token}{feed_tokens.FEED_SUFFIX}"
    # webcal:// is the same address for calendar apps: they subscribe instead of downloading.
    parts = urlsplit(url)
    webcal = parts._replace(scheme="webcal").geturl()
    return CalendarLinks(url=url, webcal_url=webcal)
