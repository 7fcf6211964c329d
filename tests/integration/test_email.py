"""Email through SES (moto in-process and moto's server over HTTP): PATCH /api/users/me stores
an address unverified and sends one verification link; the link verifies it once; forged,
expired, reused and superseded links are refused with nothing written; bad addresses are a
422; links are rate-limited; the reminder sweep emails verified members with reminders on,
once, and says the time really left."""

import collections
import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from support.backends import fresh_server_backend
from support.environment import JWT_SECRET
from support.faults import counting_calls
from support.figures import record_figure
from support.flows import body_of, login
from support.mail_outbox import (
    SENDER,
    link_token,
    mails_to,
    sent_mails,
    ses_answer_lost,
    ses_failing,
    ses_hooked,
    verify_identity,
)
from support.notice_pipeline import no_wait_api
from support.reminder_items import attend, member_item, new_event

from community.data import users as users_table
from community.data.models import Event, User
from community.gateways import mail as mail_sending
from community.services.notifications import reminders
from community.settings import get_settings
from community.signed import email_tokens
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from devkit.local.fakebot import FakeBotApi


def configure(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@pytest.fixture
def ses(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SES on the same moto as the tables (its server's one endpoint serves both), with the
    sender identity verified as a deployer verifies it."""
    import os

    endpoint = os.environ.get("DYNAMODB_ENDPOINT_URL")
    configure(
        monkeypatch, SES_SENDER=SENDER, **({"SES_ENDPOINT_URL": endpoint} if endpoint else {})
    )
    verify_identity()
    yield
    get_settings.cache_clear()


@pytest.fixture
def fake_bot() -> Iterator[FakeBotApi]:
    fake = FakeBotApi().start()
    yield fake
    fake.stop()


def patch_me(token: str, body: Any) -> dict[str, Any]:
    event = load_event("users_me_update", TOKEN=token)
    event["body"] = json.dumps(body)
    return invoke("UsersMeUpdateFunction", event)


def me(token: str) -> dict[str, Any]:
    response = invoke("UsersMeFunction", load_event("users_me", TOKEN=token))
    user: dict[str, Any] = body_of(response)["user"]
    return user


def follow(token: str, accept: str = "application/json") -> dict[str, Any]:
    """GET the link as a mail client's browser (Accept: text/html) or another client would."""
    event = load_event("users_me_email_verify", EMAIL_TOKEN=token)
    event["headers"]["accept"] = accept
    return invoke("UsersMeEmailVerifyFunction", event)


def follow_raw(query: str) -> dict[str, Any]:
    event = load_event("users_me_email_verify", EMAIL_TOKEN="x")
    event["rawQueryString"] = query
    event["queryStringParameters"] = dict(
        part.split("=", 1) for part in query.split("&") if "=" in part
    )
    if not query:
        del event["queryStringParameters"]
    return invoke("UsersMeEmailVerifyFunction", event)


def stored(telegram_id: int) -> dict[str, Any]:
    """The member's item as DynamoDB holds it (every attribute), for "nothing written"."""
    item = User.get(users_table.user_key(telegram_id), consistent_read=True)
    return dict(item.attribute_values)


def test_an_address_is_stored_unverified_and_one_link_is_sent(ses: None) -> None:
    session = login(42, "Alice")

    response = patch_me(session["token"], {"email": "Alice.Smith@Example.COM"})

    # The domain lower-cased, the local part as typed; unverified until the link is followed
    assert response["statusCode"] == 200, response
    assert response["headers"]["cache-control"] == "no-store"
    user = body_of(response)["user"]
    assert (user["email"], user["email_verified"]) == ("Alice.Smith@example.com", False)
    assert (me(session["token"])["email"], me(session["token"])["email_verified"]) == (
        "Alice.Smith@example.com",
        False,
    )
    (mail,) = sent_mails()
    assert mail["to"] == ["Alice.Smith@example.com"]
    assert mail["source"] == SENDER
    assert "Confirm" in mail["subject"]
    assert "http://127.0.0.1:3000/api/users/me/email/verify?token=" in mail["body"]


def test_following_the_link_verifies_the_address_once(ses: None) -> None:
    session = login(42, "Alice")
    assert patch_me(session["token"], {"email": "alice@example.com"})["statusCode"] == 200
    token = link_token(mails_to("alice@example.com")[0])

    verified = follow(token)

    assert verified["statusCode"] == 200, verified
    assert body_of(verified) == {
        "success": True,
        "email": "alice@example.com",
        "email_verified": True,
    }
    assert verified["headers"]["cache-control"] == "no-store"
    assert verified["headers"]["referrer-policy"] == "no-referrer"
    assert me(session["token"])["email_verified"] is True
    # The same address again: already verified, nothing sent, still verified
    again = patch_me(session["token"], {"email": "alice@example.com"})
    assert body_of(again)["user"]["email_verified"] is True
    assert len(sent_mails()) == 1


def test_a_browser_gets_a_page_for_a_good_and_for_a_used_link(ses: None) -> None:
    session = login(42, "Alice")
    patch_me(session["token"], {"email": "alice@example.com"})
    token = link_token(sent_mails()[0])
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

    first, second = follow(token, browser), follow(token, browser)

    assert first["statusCode"] == 200
    assert first["headers"]["content-type"] == "text/html; charset=utf-8"
    assert "Email address verified" in first["body"]
    assert "alice@example.com" in first["body"]
    assert second["statusCode"] == 410
    assert second["headers"]["content-type"] == "text/html; charset=utf-8"
    assert "already been used" in second["body"]
    for page in (first, second):
        assert page["headers"]["cache-control"] == "no-store"
        assert "<script" not in page["body"]


def forged(valid: str, how: str, session_token: str) -> str:
    """A link token made some other way than by the server for this member."""
    claims = jwt.decode(valid, options={"verify_signature": False})
    key = email_tokens.signing_key(JWT_SECRET)
    if how == "bad-signature":
        return str(jwt.encode(claims, email_tokens.signing_key("another secret"), "HS256"))
    if how == "raw-jwt-secret":  # signed with the access tokens' key instead of the derived one
        return str(jwt.encode(claims, JWT_SECRET, "HS256"))
    if how == "wrong-audience":
        return str(jwt.encode({**claims, "aud": "login"}, key, "HS256"))
    if how == "no-audience":
        return str(jwt.encode({k: v for k, v in claims.items() if k != "aud"}, key, "HS256"))
    if how == "other-address":  # the payload changed under the original signature
        header, _, signature = valid.split(".")
        other = jwt.encode({**claims, "email": "mallory@example.com"}, key, "HS256")
        return f"{header}.{other.split('.')[1]}.{signature}"
    if how == "none-algorithm":
        return str(jwt.encode(claims, None, "none"))  # type: ignore[arg-type]
    if how == "login-token":
        return session_token
    if how == "garbage":
        return "not-a-token"
    raise AssertionError(how)


FORGERIES = [
    "bad-signature",
    "raw-jwt-secret",
    "wrong-audience",
    "no-audience",
    "other-address",
    "none-algorithm",
    "login-token",
    "garbage",
]


@pytest.mark.parametrize("how", FORGERIES)
def test_a_forged_link_is_refused_with_nothing_written(ses: None, how: str) -> None:
    session = login(42, "Alice")
    patch_me(session["token"], {"email": "alice@example.com"})
    token = forged(link_token(sent_mails()[0]), how, session["token"])
    before = stored(42)

    response = follow(token)

    assert response["statusCode"] == 400, response
    assert body_of(response) == {"success": False, "detail": "invalid verification link"}
    assert stored(42) == before
    assert me(session["token"])["email_verified"] is False


def test_a_link_without_a_token_is_refused(ses: None) -> None:
    for query in ("", "token=", "other=1"):
        response = follow_raw(query)
        assert response["statusCode"] == 400, (query, response)
        assert body_of(response)["detail"] == "invalid verification link"


def test_a_verification_token_is_not_an_access_token(ses: None) -> None:
    session = login(42, "Alice")
    patch_me(session["token"], {"email": "alice@example.com"})
    link = link_token(sent_mails()[0])

    response = invoke("UsersMeFunction", load_event("users_me", TOKEN=link))

    assert response["statusCode"] == 401


def test_an_expired_link_is_gone_with_nothing_written(ses: None) -> None:
    session = login(42, "Alice")
    patch_me(session["token"], {"email": "alice@example.com"})
    claims = jwt.decode(link_token(sent_mails()[0]), options={"verify_signature": False})
    # The member's real link, as the server would have issued it two days ago
    expired = email_tokens.issue(
        email_tokens.Verification(claims["sub"], claims["tid"], claims["email"], claims["nonce"]),
        JWT_SECRET,
        get_settings().email_token_ttl_seconds,
        get_settings().jwt_issuer,
        now=int(time.time()) - 2 * 86_400,
    )
    before = stored(42)

    response = follow(expired)

    assert response["statusCode"] == 410, response
    assert "expired" in body_of(response)["detail"]
    assert stored(42) == before


def test_a_reused_link_is_gone_with_nothing_written(ses: None) -> None:
    session = login(42, "Alice")
    patch_me(session["token"], {"email": "alice@example.com"})
    token = link_token(sent_mails()[0])
    assert follow(token)["statusCode"] == 200
    before = stored(42)

    response = follow(token)

    assert response["statusCode"] == 410
    assert body_of(response)["detail"] == (
        "this verification link has already been used: the address is verified"
    )
    assert stored(42) == before


def test_a_link_for_an_address_since_replaced_is_gone_with_nothing_written(
    ses: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, EMAIL_RESEND_SECONDS="0")
    session = login(42, "Alice")
    patch_me(session["token"], {"email": "old@example.com"})
    old_link = link_token(mails_to("old@example.com")[0])
    assert patch_me(session["token"], {"email": "new@example.com"})["statusCode"] == 200
    before = stored(42)

    response = follow(old_link)

    assert response["statusCode"] == 410
    assert "removed or replaced" in body_of(response)["detail"]
    assert stored(42) == before
    assert (me(session["token"])["email"], me(session["token"])["email_verified"]) == (
        "new@example.com",
        False,
    )
    # And back to the old address: a new link; the old mail's link stays dead
    assert patch_me(session["token"], {"email": "old@example.com"})["statusCode"] == 200
    assert follow(old_link)["statusCode"] == 410
    assert follow(link_token(mails_to("old@example.com")[-1]))["statusCode"] == 200


def test_removing_the_address_kills_its_link(ses: None) -> None:
    session = login(42, "Alice")
    patch_me(session["token"], {"email": "alice@example.com"})
    link = link_token(sent_mails()[0])

    removed = patch_me(session["token"], {"email": None})

    assert removed["statusCode"] == 200
    assert (body_of(removed)["user"]["email"], body_of(removed)["user"]["email_verified"]) == (
        None,
        False,
    )
    assert follow(link)["statusCode"] == 410
    assert me(session["token"])["email"] is None


BAD_ADDRESSES = [
    "plainaddress",
    "@example.com",
    "alice@",
    "alice@example",
    "alice@@example.com",
    "alice@exa mple.com",
    "ali ce@example.com",
    ".alice@example.com",
    "alice.@example.com",
    "al..ice@example.com",
    "alice@-example.com",
    "alice@example.123",
    "alice@[127.0.0.1]",
    '"quoted"@example.com',
    "jöhn@example.com",
    "alice@exämple.com",
    "a" * 65 + "@example.com",
    "a" * 64 + "@" + ("b" * 61 + ".") * 3 + "comm",  # 64 + 1 + 186 + 4 = 255 characters
    "\ud83c@example.com",
    "",
]


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_a_bad_address_is_a_422_and_nothing_is_stored_or_sent(ses: None, address: str) -> None:
    session = login(42, "Alice")
    before = stored(42)

    response = patch_me(session["token"], {"email": address})

    assert response["statusCode"] == 422, response
    assert body_of(response)["detail"][0]["loc"][-1] == "email"
    assert stored(42) == before
    assert sent_mails() == []


def test_a_longest_valid_address_is_accepted(ses: None) -> None:
    address = "a" * 64 + "@" + ("b" * 61 + ".") * 3 + "com"  # 64 + 1 + 186 + 3 = 254
    assert len(address) == 254
    session = login(42, "Alice")

    response = patch_me(session["token"], {"email": address})

    assert response["statusCode"] == 200, response
    assert [mail["to"] for mail in sent_mails()] == [[address]]


def test_links_are_sent_at_most_once_a_minute_and_a_resend_keeps_the_first_link_good(
    ses: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = login(42, "Alice")
    assert patch_me(session["token"], {"email": "alice@example.com"})["statusCode"] == 200

    # Asking again at once, for the same or another address: 429 with Retry-After
    for body in ({"email": "alice@example.com"}, {"email": "bob@example.com"}):
        refused = patch_me(session["token"], body)
        assert refused["statusCode"] == 429, refused
        assert 1 <= int(refused["headers"]["retry-after"]) <= 60
        assert "try again in" in body_of(refused)["detail"]
    assert len(sent_mails()) == 1
    assert me(session["token"])["email"] == "alice@example.com"

    # Once the interval is over, the same address gets a second mail; both links work, once
    configure(monkeypatch, EMAIL_RESEND_SECONDS="0")
    assert patch_me(session["token"], {"email": "alice@example.com"})["statusCode"] == 200
    first, second = (link_token(mail) for mail in mails_to("alice@example.com"))
    assert follow(second)["statusCode"] == 200
    assert follow(first)["statusCode"] == 410


def test_a_mail_ses_refuses_is_a_502_and_the_member_may_ask_again_at_once(
    ses: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = login(42, "Alice")

    # A sender identity SES has not verified (moto refuses it as SES does)
    configure(monkeypatch, SES_SENDER="unverified@elsewhere.example")
    refused = patch_me(session["token"], {"email": "alice@example.com"})
    assert refused["statusCode"] == 502, refused

    # Throttled every time: 503, after the bounded retries
    configure(monkeypatch, SES_SENDER=SENDER)
    with ses_failing("TooManyRequestsException", 429) as throttled:
        unavailable = patch_me(session["token"], {"email": "alice@example.com"})
    assert unavailable["statusCode"] == 503, unavailable
    assert len(throttled) == 4  # the first try and 3 retries

    # Neither counted against the resend interval: this one goes at once
    assert patch_me(session["token"], {"email": "alice@example.com"})["statusCode"] == 200
    assert len(sent_mails()) == 1


# ---- reminders by email -------------------------------------------------------------------


def member(telegram_id: int, *, email: str | None, verified: bool, **fields: Any) -> User:
    user = member_item(
        telegram_id,
        f"Member {telegram_id}",
        datetime.now(UTC),
        allows_write_to_pm=fields.get("allows_write_to_pm", True),
        reminders=fields.get("reminders"),
        email=email,
        email_verified=verified,
    )
    user.save()
    return user


def test_the_sweep_emails_verified_members_with_reminders_on_once(
    ses: None, fake_bot: FakeBotApi
) -> None:
    # Given an event in 30 minutes and members of every kind, one of whom blocked the bot
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=30), title="Board games", location="Cafe")
    verified = member(1, email="one@example.com", verified=True)
    blocked = member(2, email="two@example.com", verified=True)
    opted_out = member(3, email="three@example.com", verified=True, reminders=False)
    pending = member(4, email="four@example.com", verified=False)
    no_email = member(5, email=None, verified=False)
    attend(event, [verified, blocked, opted_out, pending, no_email])
    fake_bot.script(2, [403])

    # When the sweep runs, then again five minutes later
    first = reminders.sweep(now, api=no_wait_api(fake_bot))
    second = reminders.sweep(now + timedelta(minutes=5), api=no_wait_api(fake_bot))

    # Then the two verified members with reminders on got one email each, the blocked one too
    assert sorted(address for mail in sent_mails() for address in mail["to"]) == [
        "one@example.com",
        "two@example.com",
    ]
    assert (first.email.sent, first.email.opted_out, first.email.no_verified_email) == (2, 1, 2)
    assert (second.email.sent, second.email.already_claimed) == (0, 2)
    # And Telegram went on as before: everyone with reminders on but the blocked member
    assert sorted(message["chat_id"] for message in fake_bot.messages()) == [1, 4, 5]


def test_both_channels_say_the_time_really_left(ses: None, fake_bot: FakeBotApi) -> None:
    # Given an RSVP 30 minutes before the start: the 1-hour reminder is the one due
    now = datetime.now(UTC).replace(microsecond=0)
    event = new_event(now + timedelta(minutes=30), title="Board games", location="Cafe")
    attend(event, [member(1, email="one@example.com", verified=True)])

    reminders.sweep(now, api=no_wait_api(fake_bot))

    (message,) = fake_bot.messages()
    (mail,) = sent_mails()
    assert message["text"].startswith("Reminder: Board games starts in 30 minutes, ")
    assert mail["subject"] == "Reminder: Board games starts in 30 minutes"
    assert "Board games starts in 30 minutes, " in mail["body"]
    assert "Cafe" in mail["body"]
    # The Mini App's direct link at the event: a mail is read anywhere, and only Telegram
    # opens the app with the member's launch data (a /app/ link opened a browser)
    assert f"https://t.me/community_bot/app?startapp=e_{event.id}" in mail["body"]
    assert f"/app/events/{event.id}" not in mail["body"]
    assert "1 hour" not in message["text"] + mail["subject"] + mail["body"]


def test_the_subject_is_one_line_for_an_event_stored_with_a_line_break_in_its_title(
    ses: None, fake_bot: FakeBotApi
) -> None:
    # Given an event stored before titles refused controls, its title an email header injection
    now = datetime.now(UTC).replace(microsecond=0)
    event = new_event(now + timedelta(minutes=30), title="Party", location="Cafe")
    event.update(
        [
            Event.title.set("Party\r\nBcc: evil@example.com\u202e"),
            Event.location.set("Cafe\r\nX-Spam: no"),
        ]
    )
    attend(event, [member(1, email="one@example.com", verified=True)])

    # When its reminder goes
    reminders.sweep(now, api=no_wait_api(fake_bot))

    # Then the email went, to the member alone, under a one-line Subject without the override
    (mail,) = sent_mails()
    assert mail["to"] == ["one@example.com"]
    assert mail["subject"] == "Reminder: Party Bcc: evil@example.com starts in 30 minutes"
    assert "Where: Cafe X-Spam: no" in mail["body"]
    # And the Telegram reminder's lines are one line each too
    (message,) = fake_bot.messages()
    assert message["text"].startswith("Reminder: Party Bcc: evil@example.com starts in 30 minutes")


def test_email_failures_certain_and_uncertain(
    ses: None, fake_bot: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What is checked here is where throttled mails go, not how long the sweep waits: at the
    # sandbox's 1 mail a second, with the pace held 1 s per throttle (three per member), that
    # was 14 s. The pace has its own test (test_the_email_pace_keeps_under_ses_max_send_rate).
    configure(monkeypatch, SES_MAX_SEND_RATE="1000")
    monkeypatch.setattr(mail_sending, "THROTTLE_HOLD_SECONDS", 0.01)

    # Given three verified members due a reminder
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=30))
    people = [member(n, email=f"m{n}@example.com", verified=True) for n in (1, 2, 3)]
    attend(event, people)

    # When SES throttles every attempt, the claims are given back and the next sweep sends
    with ses_failing("TooManyRequestsException", 429):
        throttled = reminders.sweep(now, api=no_wait_api(fake_bot))
    assert (throttled.email.failed, throttled.email.sent, sent_mails()) == (3, 0, [])
    retried = reminders.sweep(now + timedelta(minutes=5), api=no_wait_api(fake_bot))
    assert retried.email.sent == 3
    assert len(sent_mails()) == 3


def test_a_mail_ses_accepted_whose_answer_was_lost_is_never_sent_again(
    ses: None, fake_bot: FakeBotApi
) -> None:
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=30))
    attend(event, [member(1, email="one@example.com", verified=True)])

    with ses_answer_lost():
        first = reminders.sweep(now, api=no_wait_api(fake_bot))
    again = reminders.sweep(now + timedelta(minutes=5), api=no_wait_api(fake_bot))

    assert (first.email.uncertain, again.email.sent, again.email.already_claimed) == (1, 0, 1)
    assert len(sent_mails()) == 1  # SES had it: the one mail


def test_a_mail_ses_rejects_is_kept_and_counted_not_retried(
    ses: None, fake_bot: FakeBotApi
) -> None:
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=30))
    attend(event, [member(1, email="one@example.com", verified=True)])

    with ses_failing("MessageRejected", 400) as rejected:
        first = reminders.sweep(now, api=no_wait_api(fake_bot))
    again = reminders.sweep(now + timedelta(minutes=5), api=no_wait_api(fake_bot))

    assert len(rejected) == 1
    assert (first.email.rejected, again.email.sent, again.email.already_claimed) == (1, 0, 1)
    assert sent_mails() == []


def test_one_read_of_rsvps_and_members_feeds_both_channels(ses: None, fake_bot: FakeBotApi) -> None:
    # Given an event in 30 minutes and three verified members with an RSVP
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=30))
    attend(event, [member(n, email=f"m{n}@example.com", verified=True) for n in (1, 2, 3)])

    # When the sweep sends both channels
    with counting_calls() as calls:
        report = reminders.sweep(now, api=no_wait_api(fake_bot))

    # Then the RSVPs were queried once and the members read once, for both: beside them, the
    # events (a Query of the index and a BatchGetItem), each channel's claims (a
    # BatchGetItem each) and the channel cards' recheck lists (one BatchGetItem)
    assert (report.sent, report.email.sent) == (3, 3)
    counted = collections.Counter(calls)
    assert (counted["Query"], counted["BatchGetItem"]) == (2, 5), counted


def test_the_email_pace_keeps_under_ses_max_send_rate(
    ses: None, fake_bot: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 11 verified members and SES allowing 5 messages a second
    configure(monkeypatch, SES_MAX_SEND_RATE="5")
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=30))
    attend(event, [member(n, email=f"m{n}@example.com", verified=True) for n in range(1, 12)])
    stamps: list[float] = []

    def record(**_: Any) -> None:
        stamps.append(time.monotonic())

    with ses_hooked("before-call.sesv2.SendEmail", record):
        report = reminders.sweep(now, api=no_wait_api(fake_bot))

    # Then no second held more than five: any six sends in a row span a second. (Not a gap
    # between two: the pacer spaces the moments senders pass it, and on a loaded machine one
    # call can reach botocore later than the next one's, which a window absorbs.)
    assert report.email.sent == 11
    windows = [later - earlier for earlier, later in zip(stamps, stamps[5:], strict=False)]
    assert min(windows) >= 0.95, windows


def test_two_sweeps_at_once_email_each_member_once(
    fake_bot: FakeBotApi, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 30 verified members due now, on moto's server one request at a time (as the
    # Telegram test, test_reminders.py, says why), SES on the same server
    backend = fresh_server_backend(request, monkeypatch, "moto-server-serialized")
    server = next(backend)
    try:
        configure(
            monkeypatch, SES_ENDPOINT_URL=server.url, SES_MAX_SEND_RATE="1000", SES_SENDER=SENDER
        )
        verify_identity()
        before = len(sent_mails())
        now = datetime.now(UTC)
        event = new_event(now + timedelta(minutes=50))
        people = [
            member(n, email=f"m{n}-{uuid.uuid4().hex[:6]}@example.com", verified=True)
            for n in range(1, 31)
        ]
        attend(event, people)
        barrier = threading.Barrier(2)
        reports: list[reminders.SweepReport] = []

        def run() -> None:
            barrier.wait()
            reports.append(reminders.sweep(now, api=no_wait_api(fake_bot)))

        # When two sweeps run at the same moment
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        # Then every member got one email, and the sweeps shared the work
        addresses = [to for mail in sent_mails()[before:] for to in mail["to"]]
        assert sorted(addresses) == sorted(str(user.email) for user in people)
        assert sum(report.email.sent for report in reports) == 30
        record_figure(
            "two concurrent sweeps, 30 due email reminders, duplicates",
            30,
            len(addresses) - len(set(addresses)),
        )
    finally:
        next(backend, None)


def test_links_tokens_and_nonces_are_never_logged(
    ses: None, log_output: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a whole email flow, refusals included, logged as CloudWatch would get it
    configure(monkeypatch, EMAIL_RESEND_SECONDS="0")
    session = login(42, "Alice")
    patch_me(session["token"], {"email": "alice@example.com"})
    patch_me(session["token"], {"email": "alice@example.com"})
    first, second = (link_token(mail) for mail in sent_mails())
    follow(second)
    follow(first, "text/html")
    follow(forged(first, "bad-signature", session["token"]))

    # Then no token, nonce or link is in any line
    logged = log_output.getvalue()
    nonce = jwt.decode(first, options={"verify_signature": False})["nonce"]
    assert '"request"' in logged  # the failures were logged
    for secret in (first, second, nonce, JWT_SECRET, "token="):
        assert secret not in logged
