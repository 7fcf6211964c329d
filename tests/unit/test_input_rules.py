"""The rules for what people type and others see (community.values, the event and member
schemas): one-line texts without controls or bidi overrides, titles that show something,
image addresses members' browsers may fetch, ISO 4217 currencies, strict booleans, and the
email Subject that is one line whatever an event holds."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from community.applinks import Target
from community.schemas.events import EventCreate, EventIn, EventPatch, EventPublic
from community.schemas.users import UserPublic, UserUpdate
from community.services.notifications.email_channel import letter, subject_line
from community.services.notifications.pipeline import Content
from community.settings import Settings
from community.values import (
    CURRENCIES,
    is_blank,
    multi_line_problem,
    public_host_problem,
    single_line,
    single_line_problem,
)

SOON = datetime.now(UTC) + timedelta(days=3)


def new_event(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Meetup",
        "start_date": SOON.isoformat(),
        "end_date": (SOON + timedelta(hours=2)).isoformat(),
        **changes,
    }


def refused_fields(model: Any, raw: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(raw, **kwargs)
    return {".".join(map(str, error["loc"])): error["msg"] for error in caught.value.errors()}


# --- One-line and multi-line texts (issue 25, item 5) -----------------------------------

HOSTILE_ONE_LINE = {
    "crlf-header": "Party\r\nBcc: evil@example.com",
    "lf": "Party\nnight",
    "nul": "Party\x00",
    "bel": "Pa\x07rty",
    "tab": "Party\tnight",
    "del": "Party\x7f",
    "c1-nel": "Party\x85night",
    "rlo": "gnp.\u202eexe",
    "lre": "\u202aParty",
    "pdf": "Party\u202c",
    "rli": "\u2067Party\u2069",
    "fsi": "\u2068Party",
    "line-separator": "Party\u2028night",
    "paragraph-separator": "Party\u2029night",
}


@pytest.mark.parametrize("text", HOSTILE_ONE_LINE.values(), ids=HOSTILE_ONE_LINE.keys())
def test_a_one_line_text_refuses_controls_line_breaks_and_bidi_overrides(text: str) -> None:
    problem = single_line_problem(text)

    assert problem is not None
    assert "U+" in problem  # names the character, since most of them cannot be seen


@pytest.mark.parametrize(
    "text",
    [
        "Summer meetup",
        "\u0645\u0644\u062a\u0642\u0649 2025",  # Arabic with digits
        "\u05e4\u05d2\u05d9\u05e9\u05d4 \u200f(\u05e2\u05d1\u05e8\u05d9\u05ea)",  # Hebrew + RLM
        "Caf\u00e9 \U0001f389 \U0001f468\u200d\U0001f469\u200d\U0001f467",  # ZWJ emoji
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian with ZWNJ
        "Left\u200eright \u061c",  # the bidi marks, kept: they cannot reverse letters
    ],
)
def test_a_one_line_text_keeps_every_script_emoji_joiners_and_bidi_marks(text: str) -> None:
    assert single_line_problem(text) is None


def test_a_multi_line_text_keeps_line_feeds_and_tabs_only() -> None:
    assert multi_line_problem("Line 1\nLine 2\n\tindented") is None
    assert multi_line_problem("Line 1\rLine 2") is not None
    assert multi_line_problem("Bell\x07") is not None
    assert multi_line_problem("gnp.\u202eexe") is not None


@pytest.mark.parametrize("field", ["title", "location"])
@pytest.mark.parametrize("text", HOSTILE_ONE_LINE.values(), ids=HOSTILE_ONE_LINE.keys())
def test_event_titles_and_locations_refuse_them_naming_the_field(field: str, text: str) -> None:
    for model, kwargs in ((EventCreate, {}), (EventPatch, {})):
        raw = new_event(**{field: text}) if model is EventCreate else {field: text}
        assert field in refused_fields(model, raw, **kwargs)


def test_a_description_keeps_its_lines_and_tabs_with_windows_newlines_as_line_feeds() -> None:
    event = EventCreate.model_validate(new_event(description="One\r\nTwo\rThree\n\tFour"))

    assert event.description == "One\nTwo\nThree\n\tFour"
    assert "description" in refused_fields(EventCreate, new_event(description="A\x00B"))
    assert "description" in refused_fields(EventCreate, new_event(description="x\u202ey"))


def test_single_line_makes_anything_one_line_without_overrides() -> None:
    assert single_line("Party\r\nBcc: evil@example.com") == "Party Bcc: evil@example.com"
    assert single_line("  gnp.\u202eexe\u2069 \x00\x85 end\u2028 ") == "gnp.exe end"
    assert single_line("\u05e9\u05dc\u05d5\u05dd\u200f!") == "\u05e9\u05dc\u05d5\u05dd\u200f!"


def test_the_email_subject_is_one_line_whatever_the_notice_holds() -> None:
    content = Content(
        subject="Reminder: Party\r\nBcc: evil@example.com\u202e starts in 1 hour",
        lines=["Reminder: Party"],
        link_text="Open the event",
        link=Target(event_id="1"),
        why="Because.",
    )

    mail = letter(content, "alice@example.com")

    assert mail.subject == "Reminder: Party Bcc: evil@example.com starts in 1 hour"
    assert subject_line("a\rb\nc\td") == "a b c d"


def test_a_member_name_is_shown_as_one_line_even_as_stored_before() -> None:
    stored = {
        "id": "u1",
        "name": "Eve\r\n\u202egnp.exe",
        "role": "member",
        "photo_url": None,
        "referral_code": "UP-000001",
        "created_at": datetime.now(UTC),
    }

    assert UserPublic.model_validate(stored).name == "Eve gnp.exe"


# --- Titles that show something, start dates, image addresses (item 9) --------------------


@pytest.mark.parametrize(
    "title",
    ["\u200b", "\u200b\u200c\u200d", "\u2060\ufeff", " \u200b ", "\u3164", "\u00ad\u200e"],
)
def test_a_title_of_only_invisible_characters_is_refused(title: str) -> None:
    assert is_blank(title)
    assert "title" in refused_fields(EventCreate, new_event(title=title))
    assert "title" in refused_fields(EventPatch, {"title": title})


def test_a_location_may_be_empty_but_not_only_invisible() -> None:
    assert EventCreate.model_validate(new_event(location="")).location == ""
    assert "location" in refused_fields(EventCreate, new_event(location="\u200b"))


def test_a_new_event_may_not_start_in_the_past_unless_history_is_asked_for() -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    raw = new_event(start_date=past.isoformat(), end_date=(past + timedelta(hours=1)).isoformat())
    seed = {
        **raw,
        "description": "",
        "location": "",
        "price": 0,
        "capacity": None,
        "image_url": None,
        "is_active": True,
    }

    past_start = {"start_date": "Value error, must not be in the past"}
    assert refused_fields(EventCreate, raw) == past_start
    assert "start_date" in refused_fields(EventIn, seed)
    assert EventIn.model_validate(seed, context={"allow_past": True}).start_date < SOON
    # A PATCH is checked against the stored event (services.events.update), not here.
    assert EventPatch.model_validate({"start_date": past.isoformat()}).start_date is not None


REFUSED_IMAGES = {
    "http": "http://example.com/poster.png",
    "metadata-v4": "http://169.254.169.254/latest/meta-data/",
    "https-metadata-v4": "https://169.254.169.254/latest/meta-data/",
    "userinfo": "https://user:pass@example.com/poster.png",
    "user-only": "https://trusted.example.com@evil.example.com/poster.png",
    "ipv4": "https://93.184.216.34/poster.png",
    "ipv4-decimal": "https://2130706433/poster.png",
    "ipv4-short": "https://127.1/poster.png",
    "ipv4-hex": "https://0x7f.0.0.1/poster.png",
    "ipv6": "https://[::1]/poster.png",
    "ipv6-mapped": "https://[::ffff:169.254.169.254]/poster.png",
    "localhost": "https://localhost/poster.png",
    "sub-localhost": "https://app.localhost/poster.png",
    "trailing-dot-localhost": "https://localhost./poster.png",
    "mdns": "https://printer.local/poster.png",
    "internal": "https://metadata.google.internal/computeMetadata/v1/",
    "home-arpa": "https://router.home.arpa/poster.png",
    "single-label": "https://intranet/poster.png",
    "percent-host": "https://%31%32%37.0.0.1/poster.png",
    "backslash": "https://example.com\\@169.254.169.254/poster.png",
    "space": "https://example.com/a poster.png",
    "javascript": "javascript:alert(1)",
    "data": "data:image/png;base64,AAAA",
    "no-host": "https:///poster.png",
    "bad-port": "https://example.com:99999/poster.png",
    "unicode-host": "https://b\u00fccher.example/poster.png",
}


@pytest.mark.parametrize("url", REFUSED_IMAGES.values(), ids=REFUSED_IMAGES.keys())
def test_an_image_url_members_browsers_should_not_fetch_is_refused(url: str) -> None:
    assert "image_url" in refused_fields(EventCreate, new_event(image_url=url))
    assert "image_url" in refused_fields(EventPatch, {"image_url": url})


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/poster.png",
        "HTTPS://cdn.example.com/a/b.png?size=2x#top",
        "https://images.example.co.uk:8443/poster.png",
        "https://xn--bcher-kva.example/poster.png",
        "https://example.com./poster.png",
        "https://localhost.example.com/poster.png",
    ],
)
def test_a_public_https_image_url_is_kept_as_given(url: str) -> None:
    assert EventCreate.model_validate(new_event(image_url=url)).image_url == url


def test_a_host_is_judged_by_its_name_alone() -> None:
    assert public_host_problem("example.com") is None
    assert public_host_problem("10.0.0.1") is not None
    assert public_host_problem("corp.internal") is not None


# --- Strict booleans (item 12) -------------------------------------------------------------


@pytest.mark.parametrize("value", ["yes", 1, "true", 0, "false", "on", None])
def test_request_booleans_take_only_true_or_false(value: object) -> None:
    if value is not None:  # null is "leave it" in these PATCH bodies
        assert "reminders" in refused_fields(UserUpdate, {"reminders": value})
        assert "is_active" in refused_fields(EventPatch, {"is_active": value})
    assert "is_active" in refused_fields(EventCreate, new_event(is_active=value))
    assert UserUpdate.model_validate({"reminders": False}).reminders is False


# --- Currencies (item 8) -------------------------------------------------------------------


def test_the_currency_list_is_iso_4217_codes_in_circulation() -> None:
    assert {"EUR", "USD", "GBP", "JPY", "CHF", "XOF", "XCG", "SLE", "ZWG"} <= CURRENCIES
    # Withdrawn, funds, metals and testing codes are not prices anyone pays.
    assert CURRENCIES.isdisjoint({"BGN", "HRK", "ANG", "SLL", "ZWL", "XAU", "XXX", "XTS", "CHE"})
    assert all(len(code) == 3 and code.isascii() and code.isupper() for code in CURRENCIES)


@pytest.mark.parametrize("code", ["usd", "EURO", "EU", "EUE", "XXX", "BGN", "", 978])
def test_an_unknown_currency_is_refused(code: object) -> None:
    assert "currency" in refused_fields(EventCreate, new_event(currency=code))
    assert "currency" in refused_fields(EventPatch, {"currency": code})


def test_a_new_event_may_name_its_currency_and_a_patch_may_not_clear_it() -> None:
    assert EventCreate.model_validate(new_event(currency="USD")).currency == "USD"
    assert EventCreate.model_validate(new_event()).currency is None  # the default, later
    assert refused_fields(EventPatch, {"currency": None}) == {
        "": "Value error, cannot be null: currency"
    }


def test_every_answered_event_has_a_currency() -> None:
    assert EventPublic.model_fields["currency"].is_required()


def test_the_deployment_default_currency_is_eur_and_must_be_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DEFAULT_CURRENCY", raising=False)
    required = {
        "USERS_TABLE": "u-t",
        "EVENTS_TABLE": "e-t",
        "AUTH_CODES_TABLE": "a-t",
        "ATTENDANCES_TABLE": "at-t",
    }
    for name, value in required.items():
        monkeypatch.setenv(name, value)

    assert Settings().default_currency == "EUR"
    monkeypatch.setenv("DEFAULT_CURRENCY", "USD")
    assert Settings().default_currency == "USD"
    monkeypatch.setenv("DEFAULT_CURRENCY", "EUE")
    with pytest.raises(ValidationError):
        Settings()


def test_the_template_gives_every_function_the_default_currency_parameter() -> None:
    from support.template_facts import TEMPLATE

    parameter = TEMPLATE["Parameters"]["DefaultCurrency"]
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]

    assert parameter["Default"] == "EUR"
    assert re.fullmatch(parameter["AllowedPattern"], "USD")
    assert not re.fullmatch(parameter["AllowedPattern"], "usd")
    assert variables["DEFAULT_CURRENCY"] == {"Ref": "DefaultCurrency"}
