"""Event reminders, the first kind of notice: the sweep (every five minutes, on a schedule).

It reads the events starting within the largest offset (one Query of the sparse by_start_date
index: deactivated events are not in it, started ones are before its range), picks for each
event the nearest offset already due, and reads once whom to remind: every member with an RSVP
(an attendance item: a cancelled RSVP has none) who has not turned reminders off. Each channel
then sends what is due through the pipeline (pipeline.py), at most once per (event, start date,
member, offset) and channel: Telegram first, then email (channels' modules say to whom).

For a reminder, at most once is the right trade: a duplicate ping is visible spam that cannot
be taken back, and a lost 24-hour reminder is followed by the 1-hour one. The start date is part
of the claim's key, so a rescheduled event is reminded again at its new time."""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from community.applinks import Target
from community.data import attendances as attendances_table
from community.data import events as events_table
from community.data import notifications
from community.data import users as users_table
from community.entities import Event, Member
from community.observability import logger
from community.services import announcements
from community.services.notifications import (
    email_channel,
    pipeline,
    reminder_text,
    telegram_channel,
)
from community.services.notifications.pipeline import Content, Counts, Medium, Recipient
from community.settings import get_settings
from community.values import display_time, single_line

# Seconds of the invocation kept back when the deadline nears: nothing new is claimed then
# (a send's worst case: its retries and backoff, well under this).
DEADLINE_MARGIN = 20.0
KEYS = {"telegram": notifications.reminder_key, "email": notifications.email_reminder_key}
WHY_EMAIL = (
    "You get this email because you RSVPed to this event and confirmed this address. "
    "Reminders can be turned off in your profile in the app."
)


@dataclass
class EmailReport(Counts):
    no_verified_email: int = 0
    rejected: int = 0


@dataclass
class SweepReport(Counts):
    """The Telegram channel's counts, the events and offsets due, and the email channel's."""

    events: int = 0
    no_pm: int = 0
    unreachable: int = 0
    blocked: int = 0
    refused: int = 0
    offsets: dict[str, int] = field(default_factory=dict)
    # Channel cards found behind their event, each given one more edit.
    cards_behind: int = 0
    # The email channel's own counts.
    email: EmailReport = field(default_factory=EmailReport)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Reminder:
    """An event's reminder at one offset, as of the sweep's moment `now`."""

    event: Event
    offset: timedelta
    now: datetime
    recipients: list[Recipient]
    kind: str = "Reminder"

    @property
    def expires_at(self) -> datetime:
        return self.event.start_date + notifications.CLAIM_KEPT_AFTER_START

    def claim_key(self, medium: Medium, user_id: str) -> str:
        minutes = int(self.offset.total_seconds() // 60)
        return KEYS[medium](self.event.id, self.event.start_date, user_id, minutes)

    def wanted_by(self, member: Member) -> bool:
        return member.reminders

    def content(self) -> Content:
        """The title, the time left from `now` (not the offset: an RSVP 30 minutes before gets
        the 1-hour reminder saying "in 30 minutes"), when (in UTC), where, and the event's
        screen in the Mini App."""
        event = self.event
        left = event.start_date - self.now
        # One line each, as the API now takes them: events stored before may hold a line break.
        title, location = single_line(event.title), single_line(event.location)
        headline = reminder_text.headline(title, left, display_time(event.start_date))
        return Content(
            subject=f"Reminder: {title} starts in {reminder_text.time_left(left)}",
            lines=[headline, *([f"Where: {location}"] if location else [])],
            link_text="Open the event",
            link=Target(event_id=event.id),
            why=WHY_EMAIL,
            calendar=event,
        )

    def log_fields(self) -> dict[str, str]:
        return {"event_id": self.event.id}


def due_offset(start: datetime, now: datetime, offsets: list[timedelta]) -> timedelta | None:
    """The nearest offset already due: the smallest one at least as long as the time left.
    An RSVP 30 minutes before the start gets the 1-hour reminder, never the 24-hour one too."""
    left = start - now
    if left <= timedelta(0):
        return None
    due = [offset for offset in offsets if offset >= left]
    return min(due) if due else None


def attendees(event: Event) -> list[Recipient]:
    """Whom an event's notices may go to, read in batches: one Query for the RSVPs, one
    BatchGetItem for their members."""
    telegram_ids = {rsvp.user_id: rsvp.telegram_id for rsvp in attendances_table.of_event(event.id)}
    members = users_table.get_many(sorted({t for t in telegram_ids.values() if t is not None}))
    recipients = []
    for user_id, telegram_id in telegram_ids.items():
        member = members.get(telegram_id) if telegram_id is not None else None
        recipients.append(
            Recipient(user_id, telegram_id, member if member and member.id == user_id else None)
        )
    return recipients


def sweep(
    now: datetime | None = None,
    *,
    api: telegram_channel.BotApi | None = None,
    remaining_seconds: Callable[[], float] | None = None,
    margin: float = DEADLINE_MARGIN,
    senders: int = telegram_channel.SENDERS,
) -> SweepReport:
    """Send every reminder due at `now` that no sweep has claimed yet; stop claiming when
    `remaining_seconds()` (the invocation's time left) falls under `margin`."""
    now = now or datetime.now(UTC)
    offsets = get_settings().reminder_offset_list()
    report = SweepReport()
    deadline = pipeline.Deadline(remaining_seconds, margin)
    telegram = telegram_channel.TelegramChannel(api or telegram_channel.default_api(), senders)
    due: list[Reminder] = []
    for event in events_table.starting_between(now, now + offsets[0]):
        offset = due_offset(event.start_date, now, offsets)
        if offset is None:
            continue
        report.events += 1
        reminder = Reminder(event, offset, now, attendees(event))
        due.append(reminder)
        deliveries = pipeline.select(reminder, telegram, report)
        report.offsets[_label(offset)] = report.offsets.get(_label(offset), 0) + len(deliveries)
        if not pipeline.deliver(deliveries, reminder, telegram, report, now, deadline):
            break
    # Email after every Telegram message, from the same reads: at SES's pace (1 a second in the
    # sandbox) it is the slower channel, and must not hold the chat reminders back.
    if email_channel.enabled() and not report.stopped_early:
        email = email_channel.EmailChannel.for_run()
        for reminder in due:
            deliveries = pipeline.select(reminder, email, report.email)
            if not pipeline.deliver(deliveries, reminder, email, report.email, now, deadline):
                break
    # The channel cards behind their events (RSVPs after an edit read the count): one more
    # edit each, through the outbox (services/announcements.py).
    report.cards_behind = announcements.catch_up(now)
    logger.info("reminder sweep", extra={"report": report.as_dict()})
    return report


def _label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"
