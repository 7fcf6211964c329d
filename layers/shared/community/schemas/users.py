"""A member's profile, public and private, what they may change, and the email address rule."""

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from community.values import DOMAIN_LABEL_RE, single_line


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    # As Telegram gave it, shown as one line without controls or bidi overrides: logins store
    # it so (telegram.py), and a member who has not logged in since is shown so too.
    name: Annotated[str, AfterValidator(single_line)]
    role: str
    photo_url: str | None
    referral_code: str
    created_at: datetime


class UserPrivate(UserPublic):
    telegram_id: int
    username: str | None
    coins: int
    email: str | None
    referred_by: str | None
    # Event reminders from the bot; on unless the member turned them off.
    reminders: bool = True
    # Whether `email` was confirmed through its verification link: only then do reminders go
    # there. A changed address starts unverified.
    email_verified: bool = False
    # The members who joined through this member's referral code.
    referral_count: int = 0


# RFC 5321's limits: 64 octets of local part, 254 for the whole path an address can fill.
EMAIL_MAX_CHARS = 254
EMAIL_LOCAL_MAX_CHARS = 64
# Longer input is refused before the rule runs (it bounds the work on hostile input); the rule
# itself gives the real limit with its own message.
EMAIL_INPUT_MAX_CHARS = 320
# The dot-atom of RFC 5322 (no quoted local parts, no comments), ASCII only: what SES accepts
# in a local part without SMTPUTF8, which it does not offer.
EMAIL_LOCAL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$"
)


def normalise_email(raw: str) -> str:
    """A deliverable-looking address with its domain lower-cased, or ValueError saying why.
    The rule (no dependency, no DNS): `local@domain`, at most 254 characters; the local part a
    dot-atom of at most 64 ASCII characters, kept as typed (it may be case-sensitive); the
    domain at least two DNS labels, the last not all digits (no IP literals)."""
    address = raw.strip()
    if len(address) > EMAIL_MAX_CHARS:
        raise ValueError(f"must be at most {EMAIL_MAX_CHARS} characters")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError("must be an email address: name@example.com")
    if len(local) > EMAIL_LOCAL_MAX_CHARS or not EMAIL_LOCAL_RE.fullmatch(local):
        raise ValueError(
            "the part before @ must be at most 64 ASCII letters, digits, dots (not first, last "
            "or doubled) or !#$%&'*+/=?^_`{|}~- characters"
        )
    domain = domain.lower()
    labels = domain.split(".")
    if (
        len(labels) < 2
        or not all(DOMAIN_LABEL_RE.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValueError("the part after @ must be a domain name such as example.com")
    return f"{local}@{domain}"


EmailAddress = Annotated[
    str, Field(max_length=EMAIL_INPUT_MAX_CHARS), AfterValidator(normalise_email)
]


class UserUpdate(BaseModel):
    """PATCH /api/users/me: what a member may change about themselves. `email` set stores the
    address unverified and sends it a verification link; `null` removes it; absent, it stays."""

    model_config = ConfigDict(extra="forbid")

    # Strict, as every boolean of a request body: "yes", 1 or "true" are a 422, not a guess.
    reminders: StrictBool | None = None
    email: EmailAddress | None = None


class EmailVerified(BaseModel):
    """GET /api/users/me/email/verify: the address its link confirmed."""

    success: bool = True
    email: str
    email_verified: bool = True


class PrivateProfile(BaseModel):
    success: bool = True
    user: UserPrivate


class PublicProfile(BaseModel):
    success: bool = True
    user: UserPublic


class CalendarLinks(BaseModel):
    """A member's calendar feed: `url` to download or paste into a calendar app, `webcal_url`
    (the same address) to open one. The token in both is the feed's only credential."""

    success: bool = True
    url: str
    webcal_url: str
