"""The Mini App opened by a direct link (`t.me/<bot>/<app>?startapp=e_<id>`, what the bot puts
on its buttons in groups and in emails): Telegram launches it at /app/ with the start parameter,
and the app shows that event, the list behind it; a start parameter naming no event (a referral
code, a malformed one) leaves the list."""

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from support.local_api import local_api, request
from support.miniapp_client import (
    LIGHT,
    build_miniapp,
    init_data,
    launch_url,
    open_in_telegram,
    send,
)

expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("start-param")
    build_miniapp(logs / "build.log")
    unset = dict.fromkeys(["TELEGRAM_BOT_TOKEN", "JWT_SECRET", "DYNAMODB_ENDPOINT_URL"])
    with local_api(logs, **unset) as url:
        yield url


def an_upcoming_event(base: str) -> dict[str, str]:
    status, _, body = request("GET", f"{base}/api/v1/events/upcoming?limit=1")
    assert status == 200, body
    event: dict[str, str] = json.loads(body)["events"][0]
    return event


@pytest.mark.parametrize("where", ["init-data", "query"])
def test_a_direct_link_to_an_event_opens_it_over_the_list(
    base: str, page: Page, where: str
) -> None:
    # Given the start parameter of an event's direct link, as Telegram hands it over: in the
    # signed initData (start_param) or in the URL's query (tgWebAppStartParam)
    event = an_upcoming_event(base)
    param = f"e_{event['id']}"
    data = init_data(710001, "Linked", param if where == "init-data" else None)
    url = launch_url(base, data, LIGHT)
    if where == "query":
        url = url.replace("/app/#", f"/app/?tgWebAppStartParam={quote(param)}#", 1)

    # When Telegram opens the Mini App at its root with it
    open_in_telegram(page, url)

    # Then the event's screen shows, with the launch data kept, and Back leads to the list
    expect(page.get_by_role("heading", name=event["title"])).to_be_visible()
    assert f"/app/events/{event['id']}" in page.url
    assert "#tgWebAppData=" in page.url
    send(page, "back_button_pressed")
    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    # And a reload on the list stays there (the start parameter is used once)
    page.reload()
    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    assert "/app/events/" not in page.url


@pytest.mark.parametrize("param", ["UP-ABC123", "e_nope", "e_01HZX3K9Q7M2N4P6R8S0T1V3W5_e_x"])
def test_a_start_param_naming_no_event_leaves_the_list(base: str, page: Page, param: str) -> None:
    open_in_telegram(page, launch_url(base, init_data(710002, "Plain", param), LIGHT))

    expect(page.get_by_role("heading", name="Upcoming events")).to_be_visible()
    assert "/app/events/" not in page.url
