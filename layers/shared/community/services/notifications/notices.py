"""Notices from the outbox (data/outbox.py), sent as the table's stream hands them over
(functions/notice_sender): a waitlist promotion to the member promoted, an event changed or
cancelled to everyone going or waiting. Each goes through the pipeline (pipeline.py): Telegram
first, then email, each claimed per (notice, medium, member) before it is sent, so a stream
batch retried after a crash, a timeout or a reported failure sends nobody anything twice.

Whom, and whether they want it:
- promoted: the member promoted, even with reminders off (a seat they asked for is news, not a
  reminder); by Telegram only if their last login allowed the bot to write and they have not
  blocked it since (the Telegram channel's own rule), by email if their address is verified;
- changed / cancelled: every going and waiting member (`recipients`), reminders on or off: a
  commitment they made has moved or gone.

A notice some of whose sends certainly failed (a 5xx, no connection), or that the deadline
stopped, raises NoticeIncomplete: the record is reported as failed and the stream hands it over
again (retries bounded by the event source mapping); what was sent stays claimed.

An `announce` notice is no message to members but the channel card's post or edit
(services/announcements.py), claimed once per record the same way."""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from community.applinks import Target
from community.data import attendances as attendances_table
from community.data import events as events_table
from community.data import notifications, outbox
from community.data import users as users_table
from community.data.models import from_date_key
from community.entities import WAITING, Event, Member
from community.observability import count, logger
from community.services import announcements, chats
from community.services.notifications import email_channel, pipeline, telegram_channel
from community.services.notifications.pipeline import Content, Counts, Medium, Recipient
from community.values import display_time, single_line

# Seconds of the invocation kept back when the deadline nears (as the reminder sweep's).
DEADLINE_MARGIN = 20.0
WHY_GOING = (
    "You get this email because you RSVPed to this event or joined its waitlist, and confirmed "
    "this address."
)
WHY_PROMOTED = (
    "You get this email because you joined this event's waitlist and confirmed this address."
)
# What each told field is called in a change notice, in this order.
FIELD_NAMES = {"start_date": "When", "end_date": "Ends", "location": "Where"}
ARROW = "\u2192"


class NoticeIncomplete(Exception):
    """Some of the notice's sends certainly did not go: the stream should hand it over again."""


@dataclass
class EmailReport(Counts):
    no_verified_email: int = 0
    rejected: int = 0


@dataclass
class NoticeReport(Counts):
    """The Telegram channel's counts, and the email channel's."""

    no_pm: int = 0
    unreachable: int = 0
    blocked: int = 0
    refused: int = 0
    email: EmailReport = field(default_factory=EmailReport)
    # A promotion: the outcome of approving the member's held request to join the event's
    # chat (services/chats.py), None when none was held.
    chat_join: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def incomplete(self) -> bool:
        email = self.email
        return bool(
            self.failed
            or self.stopped_early
            or email.failed
            or email.stopped_early
            or self.chat_join == "failed"
        )


def recipients(event_id: str) -> list[Recipient]:
    """Everyone a change or cancellation of the event is told to: the going and the waiting
    members (the event's attendance partition holds both: one Query, then one BatchGetItem of
    their members)."""
    rsvps = attendances_table.of_event(event_id, waiting_too=True)
    telegram_ids = {rsvp.user_id: rsvp.telegram_id for rsvp in rsvps}
    waiting = {rsvp.user_id for rsvp in rsvps if rsvp.status == WAITING}
    members = users_table.get_many(sorted({t for t in telegram_ids.values() if t is not None}))
    found = []
    for user_id, telegram_id in telegram_ids.items():
        member = members.get(telegram_id) if telegram_id is not None else None
        found.append(
            Recipient(
                user_id,
                telegram_id,
                member if member and member.id == user_id else None,
                waiting=user_id in waiting,
            )
        )
    return found


def member_telegram_id(member_id: str | None) -> int | None:
    """The Telegram id in a users-table key (`USER#<telegram id>`; a bare id is taken too)."""
    raw = (member_id or "").rsplit("#", 1)[-1]
    return int(raw) if raw.isdigit() else None


def promoted_recipient(member_id: str | None) -> list[Recipient]:
    telegram_id = member_telegram_id(member_id)
    if telegram_id is None:
        return [Recipient(member_id or "", None, None)]
    member = users_table.get_many([telegram_id]).get(telegram_id)
    return [Recipient(member.id if member else str(member_id), telegram_id, member)]


def _when(value: str) -> str:
    return display_time(from_date_key(value))


def _told(name: str, value: Any) -> str:
    if name in ("start_date", "end_date") and isinstance(value, str):
        return _when(value)
    return single_line(str(value)) if value else "(none)"


@dataclass(frozen=True)
class OutboxNotice:
    """One notice record, with the event it is about (as it is now) and whom to tell."""

    record: outbox.Notice
    event: Event
    recipients: list[Recipient]

    @property
    def kind(self) -> str:  # the metrics' middle word: PromotionSent, EmailChangeNoticeSent
        return {
            outbox.PROMOTED: "Promotion",
            outbox.CHANGED: "ChangeNotice",
            outbox.CANCELLED: "CancelNotice",
        }[self.record.kind]

    @property
    def expires_at(self) -> datetime:
        return self.record.created_at + outbox.NOTICE_TTL

    def claim_key(self, medium: Medium, user_id: str) -> str:
        return notifications.told_key(self.record.id, medium, user_id)

    def wanted_by(self, member: Member) -> bool:
        return True  # news of the member's own seat or event, whatever their reminders say

    def content(self) -> Content:
        event = self.event
        title, location = single_line(event.title), single_line(event.location)
        when = display_time(event.start_date)
        waiting = frozenset(r.user_id for r in self.recipients if r.waiting)
        match self.record.kind:
            case outbox.PROMOTED:
                return Content(
                    subject=f"You're in: {title}",
                    lines=[
                        f"A seat freed up at {title} and it is yours: you're going.",
                        f"When: {when}",
                        *([f"Where: {location}"] if location else []),
                    ],
                    link_text="Open the event",
                    link=Target(event_id=event.id),
                    why=WHY_PROMOTED,
                    calendar=event,
                )
            case outbox.CANCELLED:
                return Content(
                    subject=f"Cancelled: {title}",
                    lines=[f"{title} ({when}) has been cancelled."],
                    link_text="See other events",
                    link=Target(),
                    why=WHY_GOING,
                    calendar=event,
                    tentative=waiting,
                )
            case _:
                changes = self.record.payload.get("changes") or {}
                lines = [
                    f"{label}: {_told(name, changes[name][0])} {ARROW} "
                    f"{_told(name, changes[name][1])}"
                    for name, label in FIELD_NAMES.items()
                    if isinstance(changes.get(name), list) and len(changes[name]) == 2
                ]
                return Content(
                    subject=f"Changed: {title}",
                    lines=[f"{title} has changed:", *lines],
                    link_text="Open the event",
                    link=Target(event_id=event.id),
                    why=WHY_GOING,
                    calendar=event,
                    tentative=waiting,
                )

    def log_fields(self) -> dict[str, str]:
        return {"event_id": self.event.id, "notice_id": self.record.id}


def send(
    record: outbox.Notice,
    *,
    api: telegram_channel.BotApi | None = None,
    remaining_seconds: Callable[[], float] | None = None,
    margin: float = DEADLINE_MARGIN,
    now: datetime | None = None,
) -> NoticeReport:
    """Send one notice to each of its recipients not told yet, Telegram then email; raises
    NoticeIncomplete when a send certainly failed or the deadline stopped it (the rest stays
    claimed: handing it over again sends only what did not go)."""
    now = now or datetime.now(UTC)
    report = NoticeReport()
    # Consistent: the notice's own transaction wrote the event a moment ago.
    event = events_table.get(record.event_id, consistent=True)
    if event is None:
        logger.warning("notice of an unknown event", extra={"notice_id": record.id})
        return report
    if record.kind == outbox.PROMOTED:
        whom = promoted_recipient(record.member_id)
    else:
        whom = recipients(record.event_id)
    notice = OutboxNotice(record, event, whom)
    deadline = pipeline.Deadline(remaining_seconds, margin)
    telegram = telegram_channel.TelegramChannel(api or telegram_channel.default_api())
    deliveries = pipeline.select(notice, telegram, report)
    pipeline.deliver(deliveries, notice, telegram, report, now, deadline)
    if record.kind == outbox.PROMOTED:
        # A seat now: the join request they sent from the waitlist is approved (once: it is
        # taken with a conditional delete; one that failed is held again for the retry).
        report.chat_join = chats.approve_promoted(event.id, whom[0].user_id, telegram.api)
    if email_channel.enabled() and not report.stopped_early:
        email = email_channel.EmailChannel.for_run()
        deliveries = pipeline.select(notice, email, report.email)
        pipeline.deliver(deliveries, notice, email, report.email, now, deadline)
    logger.info(
        "notice sent",
        extra={"notice_id": record.id, "kind": record.kind, "report": report.as_dict()},
    )
    if report.incomplete:
        raise NoticeIncomplete(record.id)
    return report


def handle_record(
    raw: dict[str, Any],
    *,
    api: telegram_channel.BotApi | None = None,
    remaining_seconds: Callable[[], float] | None = None,
    margin: float = DEADLINE_MARGIN,
) -> NoticeReport | announcements.AnnounceReport | None:
    """One stream record as Lambda hands it over: a new notice is sent (`send`; the channel
    card's, `announcements.send`); anything else
    (the filter passes nothing else in AWS; `make run` follows the whole stream) is skipped."""
    change = raw.get("dynamodb") or {}
    image = change.get("NewImage")
    key = (change.get("Keys") or {}).get("pk", {}).get("S", "")
    if raw.get("eventName") != "INSERT" or not image or not outbox.is_notice_key(key):
        return None
    try:
        notice = outbox.from_image(image)
    except ValueError as error:
        # Handing it over again cannot make it readable: logged and counted, not retried.
        logger.error("malformed notice record", extra={"key": key, "error": str(error)})
        count("NoticeMalformed")
        return None
    if notice.kind == outbox.ANNOUNCE:
        try:
            return announcements.send(notice, api or telegram_channel.default_api())
        except announcements.AnnounceIncomplete as error:
            raise NoticeIncomplete(notice.id) from error
    return send(notice, api=api, remaining_seconds=remaining_seconds, margin=margin)
