"""Event reminders by email (SES), the second channel of the reminder sweep
(services/reminders.py calls `remind` with the events it found due, after the Telegram
messages). A member gets the email when they have a VERIFIED address and reminders on,
whatever Telegram did: a member who blocked the bot still gets it.

At most once per (event, start date, member, offset), like the Telegram message, with a claim
of its own: a conditional PutItem of `EMAIL#<event>#<start>#<member>#<offset>` BEFORE the
send, so two sweeps at once, a retried sweep or a send that timed out after SES accepted it
never send it twice; a crash between claim and send loses that one email. At-least-once was
the alternative and is worse here: SendEmail has no idempotency key, so every retry after an
unanswered request is a possible duplicate; duplicates and the complaints they draw count
against the sender's reputation, which SES polices by pausing the account (and then no member
gets any email); and a lost 24-hour reminder is followed by the 1-hour one, in both channels.
What certainly did not go is tried again: throttled past the retries, the daily quota, a 5xx
or no connection gives the claim back for the next sweep. A refusal (MessageRejected, a paused
account) keeps it, logged and counted (EmailReminderRejected): sending again cannot help. A
read timeout keeps it (status `unknown`).

Pace: SES allows SES_MAX_SEND_RATE messages a second (1 in the sandbox); one Pacer per sweep
(community.botapi.Pacer, as for Telegram) keeps the senders under it, and a throttling answer
holds them all."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from threading import Lock

from community import reminder_text
from community.data import attendances as attendances_table
from community.data import notifications
from community.data import users as users_table
from community.entities import Event
from community.gateways import mail
from community.gateways.telegram_bot import Pacer
from community.observability import count, logger
from community.settings import get_settings

# Two senders keep the pace while each waits ~100 ms for SES's answer; more would only queue
# at the pacer at these rates.
SENDERS = 2


@dataclass
class EmailReport:
    recipients: int = 0
    sent: int = 0
    already_claimed: int = 0
    opted_out: int = 0
    no_verified_email: int = 0
    unknown_member: int = 0
    without_telegram_id: int = 0
    failed: int = 0
    rejected: int = 0
    uncertain: int = 0
    stopped_early: bool = False


@dataclass(frozen=True)
class EmailDelivery:
    key: str
    event: Event
    address: str


def remind(
    due: list[tuple[Event, timedelta]],
    now: datetime,
    report: EmailReport,
    *,
    remaining_seconds: Callable[[], float] | None = None,
    margin: float = 0.0,
    senders: int = SENDERS,
) -> None:
    """Claim and email every due reminder of `due` ((event, offset) pairs) not claimed yet;
    stop claiming when `remaining_seconds()` falls under `margin`."""
    pace = Pacer(get_settings().ses_max_send_rate)
    for event, offset in due:
        deliveries = _deliveries(event, offset, report)
        if not _send_all(deliveries, now, report, pace, remaining_seconds, margin, senders):
            report.stopped_early = True
            return


def _deliveries(event: Event, offset: timedelta, report: EmailReport) -> list[EmailDelivery]:
    """The event's members to email now: one Query for the RSVPs, one BatchGetItem for the
    members, one for the claims of those with a verified address."""
    telegram_ids: dict[str, int] = {}
    for rsvp in attendances_table.of_event(event.id):
        if rsvp.telegram_id is None:
            report.without_telegram_id += 1
            continue
        telegram_ids[rsvp.user_id] = rsvp.telegram_id
    members = users_table.get_many(sorted(set(telegram_ids.values())))
    minutes = int(offset.total_seconds() // 60)
    candidates: dict[str, str] = {}
    for user_id, telegram_id in telegram_ids.items():
        report.recipients += 1
        user = members.get(telegram_id)
        if user is None or user.id != user_id:
            report.unknown_member += 1
        elif not user.reminders:
            report.opted_out += 1
        elif not user.email or not user.email_verified:
            report.no_verified_email += 1
        else:
            key = notifications.email_reminder_key(event.id, event.start_date, user_id, minutes)
            candidates[key] = user.email
    claimed = notifications.existing_keys(list(candidates))
    report.already_claimed += len(claimed)
    return [
        EmailDelivery(key, event, address)
        for key, address in candidates.items()
        if key not in claimed
    ]


def _send_all(
    deliveries: list[EmailDelivery],
    now: datetime,
    report: EmailReport,
    pace: Pacer,
    remaining_seconds: Callable[[], float] | None,
    margin: float,
    senders: int,
) -> bool:
    """Claim and send each delivery; False when the deadline stopped it before the end."""
    lock = Lock()
    stopped = False

    def deliver(delivery: EmailDelivery) -> None:
        nonlocal stopped
        if remaining_seconds is not None and remaining_seconds() < margin:
            stopped = True  # left unclaimed: the next sweep sends it
            return
        expires = delivery.event.start_date + notifications.CLAIM_KEPT_AFTER_START
        if not notifications.claim_email_reminder(delivery.key, now, expires):
            with lock:
                report.already_claimed += 1
            return
        result = mail.send(reminder_mail(delivery, now), pace=pace)
        _settle(delivery, result, report, lock)

    with ThreadPoolExecutor(max_workers=max(1, senders)) as pool:
        # list(): surfaces the first exception (a DynamoDB outage fails the sweep loudly).
        list(pool.map(deliver, deliveries))
    return not stopped


def _settle(
    delivery: EmailDelivery, result: mail.MailResult, report: EmailReport, lock: Lock
) -> None:
    outcome = result.outcome
    if outcome is mail.MailOutcome.SENT:
        with lock:
            report.sent += 1
        count("EmailReminderSent")
        return
    logger.warning(
        "email reminder not sent",
        extra={
            "outcome": outcome.value,
            "code": result.code,
            "attempts": result.attempts,
            "event_id": delivery.event.id,
        },
    )
    if outcome is mail.MailOutcome.FAILED:
        with lock:
            report.failed += 1
        notifications.release(delivery.key)  # certainly not sent: the next sweep retries
        count("EmailReminderFailed")
        return
    with lock:
        if outcome is mail.MailOutcome.REJECTED:
            report.rejected += 1
        else:
            report.uncertain += 1
    notifications.set_status(delivery.key, outcome.value)  # kept: never sent again
    count(
        "EmailReminderRejected"
        if outcome is mail.MailOutcome.REJECTED
        else "EmailReminderUncertain"
    )


def reminder_mail(delivery: EmailDelivery, now: datetime) -> mail.Mail:
    """The reminder as an email: the same headline as the Telegram message (the time really
    left, the start in UTC), the place, and a link to the event's screen of the Mini App."""
    from community.services.bot import display_time

    event = delivery.event
    left = event.start_date - now
    headline = reminder_text.headline(event.title, left, display_time(event.start_date))
    url = get_settings().event_app_url(event.id)
    place = f"Where: {event.location}" if event.location else ""
    why = (
        "You get this email because you RSVPed to this event and confirmed this address. "
        "Reminders can be turned off in your profile in the app."
    )
    lines = [headline, *([place] if place else []), "", f"Open the event: {url}", "", why]
    text = "\n".join(lines)
    html = (
        f"<p>{escape(headline)}</p>"
        + (f"<p>{escape(place)}</p>" if place else "")
        + f'<p><a href="{escape(url)}">Open the event</a></p><p>{escape(why)}</p>'
    )
    subject = f"Reminder: {event.title} starts in {reminder_text.time_left(left)}"
    return mail.Mail(to=delivery.address, subject=subject, text=text, html=html)
