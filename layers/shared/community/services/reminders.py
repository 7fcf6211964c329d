"""Event reminders by Telegram message, each sent at most once.

One sweep (every five minutes, on a schedule) reads the events starting within the largest
offset (one Query of the sparse by_start_date index: deactivated events are not in it, started
ones are before its range), picks for each event the nearest offset already due, and reminds
every member with an RSVP (an attendance item: a cancelled RSVP has none) whose last login
allowed the bot to write to them and who has not turned reminders off.

At most once, not at least once: a reminder is claimed with a conditional PutItem on
(event, start date, member, offset) BEFORE it is sent. Two sweeps at once, a retried sweep
or a crash after sending can therefore never send it twice; the price is that a crash between
the claim and the send loses that one reminder. For a chat message that is the right trade:
a duplicate ping is visible spam that cannot be taken back, and a lost 24-hour reminder is
followed by the 1-hour one. A send that certainly did not arrive (5xx or no connection after
the bounded retries, or a 429 asking for too long a wait) gives its claim back so the next
sweep tries again; one that may have arrived (a read timeout) keeps it.

The start date is part of the claim's key, so a rescheduled event is reminded again at its
new time; a member who blocked the bot (403) is recorded as unreachable and skipped until
they log in again (a login newer than the record ends it)."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from threading import Lock
from typing import Any

from community import reminder_text
from community.data import attendances as attendances_table
from community.data import events as events_table
from community.data import notifications
from community.data import users as users_table
from community.entities import Event, Member
from community.gateways import credentials
from community.gateways import telegram_bot as botapi
from community.observability import count, logger
from community.services import email_reminders
from community.settings import get_settings

# Seconds of the invocation kept back when the deadline nears: nothing new is claimed then
# (a send's worst case: its retries and backoff, well under this).
DEADLINE_MARGIN = 20.0
# Senders in flight at once. The pace is the Pacer's; several senders let it be kept while
# each waits ~50-100 ms for Telegram's answer.
SENDERS = 4


@dataclass
class SweepReport:
    events: int = 0
    recipients: int = 0
    sent: int = 0
    already_claimed: int = 0
    opted_out: int = 0
    no_pm: int = 0
    unreachable: int = 0
    unknown_member: int = 0
    without_telegram_id: int = 0
    blocked: int = 0
    failed: int = 0
    refused: int = 0
    uncertain: int = 0
    stopped_early: bool = False
    offsets: dict[str, int] = field(default_factory=dict)
    # The email channel's own counts (services/email_reminders.py).
    email: email_reminders.EmailReport = field(default_factory=email_reminders.EmailReport)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Delivery:
    key: str
    event: Event
    offset: timedelta
    user: Member


def due_offset(start: datetime, now: datetime, offsets: list[timedelta]) -> timedelta | None:
    """The nearest offset already due: the smallest one at least as long as the time left.
    An RSVP 30 minutes before the start gets the 1-hour reminder, never the 24-hour one too."""
    left = start - now
    if left <= timedelta(0):
        return None
    due = [offset for offset in offsets if offset >= left]
    return min(due) if due else None


def default_api() -> botapi.BotApi:
    settings = get_settings()
    return botapi.BotApi(
        str(settings.telegram_api_base_url),
        credentials.telegram_bot_token(),
        pacer=botapi.Pacer(settings.telegram_messages_per_second),
    )


def sweep(
    now: datetime | None = None,
    *,
    api: botapi.BotApi | None = None,
    remaining_seconds: Callable[[], float] | None = None,
    margin: float = DEADLINE_MARGIN,
    senders: int = SENDERS,
) -> SweepReport:
    """Send every reminder due at `now` that no sweep has claimed yet; stop claiming when
    `remaining_seconds()` (the invocation's time left) falls under `margin`."""
    settings = get_settings()
    now = now or datetime.now(UTC)
    offsets = settings.reminder_offset_list()
    report = SweepReport()
    upcoming = events_table.starting_between(now, now + offsets[0])
    api = api or default_api()
    due: list[tuple[Event, timedelta]] = []
    for event in upcoming:
        offset = due_offset(event.start_date, now, offsets)
        if offset is None:
            continue
        report.events += 1
        due.append((event, offset))
        deliveries = _deliveries(event, offset, report)
        report.offsets[_label(offset)] = report.offsets.get(_label(offset), 0) + len(deliveries)
        if not _send_all(deliveries, now, api, report, remaining_seconds, margin, senders):
            report.stopped_early = True
            break
    # Email after every Telegram message: at SES's pace (1 a second in the sandbox) it is the
    # slower channel, and must not hold the chat reminders back. Off without a sender.
    if settings.ses_sender and not report.stopped_early:
        email_reminders.remind(
            due, now, report.email, remaining_seconds=remaining_seconds, margin=margin
        )
    logger.info("reminder sweep", extra={"report": report.as_dict()})
    return report


def _label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def _deliveries(event: Event, offset: timedelta, report: SweepReport) -> list[Delivery]:
    """The event's members to remind now, read in batches: one Query for the RSVPs, then
    BatchGetItem for the members and for their claims and unreachable records."""
    rsvps = attendances_table.of_event(event.id)
    telegram_ids: dict[str, int] = {}
    for rsvp in rsvps:
        if rsvp.telegram_id is None:
            report.without_telegram_id += 1  # an RSVP older than the bot: no chat to write to
            continue
        telegram_ids[rsvp.user_id] = rsvp.telegram_id
    minutes = int(offset.total_seconds() // 60)
    keys = {
        user_id: notifications.reminder_key(event.id, event.start_date, user_id, minutes)
        for user_id in telegram_ids
    }
    members = users_table.get_many(sorted(set(telegram_ids.values())))
    written = notifications.existing(
        [*keys.values(), *(notifications.unreachable_key(t) for t in set(telegram_ids.values()))]
    )
    deliveries = []
    for user_id, telegram_id in telegram_ids.items():
        report.recipients += 1
        user = members.get(telegram_id)
        blocked_at = written.get(notifications.unreachable_key(telegram_id))
        if user is None or user.id != user_id:
            report.unknown_member += 1
        elif keys[user_id] in written:
            report.already_claimed += 1
        elif not user.reminders:
            report.opted_out += 1
        elif not user.allows_write_to_pm:
            report.no_pm += 1
        elif blocked_at is not None and (
            user.logged_in_at is None or blocked_at >= user.logged_in_at
        ):
            report.unreachable += 1
        else:
            deliveries.append(Delivery(keys[user_id], event, offset, user))
    return deliveries


def _send_all(
    deliveries: list[Delivery],
    now: datetime,
    api: botapi.BotApi,
    report: SweepReport,
    remaining_seconds: Callable[[], float] | None,
    margin: float,
    senders: int,
) -> bool:
    """Claim and send each delivery; False when the deadline stopped it before the end."""
    lock = Lock()
    blocked: set[int] = set()
    stopped = False

    def deliver(delivery: Delivery) -> None:
        nonlocal stopped
        if remaining_seconds is not None and remaining_seconds() < margin:
            stopped = True  # left unclaimed: the next sweep sends it
            return
        telegram_id = delivery.user.telegram_id
        expires = delivery.event.start_date + notifications.CLAIM_KEPT_AFTER_START
        if not notifications.claim_reminder(delivery.key, telegram_id, now, expires):
            with lock:
                report.already_claimed += 1
            return
        with lock:
            if telegram_id in blocked:
                report.unreachable += 1
                return
        result = api.send_message(message(delivery, now))
        _settle(delivery, result, report, lock, blocked)

    with ThreadPoolExecutor(max_workers=max(1, senders)) as pool:
        # list(): surfaces the first exception (a DynamoDB outage fails the sweep loudly).
        list(pool.map(deliver, deliveries))
    return not stopped


def _settle(
    delivery: Delivery,
    result: botapi.SendResult,
    report: SweepReport,
    lock: Lock,
    blocked: set[int],
) -> None:
    telegram_id = delivery.user.telegram_id
    outcome = result.outcome
    if outcome is botapi.Outcome.SENT:
        with lock:
            report.sent += 1
        count("ReminderSent")
        return
    logger.info(
        "reminder not sent",
        extra={
            "outcome": outcome.value,
            "status": result.status,
            "attempts": result.attempts,
            "description": result.description,
            "event_id": delivery.event.id,
        },
    )
    if outcome is botapi.Outcome.BLOCKED:
        with lock:
            report.blocked += 1
            blocked.add(telegram_id)
        notifications.mark_unreachable(telegram_id, datetime.now(UTC))
        count("ReminderBlocked")
    elif outcome is botapi.Outcome.FAILED:
        with lock:
            report.failed += 1
        notifications.release(delivery.key)  # certainly not delivered: the next sweep retries
        count("ReminderFailed")
    else:
        with lock:
            if outcome is botapi.Outcome.REFUSED:
                report.refused += 1
            else:
                report.uncertain += 1
        notifications.set_status(delivery.key, outcome.value)  # kept: never sent again
        count("ReminderUncertain" if outcome is botapi.Outcome.UNKNOWN else "ReminderRefused")


def message(delivery: Delivery, now: datetime) -> dict[str, Any]:
    """sendMessage's parameters: the title, the time left from `now` (the sweep's moment, not
    the offset: an RSVP 30 minutes before gets the 1-hour reminder saying "in 30 minutes"),
    when (in UTC) and a button opening the event's screen in the Mini App (a web_app button:
    reminders go to private chats, where Telegram allows it)."""
    from community.services.bot import display_time

    event = delivery.event
    left = event.start_date - now
    text = reminder_text.headline(event.title, left, display_time(event.start_date))
    if event.location:
        text += f"\nWhere: {event.location}"
    url = get_settings().event_app_url(event.id)
    return {
        "chat_id": delivery.user.telegram_id,
        "text": text,
        "reply_markup": {
            "inline_keyboard": [[{"text": "Open the event", "web_app": {"url": url}}]]
        },
    }
