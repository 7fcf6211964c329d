"""The shared profile page as a person sees it: served by `make run`, rendered by headless
Chromium (Debian's package) at a phone's viewport."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from support.browser import CHROMIUM, CHROMIUM_ARGS, PHONE
from support.browser_pages import assert_quiet, watch
from support.local_api import local_api, request

from devkit.local.env import LOCAL_DEFAULTS
from devkit.local.initdata import signed_init_data


def create_member(base: str, name: str) -> str:
    init_data = signed_init_data(LOCAL_DEFAULTS["TELEGRAM_BOT_TOKEN"], 4242, name)
    _, _, body = request(
        "POST", f"{base}/api/auth/generate-code", headers={"Authorization": f"tma {init_data}"}
    )
    code = json.loads(body)["code"]
    _, _, body = request("POST", f"{base}/api/auth/callback?code={code}&telegram_id=4242")
    return str(json.loads(body)["user"]["referral_code"])


# The page names no icon, so Chromium asks for /favicon.ico, which the API answers 404.
@pytest.mark.allow_console(r"status of 404 .*/favicon\.ico\)$")
def test_the_profile_page_renders_on_a_phone_with_name_and_join_button(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    unset = dict.fromkeys(["TELEGRAM_BOT_TOKEN", "JWT_SECRET", "DYNAMODB_ENDPOINT_URL"])
    with local_api(tmp_path, **unset) as base, sync_playwright() as playwright:
        referral_code = create_member(base, "Neon Alice")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True)
            watched = watch(page, request.node)
            response = page.goto(f"{base}/u/{referral_code.lower()}")
            assert response is not None
            assert response.status == 200

            heading = page.get_by_role("heading", name="Neon Alice")
            button = page.get_by_role("link", name="Join on Telegram")
            assert heading.is_visible()
            assert button.is_visible()
            assert button.get_attribute("href") == (
                f"https://t.me/community_bot/app?startapp={referral_code}"
            )
            box = button.bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"]

            screenshot = tmp_path / "profile-page-phone.png"
            page.screenshot(path=str(screenshot), full_page=True)
            assert screenshot.stat().st_size > 10_000
            assert_quiet(watched)  # no console error, uncaught error or CSP violation
        finally:
            browser.close()
