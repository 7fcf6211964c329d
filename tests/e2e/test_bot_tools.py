"""`make set-webhook` against the fake Bot API: setWebhook with the webhook secret and the
updates the webhook handles."""

import os
import subprocess
from collections.abc import Iterator

import pytest
from support.environment import ROOT

from devkit.local.fakebot import FakeBotApi


@pytest.fixture
def fake_bot() -> Iterator[FakeBotApi]:
    fake = FakeBotApi().start()
    yield fake
    fake.stop()


def test_make_set_webhook_registers_the_url_the_secret_and_the_allowed_updates(
    fake_bot: FakeBotApi,
) -> None:
    # Given a bot token and webhook secret in the environment, and the fake as the Bot API
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "TELEGRAM_API_BASE_URL": fake_bot.url,
        "TELEGRAM_BOT_TOKEN": "123:TOKEN",
        "TELEGRAM_WEBHOOK_SECRET": "the-secret_1",
    }
    url = "https://community.example.com/api/telegram/webhook"

    # When the operator runs make set-webhook
    result = subprocess.run(
        ["make", "-s", "set-webhook", f"URL={url}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # Then Telegram was asked for exactly that webhook, under the bot's token
    assert result.returncode == 0, result.stderr
    (call,) = [call for call in fake_bot.calls if call["method"] == "setWebhook"]
    assert call["payload"] == {
        "url": url,
        "secret_token": "the-secret_1",
        "allowed_updates": ["message", "chat_join_request"],
        "drop_pending_updates": False,
    }
    assert '"ok": true' in result.stdout


def test_make_set_webhook_without_a_url_says_how() -> None:
    result = subprocess.run(
        ["make", "-s", "set-webhook"], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert result.returncode == 2
    assert "usage: make set-webhook URL=" in result.stderr
