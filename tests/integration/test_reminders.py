"""The reminder sweep against the fake Bot API (tools/devkit/local/fakebot.py, on loopback in a
thread): each reminder at most once whatever happens (two sweeps at once, 429, 403, 5xx, a
timeout after acceptance), the nearest due offset only, reschedules, cancels, deactivations,
opt-outs, and 1,000 RSVPs sent within the Bot API's pace."""

import collections
import json
import os
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.backends import fresh_server_backend
from support.environment import ROOT
from support.faults import counting_calls, failing
from support.figures import record_figure
from support.flows import (
    admin_login,
    body_of,
    callback,
    delete_event,
    generate_code,
    login,
    rsvp,
    update_event,
)
from support.notice_pipeline import no_wait_api
from support.processes import daemon, free_port
from support.reminder_items import attend, member_item, new_event

from community.data import users as users_table
from community.data.models import User
from community.errors import ServiceUnavailable
from community.gateways.telegram_bot import BotApi, Pacer
from community.services.notifications import reminders
from community.services.users import login as service_login
from community.telegram import TelegramUser
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from devkit.local.fakebot import FakeBotApi

BOT_TOKEN = "7000000001:TEST-bot-token-for-unit-tests"


@pytest.fixture
def fake_bot() -> Iterator[FakeBotApi]:
    fake = FakeBotApi().start()
    yield fake
    fake.stop()


@pytest.fixture
def tables(dynamodb: Any) -> Any:
    return dynamodb


def members(count: int, *, first_id: int = 1_000_000, **fields: Any) -> list[User]:
    """Members as a login leaves them, written in batches (a login each would take minutes)."""
    now = datetime.now(UTC)
    made = []
    with User.batch_write() as batch:
        for number in range(count):
            user = member_item(
                first_id + number,
                f"Member {number}",
                now,
                allows_write_to_pm=fields.get("allows_write_to_pm", True),
                reminders=fields.get("reminders"),
            )
            batch.save(user)
            made.append(user)
    return made


def chats(fake: FakeBotApi) -> list[int]:
    return [message["chat_id"] for message in fake.messages()]


def test_an_rsvp_30_minutes_before_gets_the_1h_reminder_only_and_only_once(
    tables: Any, fake_bot: FakeBotApi
) -> None:
    # Given a member with an RSVP to an event starting in 30 minutes (24h and 1h both due)
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=30), title="Board games", location="Cafe")
    (member,) = members(1)
    attend(event, [member])

    # When the sweep runs twice
    first = reminders.sweep(now, api=no_wait_api(fake_bot))
    second = reminders.sweep(now + timedelta(minutes=5), api=no_wait_api(fake_bot))

    # Then one message went, the 1-hour one, saying the time really left (not the offset's),
    # with the title, the time and a button to the event
    (sent,) = fake_bot.messages()
    assert sent["chat_id"] == member.telegram_id
    assert "Board games starts in 30 minutes," in sent["text"]
    assert "UTC" in sent["text"]
    assert "Cafe" in sent["text"]
    (button,) = sent["reply_markup"]["inline_keyboard"][0]
    assert button["web_app"]["url"].endswith(f"/app/events/{event.id}")
    assert (first.sent, first.offsets, second.sent, second.already_claimed) == (1, {"1h": 1}, 0, 1)


def test_24h_then_1h_each_once(tables: Any, fake_bot: FakeBotApi) -> None:
    # Given an RSVP to an event 23 hours away
    now = datetime.now(UTC)
    event = new_event(now + timedelta(hours=23))
    attend(event, members(1))

    # When sweeps run every five minutes from now until it starts (and after)
    for step in range(0, 23 * 12 + 3, 6):  # every 30 minutes, to keep the test short
        reminders.sweep(now + timedelta(minutes=5 * step), api=no_wait_api(fake_bot))

    # Then exactly two messages: the 24-hour one (sent 23 hours before, and saying so), then
    # the 1-hour one
    texts = [message["text"] for message in fake_bot.messages()]
    assert len(texts) == 2
    assert "starts in 23 hours," in texts[0]
    assert "starts in 1 hour," in texts[1]


def test_two_sweeps_at_once_send_each_reminder_once(
    fake_bot: FakeBotApi, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 60 RSVPs due now, on moto's server one request at a time (a conditional write is
    # atomic in DynamoDB; moto's threaded server checks and writes without a lock)
    backend = fresh_server_backend(request, monkeypatch, "moto-server-serialized")
    next(backend)
    try:
        now = datetime.now(UTC)
        event = new_event(now + timedelta(minutes=50))
        people = members(60)
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

        # Then every member got one message, and the sweeps shared the work
        assert sorted(chats(fake_bot)) == sorted(int(user.telegram_id) for user in people)
        assert sum(report.sent for report in reports) == 60
        duplicates = len(chats(fake_bot)) - len(set(chats(fake_bot)))
        record_figure("two concurrent sweeps, 60 due reminders, duplicates", 60, duplicates)
    finally:
        next(backend, None)


def test_a_429_is_waited_out_then_sent_once(tables: Any, fake_bot: FakeBotApi) -> None:
    # Given a chat the Bot API answers first with 429 retry_after=1
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=40))
    (member,) = members(1)
    attend(event, [member])
    fake_bot.script(int(member.telegram_id), [429, 200], retry_after=1)
    waits: list[float] = []
    api = BotApi(fake_bot.url, BOT_TOKEN, pacer=Pacer(25, sleep=waits.append))

    # When the sweep runs
    report = reminders.sweep(now, api=api)

    # Then one message arrived, after every sender was held back for retry_after
    assert chats(fake_bot) == [member.telegram_id]
    assert report.sent == 1
    assert max(waits) == pytest.approx(1.0, abs=0.05)


def test_a_403_marks_the_member_unreachable_until_their_next_login(
    tables: Any, fake_bot: FakeBotApi
) -> None:
    # Given a member who blocked the bot, with RSVPs to two events
    now = datetime.now(UTC)
    first = new_event(now + timedelta(minutes=30))
    second = new_event(now + timedelta(minutes=45))
    (member,) = members(1)
    attend(first, [member])
    fake_bot.script(int(member.telegram_id), [403])

    # When the sweep meets the 403, and a later sweep has the second event due
    blocked = reminders.sweep(now, api=no_wait_api(fake_bot))
    attend(second, [member])
    skipped = reminders.sweep(now + timedelta(minutes=1), api=no_wait_api(fake_bot))

    # Then nothing was retried or sent to them
    calls = [
        call for call in fake_bot.calls if call["payload"].get("chat_id") == member.telegram_id
    ]
    assert len(calls) == 1
    assert (blocked.blocked, skipped.unreachable, skipped.sent) == (1, 1, 0)

    # And once they log in again, they are reminded
    time.sleep(0.01)  # the login's time must be after the block's
    service_login(TelegramUser(int(member.telegram_id), "Member", None, None, True))
    after_login = reminders.sweep(now + timedelta(minutes=2), api=no_wait_api(fake_bot))
    assert after_login.sent == 1
    assert chats(fake_bot) == [member.telegram_id]


def test_a_timeout_after_telegram_accepted_is_never_sent_again(
    tables: Any, fake_bot: FakeBotApi
) -> None:
    # Given a chat whose message Telegram accepts but answers too late for the client
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=30))
    (member,) = members(1)
    attend(event, [member])
    fake_bot.script(int(member.telegram_id), ["late"], delay=1.0)

    # When the sweep's read times out, and later sweeps run
    first = reminders.sweep(now, api=no_wait_api(fake_bot, read_timeout=0.3))
    time.sleep(1.0)
    again = reminders.sweep(now + timedelta(minutes=5), api=no_wait_api(fake_bot))

    # Then the one accepted message is all the member got: the claim was kept
    assert chats(fake_bot) == [member.telegram_id]
    assert (first.uncertain, again.sent, again.already_claimed) == (1, 0, 1)


def test_5xx_is_retried_a_bounded_number_of_times_then_released_for_the_next_sweep(
    tables: Any, fake_bot: FakeBotApi
) -> None:
    # Given two chats: one the Bot API fails twice then serves, one it fails every attempt
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=30))
    flaky, down = members(2)
    attend(event, [flaky, down])
    fake_bot.script(int(flaky.telegram_id), [500, 502])
    fake_bot.script(int(down.telegram_id), [500, 500, 500])

    # When a sweep runs, then the next one
    first = reminders.sweep(now, api=no_wait_api(fake_bot))
    second = reminders.sweep(now + timedelta(minutes=5), api=no_wait_api(fake_bot))

    # Then the flaky chat got it on the third attempt; the down one failed after three
    # attempts, its claim was given back, and the next sweep delivered it: one each
    attempts = collections.Counter(call["payload"]["chat_id"] for call in fake_bot.calls)
    assert attempts == {flaky.telegram_id: 3, down.telegram_id: 4}
    assert sorted(chats(fake_bot)) == sorted([flaky.telegram_id, down.telegram_id])
    assert (first.sent, first.failed, second.sent) == (1, 1, 1)


def test_reschedule_reminds_at_the_new_time_cancel_and_deactivate_get_none(
    tables: Any, fake_bot: FakeBotApi
) -> None:
    # Given three events and a member with an RSVP to each, made through the real functions
    admin = admin_login()
    session = login(43, "Bob")
    now = datetime.now(UTC)
    moved, cancelled, deactivated = (
        new_event(now + timedelta(minutes=30), title=title)
        for title in ("Moved", "Cancelled", "Deactivated")
    )
    for event in (moved, cancelled, deactivated):
        assert rsvp(session["token"], event.id)["statusCode"] == 201
    users_table.User(users_table.user_key(43)).update(actions=[User.allows_write_to_pm.set(True)])

    # When the first is reminded, then moved two days later; the second RSVP is cancelled
    # and the third event deactivated
    assert reminders.sweep(now, api=no_wait_api(fake_bot)).sent == 3
    fake_bot.reset()
    new_start = (now + timedelta(days=2)).replace(microsecond=0)
    new_times = {
        "start_date": new_start.isoformat(),
        "end_date": (new_start + timedelta(hours=2)).isoformat(),
    }
    assert update_event(admin["token"], moved.id, new_times)["statusCode"] == 200
    later = new_event(now + timedelta(days=2, minutes=10), title="Cancelled later")
    assert rsvp(session["token"], later.id)["statusCode"] == 201
    invoke_cancel = load_event("event_rsvp_cancel", TOKEN=session["token"], EVENT_ID=later.id)
    assert invoke("EventRsvpCancelFunction", invoke_cancel)["statusCode"] == 204
    again = new_event(now + timedelta(days=2, minutes=20), title="Deactivated later")
    assert rsvp(session["token"], again.id)["statusCode"] == 201
    assert delete_event(admin["token"], again.id)["statusCode"] == 204

    # Then at the new time the moved event is reminded again, and nothing else
    reminders.sweep(new_start - timedelta(minutes=30), api=no_wait_api(fake_bot))
    texts = [message["text"] for message in fake_bot.messages()]
    assert len(texts) == 1
    assert texts[0].startswith("Reminder: Moved starts in 30 minutes,")


def test_started_events_opt_outs_and_members_without_pm_get_nothing(
    tables: Any, fake_bot: FakeBotApi
) -> None:
    now = datetime.now(UTC)
    started = new_event(now - timedelta(minutes=5))
    soon = new_event(now + timedelta(minutes=30))
    everyone = members(1, first_id=1) + members(1, first_id=2, reminders=False)
    no_pm = members(1, first_id=3, allows_write_to_pm=False)
    attend(started, everyone)
    attend(soon, everyone[1:] + no_pm)

    report = reminders.sweep(now, api=no_wait_api(fake_bot))

    assert fake_bot.messages() == []
    assert (report.events, report.opted_out, report.no_pm, report.sent) == (1, 1, 1, 0)


def test_a_dynamodb_failure_fails_the_sweep_and_the_next_sends_no_duplicate(
    tables: Any, fake_bot: FakeBotApi
) -> None:
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=30))
    people = members(20)
    attend(event, people)

    with (
        failing("PutItem", "InternalServerError", status=500, times=1_000),
        pytest.raises(ServiceUnavailable),
    ):
        reminders.sweep(now, api=no_wait_api(fake_bot), senders=1)
    assert fake_bot.messages() == []

    reminders.sweep(now + timedelta(minutes=5), api=no_wait_api(fake_bot))
    assert sorted(chats(fake_bot)) == sorted(int(user.telegram_id) for user in people)


def test_the_scheduled_function_runs_a_sweep_at_the_given_now(
    tables: Any, fake_bot: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the Bot API's base URL pointing at the fake and an RSVP due at NOW
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake_bot.url)
    from support.backends import bind_models

    bind_models()
    now = datetime.now(UTC) + timedelta(days=3)
    event = new_event(now + timedelta(minutes=20))
    attend(event, members(1))
    scheduled = load_event("reminder_sweep")

    # When the function is invoked with its scheduled event, then with `now`
    nothing = invoke("ReminderSweepFunction", scheduled)
    demo = invoke("ReminderSweepFunction", {**scheduled, "now": now.isoformat()})

    # Then the first found nothing due, the second sent the reminder
    assert json.loads(nothing["body"])["sent"] == 0
    assert json.loads(demo["body"])["sent"] == 1
    assert len(fake_bot.messages()) == 1


SCALE = 2  # the pacer's clock runs twice as fast as the wall clock


@pytest.fixture
def fake_bot_process(tmp_path: Path) -> Iterator[str]:
    """The fake in a process of its own, so its arrival times are not skewed by this one's
    threads waiting for the interpreter lock (monotonic time is the machine's, comparable)."""
    url = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "devkit.local.fakebot", "--port", url.rsplit(":", 1)[1]]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tools")}
    with daemon(command, tmp_path / "fakebot.log", f"{url}/messages", env=env):
        yield url


def fetched_messages(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/messages", timeout=10) as response:
        messages: list[dict[str, Any]] = json.load(response)["messages"]
    return messages


@pytest.mark.parametrize("dynamodb", ["in-process"], indirect=True)
def test_1000_rsvps_give_1000_messages_no_duplicate_within_the_rate_limit(
    tables: Any, fake_bot_process: str
) -> None:
    # Given 1,000 members with an RSVP to one event starting within the hour
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=45))
    people = members(1000)
    attend(event, people)
    pacer = Pacer(25, clock=lambda: time.monotonic() * SCALE, sleep=lambda s: time.sleep(s / SCALE))
    api = BotApi(fake_bot_process, BOT_TOKEN, pacer=pacer)

    # When one sweep runs (on a clock twice as fast: 40 scaled seconds in about 20)
    started = time.monotonic()
    with counting_calls() as calls:
        report = reminders.sweep(now, api=api)
    elapsed = time.monotonic() - started

    # Then 1,000 messages, one per member, never more than 30 in any (scaled) second
    messages = fetched_messages(fake_bot_process)
    sent = [message["chat_id"] for message in messages]
    duplicates = len(sent) - len(set(sent))
    times = sorted(message["at"] * SCALE for message in messages)
    busiest = max(
        sum(1 for t in times[i : i + 40] if t < start + 1.0) for i, start in enumerate(times)
    )
    record_figure("1,000 RSVPs for one event, messages missing or duplicated", 1000, duplicates)
    print(
        f"\n1,000 RSVPs: {len(sent)} messages, {duplicates} duplicates, busiest scaled second "
        f"{busiest} messages, {elapsed:.1f} s wall ({elapsed * SCALE:.0f} s scaled), "
        f"DynamoDB calls {collections.Counter(calls)}"
    )
    assert len(sent) == 1000
    assert duplicates == 0
    assert sorted(sent) == sorted(int(user.telegram_id) for user in people)
    assert report.sent == 1000
    assert busiest <= 30
    # One Query for the events, one for the RSVPs, 10 + 20 BatchGetItem, a claim per message
    counted = collections.Counter(calls)
    assert (counted["Query"], counted["PutItem"], counted["Scan"]) == (2, 1000, 0)


def test_the_login_stores_allows_write_to_pm_and_patch_me_turns_reminders_off(
    tables: Any, fake_bot: FakeBotApi
) -> None:
    # Given two members who logged in allowing the bot to write, each with an RSVP due
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=30))
    sessions = [login_allowing(51, "Ann"), login_allowing(52, "Ben")]
    for session in sessions:
        assert rsvp(session["token"], event.id)["statusCode"] == 201

    # When the second turns reminders off through PATCH /api/users/me
    patch = load_event("users_me_update", TOKEN=sessions[1]["token"])
    response = invoke("UsersMeUpdateFunction", patch)
    report = reminders.sweep(now, api=no_wait_api(fake_bot))

    # Then only the first is reminded
    assert response["statusCode"] == 200
    assert body_of(response)["user"]["reminders"] is False
    assert chats(fake_bot) == [51]
    assert (report.sent, report.opted_out) == (1, 1)


def login_allowing(telegram_id: int, name: str) -> dict[str, Any]:
    issued = generate_code(telegram_id, name, allows_write_to_pm=True)
    session: dict[str, Any] = body_of(callback(body_of(issued)["code"], telegram_id))
    assert User.get(users_table.user_key(telegram_id)).allows_write_to_pm is True
    return session


def test_a_sweep_near_its_deadline_claims_nothing_more_and_the_next_one_goes_on(
    tables: Any, fake_bot: FakeBotApi
) -> None:
    # Given 10 due reminders and an invocation whose time runs out after the third send
    now = datetime.now(UTC)
    event = new_event(now + timedelta(minutes=30))
    people = members(10)
    attend(event, people)
    left = iter([60.0, 60.0, 60.0] + [5.0] * 100)

    # When that sweep runs with one sender, then the next with time to spare
    first = reminders.sweep(
        now, api=no_wait_api(fake_bot), remaining_seconds=lambda: next(left), senders=1
    )
    second = reminders.sweep(now + timedelta(minutes=5), api=no_wait_api(fake_bot))

    # Then the first stopped early, the second sent the rest: each member once
    assert (first.sent, first.stopped_early, second.sent) == (3, True, 7)
    assert sorted(chats(fake_bot)) == sorted(int(user.telegram_id) for user in people)


@pytest.mark.parametrize("dynamodb", ["in-process"], indirect=True)
def test_scale_20_events_of_100_rsvps_read_with_four_calls_per_event(tables: Any) -> None:
    # Given 20 events starting within the hour, 100 RSVPs each (2,000), every member with
    # reminders off: the sweep does all of its reading and sends nothing (as when everything
    # due was already claimed by an earlier sweep)
    now = datetime.now(UTC)
    people = members(100, reminders=False)
    events = [new_event(now + timedelta(minutes=10 + n)) for n in range(20)]
    for event in events:
        attend(event, people)

    # When one sweep runs
    started = time.monotonic()
    with counting_calls() as calls:
        report = reminders.sweep(now, api=BotApi("http://127.0.0.1:9", BOT_TOKEN))
    elapsed = time.monotonic() - started

    # Then one Query for the events (a keys-only index) and one BatchGetItem for them, and
    # per event one Query and three BatchGetItem; and one BatchGetItem of the channel cards'
    # recheck lists (services/announcements.py: catch_up), none listed here
    counted = collections.Counter(calls)
    print(f"\n20 events x 100 RSVPs: {dict(counted)} in {elapsed:.2f} s (moto in-process)")
    assert (report.events, report.recipients, report.opted_out) == (20, 2_000, 2_000)
    assert counted == {"Query": 21, "BatchGetItem": 62}
