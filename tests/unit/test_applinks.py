"""Every link into the Mini App (community/applinks.py): web_app buttons in private chats, the
direct link t.me/<bot>/<app>?startapp=<param> anywhere else; the start parameter of an event
read back as the Mini App reads it (the same vectors as miniapp/tests/startParam.test.ts); and
JOIN_URL_TEMPLATE's other query parameters kept."""

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from support.environment import ROOT

from community import applinks
from community.applinks import Target
from community.settings import Settings, get_settings

VECTORS = json.loads((ROOT / "miniapp/tests/start-params.json").read_text())
ULID = "01HZX3K9Q7M2N4P6R8S0T1V3W5"
UUID = "0b6a1f6e-8f1e-4c1a-9d2b-3f4e5a6b7c8d"


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://community.example.com")
    monkeypatch.setenv("JOIN_URL_TEMPLATE", "https://t.me/community_bot/app?startapp={code}")
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize(("param", "event_id"), VECTORS["opens"])
def test_a_start_param_opens_its_event(param: str, event_id: str) -> None:
    assert applinks.event_of(param) == event_id


@pytest.mark.parametrize("param", VECTORS["refused"])
def test_a_referral_code_or_a_malformed_start_param_opens_no_event(param: str) -> None:
    assert applinks.event_of(param) is None


@pytest.mark.parametrize(("param", "referral_code"), VECTORS["referrals"])
def test_a_start_param_carries_a_referral_only_as_a_bare_code_or_beside_an_event(
    param: str, referral_code: str | None
) -> None:
    assert applinks.referral_of(param) == referral_code


@pytest.mark.parametrize("param", VECTORS["refused"])
def test_a_start_param_that_opens_no_event_carries_a_referral_only_as_a_bare_code(
    param: str,
) -> None:
    expected = param.strip().upper() if param.startswith("UP-") else None
    assert applinks.target_of(param) == Target(referral_code=expected)


@pytest.mark.parametrize("event_id", [ULID, UUID])
@pytest.mark.parametrize("referral_code", ["UP-ABC123", None])
def test_an_event_link_with_a_referral_round_trips_through_its_start_param(
    configured: pytest.MonkeyPatch, event_id: str, referral_code: str | None
) -> None:
    target = Target(event_id=event_id, referral_code=referral_code)
    link = applinks.direct_link(target)

    (param,) = parse_qs(urlsplit(link).query)["startapp"]
    assert applinks.START_PARAM_RE.fullmatch(param)
    assert len(param) <= applinks.MAX_PRODUCED_LENGTH
    assert applinks.target_of(param) == target
    suffix = f"_r_{referral_code}" if referral_code else ""
    assert link == f"https://t.me/community_bot/app?startapp=e_{event_id}{suffix}"


def test_the_longest_produced_start_param_is_the_stated_maximum() -> None:
    longest = applinks.start_param(Target(event_id=UUID, referral_code="UP-ABC123"))
    assert longest is not None
    assert len(longest) == applinks.MAX_PRODUCED_LENGTH == 50


@pytest.mark.parametrize("event_id", [ULID, UUID])
def test_an_event_link_round_trips_through_its_start_param(
    configured: pytest.MonkeyPatch, event_id: str
) -> None:
    link = applinks.direct_link(Target(event_id=event_id))

    assert link.startswith("https://t.me/community_bot/app?startapp=e_")
    (param,) = parse_qs(urlsplit(link).query)["startapp"]
    assert applinks.START_PARAM_RE.fullmatch(param)  # what Telegram allows in startapp
    assert applinks.event_of(param) == event_id


def test_in_a_private_chat_a_button_is_a_web_app_at_the_event_path(
    configured: pytest.MonkeyPatch,
) -> None:
    assert applinks.button("Go", Target(event_id=ULID), private_chat=True) == {
        "text": "Go",
        "web_app": {"url": f"https://community.example.com/app/events/{ULID}"},
    }
    assert applinks.button("Go", Target(), private_chat=True) == {
        "text": "Go",
        "web_app": {"url": "https://community.example.com/app/"},
    }


def test_elsewhere_or_with_a_referral_a_button_is_the_direct_link(
    configured: pytest.MonkeyPatch,
) -> None:
    assert applinks.button("Go", Target(event_id=ULID), private_chat=False) == {
        "text": "Go",
        "url": f"https://t.me/community_bot/app?startapp=e_{ULID}",
    }
    assert applinks.button("Go", Target(), private_chat=False) == {
        "text": "Go",
        "url": "https://t.me/community_bot/app",
    }
    # web_app buttons carry no start parameter: a referral needs the direct link
    assert applinks.button("Go", Target(referral_code="UP-ABC123"), private_chat=True) == {
        "text": "Go",
        "url": "https://t.me/community_bot/app?startapp=UP-ABC123",
    }
    shared = Target(event_id=ULID, referral_code="UP-ABC123")
    assert applinks.button("Go", shared, private_chat=True) == {
        "text": "Go",
        "url": f"https://t.me/community_bot/app?startapp=e_{ULID}_r_UP-ABC123",
    }


def settings_with(template: str) -> Settings:
    return Settings(
        users_table="users",
        events_table="events",
        auth_codes_table="codes",
        attendances_table="attendances",
        join_url_template=template,
    )


@pytest.mark.parametrize(
    ("template", "plain"),
    [
        ("https://t.me/bot/app?startapp={code}", "https://t.me/bot/app"),
        ("https://t.me/bot/app?startapp={code}&mode=compact", "https://t.me/bot/app?mode=compact"),
        ("https://t.me/bot/app?mode=compact&startapp={code}", "https://t.me/bot/app?mode=compact"),
        (
            "https://t.me/bot/app?mode=compact&startapp={code}&x=a%20b",
            "https://t.me/bot/app?mode=compact&x=a%20b",
        ),
        ("https://t.me/bot?start={code}", "https://t.me/bot"),
        ("https://t.me/bot/app", "https://t.me/bot/app"),
    ],
)
def test_the_plain_mini_app_link_keeps_the_templates_other_parameters(
    template: str, plain: str
) -> None:
    assert settings_with(template).mini_app_url() == plain


def test_a_join_link_keeps_the_templates_other_parameters() -> None:
    settings = settings_with("https://t.me/bot/app?startapp={code}&mode=compact")

    assert settings.join_url("UP-ABC123") == "https://t.me/bot/app?startapp=UP-ABC123&mode=compact"


@pytest.mark.parametrize(
    ("template", "username"),
    [
        ("https://t.me/community_bot/app?startapp={code}", "community_bot"),
        ("https://telegram.me/other_bot/app?startapp={code}", "other_bot"),
        ("https://example.com/join?code={code}", None),
    ],
)
def test_the_bot_username_comes_from_a_t_me_template(
    configured: pytest.MonkeyPatch, template: str, username: str | None
) -> None:
    configured.setenv("JOIN_URL_TEMPLATE", template)
    get_settings.cache_clear()

    assert applinks.bot_username() == username
