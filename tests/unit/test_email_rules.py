"""The rules of email without any I/O: which addresses are accepted (and how they are
normalised), verification tokens (ours, unexpired, of this purpose only, never an access
token and never accepted as one), and how a reminder says the time left."""

import time
from datetime import timedelta

import jwt
import pytest

from community.errors import Gone, InvalidRequest, Unauthorized
from community.schemas.users import normalise_email
from community.services.notifications.reminder_text import headline, time_left
from community.signed import email_tokens, tokens

SECRET = "s" * 64
ISSUER = "community-api"
CLAIMS = email_tokens.Verification("user-1", 42, "alice@example.com", "nonce-1")


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("alice@example.com", "alice@example.com"),
        ("Alice.Smith@Example.COM", "Alice.Smith@example.com"),  # local part kept as typed
        ("  bob+events@mail.example.org ", "bob+events@mail.example.org"),
        ("o'neil@example.ie", "o'neil@example.ie"),
        ("x@xn--bcher-kva.example", "x@xn--bcher-kva.example"),  # an IDN in punycode
        ("a" * 64 + "@" + ("b" * 61 + ".") * 3 + "com", None),  # 254: the longest
    ],
)
def test_addresses_accepted_with_the_domain_lower_cased(raw: str, normalised: str | None) -> None:
    assert normalise_email(raw) == (normalised or raw)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("alice", "name@example.com"),
        ("alice@localhost", "domain name"),
        ("alice@10.0.0.1", "domain name"),
        ("alice@exa_mple.com", "domain name"),
        ("al ice@example.com", "ASCII"),
        ("jöhn@example.com", "ASCII"),
        ("a" * 65 + "@example.com", "at most 64"),
        ("a" * 64 + "@" + ("b" * 61 + ".") * 3 + "comm", "at most 254"),
    ],
)
def test_addresses_refused_say_why(raw: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        normalise_email(raw)


def test_a_link_token_we_issued_verifies_until_it_expires() -> None:
    now = int(time.time())
    token = email_tokens.issue(CLAIMS, SECRET, 3600, ISSUER, now=now)

    assert email_tokens.verify(token, SECRET, ISSUER) == CLAIMS
    old = email_tokens.issue(CLAIMS, SECRET, 3600, ISSUER, now=now - 3601)
    with pytest.raises(Gone, match="expired"):
        email_tokens.verify(old, SECRET, ISSUER)


def test_link_tokens_and_access_tokens_are_never_taken_for_one_another() -> None:
    link = email_tokens.issue(CLAIMS, SECRET, 3600, ISSUER)
    access = tokens.issue(tokens.TokenClaims("user-1", 42, 0), SECRET, 3600, ISSUER)

    with pytest.raises(InvalidRequest):
        email_tokens.verify(access, SECRET, ISSUER)
    with pytest.raises(Unauthorized):
        tokens.verify(link, SECRET, ISSUER)
    # Even a link token signed with the access tokens' own key is not an access token (aud)
    payload = jwt.decode(link, options={"verify_signature": False})
    with pytest.raises(Unauthorized):
        tokens.verify(jwt.encode({**payload, "ver": 0}, SECRET, "HS256"), SECRET, ISSUER)


@pytest.mark.parametrize(
    "change",
    [
        {"tid": "42"},
        {"tid": True},
        {"email": ""},
        {"nonce": None},
        {"iss": "someone-else"},
        {"aud": "login"},
    ],
)
def test_a_link_token_with_a_wrong_claim_is_refused(change: dict[str, object]) -> None:
    payload = jwt.decode(
        email_tokens.issue(CLAIMS, SECRET, 3600, ISSUER), options={"verify_signature": False}
    )
    token = jwt.encode({**payload, **change}, email_tokens.signing_key(SECRET), "HS256")
    with pytest.raises(InvalidRequest):
        email_tokens.verify(token, SECRET, ISSUER)


@pytest.mark.parametrize(
    ("left", "said"),
    [
        (timedelta(seconds=20), "1 minute"),
        (timedelta(minutes=29, seconds=59), "30 minutes"),
        (timedelta(minutes=57), "57 minutes"),
        (timedelta(minutes=59, seconds=59), "1 hour"),
        (timedelta(hours=1, minutes=25), "1 hour 25 minutes"),
        (timedelta(hours=2), "2 hours"),
        (timedelta(hours=22, minutes=59), "23 hours"),
        (timedelta(hours=23, minutes=56), "24 hours"),
        (timedelta(days=2, hours=1), "2 days"),
    ],
)
def test_a_reminder_says_the_time_really_left(left: timedelta, said: str) -> None:
    assert time_left(left) == said
    assert headline("Board games", left, "Sat 01 Mar 2030, 19:00 UTC") == (
        f"Reminder: Board games starts in {said}, Sat 01 Mar 2030, 19:00 UTC."
    )
