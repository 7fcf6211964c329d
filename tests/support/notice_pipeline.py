"""The bot's side of the notification tests: the fake Bot API as the code under test reaches it,
and the Notifications table's stream handed to the notice sender as Lambda's event source
mapping hands it over."""

import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from community.gateways.telegram_bot import BotApi, Pacer
from community.settings import get_settings
from devkit.functions.handlers import invoke
from devkit.local.fakebot import FakeBotApi
from devkit.local.notices import StreamFollower, deliver
from support.environment import BOT_TOKEN


def no_wait_api(fake: FakeBotApi, **options: Any) -> BotApi:
    """A Bot API client of `fake` that never sleeps (a test's 5xx would otherwise wait out the
    client's backoff) and paces far above Telegram's limit."""
    return BotApi(fake.url, BOT_TOKEN, pacer=Pacer(1000), sleep=lambda _: None, **options)


def fake_bot_for(monkeypatch: pytest.MonkeyPatch, *clients: ModuleType) -> Iterator[FakeBotApi]:
    """A running fake Bot API that each of `clients` (modules with a `default_api`) reaches
    through `no_wait_api`; stopped after the test."""
    fake = FakeBotApi().start()
    for client in clients:
        monkeypatch.setattr(client, "default_api", lambda: no_wait_api(fake))
    yield fake
    fake.stop()


def notice_stream() -> StreamFollower:
    """The configured Notifications table's stream, on the backend the tables are on."""
    return StreamFollower(
        get_settings().notifications_table,
        endpoint_url=os.environ.get("DYNAMODB_ENDPOINT_URL") or None,
        region=get_settings().aws_region,
    )


def send_new(stream: StreamFollower) -> list[dict[str, Any]]:
    """What the event source mapping does: the new records to the sender's handler, none left
    unsent; the records handed over."""
    records = stream.new_records()
    assert deliver(records, lambda event: invoke("NoticeSenderFunction", event), log=print) == 0
    return records
