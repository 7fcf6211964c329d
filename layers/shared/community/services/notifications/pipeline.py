"""The one way a notice reaches its recipients, whatever its kind and whatever the medium: pick
whom to tell (`select`), then for each of them claim, send and settle (`deliver`).

At most once: a delivery is claimed with a conditional PutItem BEFORE it is sent, so two runs at
once, a retried run or a crash after sending never send it twice; a crash between the claim and
the send loses that one notice. Each send's outcome then settles its claim:
- sent: the claim stays;
- blocked: the member shut the channel (the bot blocked): the claim stays, the member is
  recorded as unreachable, and nothing more goes to them in this run;
- failed: certainly not delivered: the claim is given back, so a later run tries again;
- unknown (no answer came: it may have arrived), refused or rejected (it never can): the claim
  stays, with the outcome as its status, and is never sent again.

Bounded: at most `channel.senders` sends in flight (a thread pool; each waits on the medium's
answer while the channel's pacer keeps the medium's rate), and nothing new is claimed once the
deadline is near: what is left unclaimed, the next run sends."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any, Literal, Protocol

from community.applinks import Target
from community.data import notifications
from community.entities import Event, Member
from community.observability import count, logger

Medium = Literal["telegram", "email"]


@dataclass(frozen=True)
class Recipient:
    """Someone a notice may go to. No Telegram id: an RSVP older than the bot (members are
    found by it); no member: nobody, or someone else, has that id now."""

    user_id: str
    telegram_id: int | None
    member: Member | None
    # On the event's waitlist (told of its changes, not going yet).
    waiting: bool = False


@dataclass(frozen=True)
class Content:
    """What a notice says, before a medium shapes it: the lines, where in the Mini App its link
    opens (each medium makes its own link: community/applinks.py), and for email a subject and
    why the reader gets it."""

    subject: str
    lines: list[str]
    link_text: str
    link: Target
    why: str
    # The event as the notice found it, which an email attaches as an .ics (its status and
    # SEQUENCE as of now: a cancellation's file updates the copy a calendar imported), and
    # the members whose file says TENTATIVE, as their feed does: those on its waitlist.
    calendar: Event | None = None
    tentative: frozenset[str] = frozenset()


class Notice(Protocol):
    """A kind of notice (a reminder; later a waitlist promotion, a change notice): whom to tell
    and what. Its claims' keys are its own per medium: each channel sends it at most once,
    whatever the other did."""

    @property
    def kind(self) -> str: ...  # its metrics' middle word: "Reminder" makes "ReminderSent"

    @property
    def recipients(self) -> list[Recipient]: ...

    @property
    def expires_at(self) -> datetime: ...  # its claims are useless after this (TTL)

    def claim_key(self, medium: Medium, user_id: str) -> str: ...

    def wanted_by(self, member: Member) -> bool: ...  # the member's own choice (reminders on)

    def content(self) -> Content: ...

    def log_fields(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class Result:
    """A send's outcome, in the words both media's clients use (gateways/telegram_bot.py,
    gateways/mail.py): sent, blocked, failed (certainly not delivered), refused or rejected (never
    can be), unknown (may have arrived); and what the log should say of it."""

    outcome: str
    log: dict[str, Any]


class Channel(Protocol):
    """A medium (Telegram, email): who can be reached by it, its claims, its sends."""

    @property
    def medium(self) -> Medium: ...

    @property
    def prefix(self) -> str: ...  # its metrics' first word: "Email" makes EmailReminderSent

    @property
    def senders(self) -> int: ...

    @property
    def warns(self) -> bool: ...  # a send that did not go is a warning (else info: routine)

    def records(self, recipients: list[Recipient]) -> list[str]:
        """Keys of more records to read with the claims (Telegram: the unreachable marks)."""
        ...

    def unreachable(self, member: Member, written: dict[str, datetime]) -> str | None:
        """Why this member cannot be reached by this medium now (the report's count), or
        None."""
        ...

    def claim(self, key: str, member: Member, now: datetime, expires_at: datetime) -> bool: ...

    def send(self, notice: Notice, member: Member) -> Result: ...

    def mark_blocked(self, member: Member) -> None: ...


@dataclass(frozen=True)
class Deadline:
    """The invocation's time left (None: no limit) and how much of it to keep back."""

    remaining_seconds: Callable[[], float] | None = None
    margin: float = 0.0

    def near(self) -> bool:
        return self.remaining_seconds is not None and self.remaining_seconds() < self.margin


@dataclass
class Counts:
    """What every channel's report counts; a channel's report adds a field per count of its own
    (its reasons not to reach a member, its outcomes)."""

    recipients: int = 0
    sent: int = 0
    already_claimed: int = 0
    opted_out: int = 0
    unknown_member: int = 0
    without_telegram_id: int = 0
    failed: int = 0
    uncertain: int = 0
    stopped_early: bool = False


@dataclass(frozen=True)
class Delivery:
    key: str
    member: Member


def add(report: Counts, name: str, number: int = 1) -> None:
    """Count on a channel's report (a name it lacks raises: a report that forgets one fails
    its tests)."""
    setattr(report, name, getattr(report, name) + number)


def select(notice: Notice, channel: Channel, report: Counts) -> list[Delivery]:
    """The recipients to send the notice to now, each skip counted on `report`. One
    BatchGetItem (per 100 keys) reads every recipient's claim, and the channel's own records."""
    addressed = [recipient for recipient in notice.recipients if recipient.telegram_id is not None]
    keys = {r.user_id: notice.claim_key(channel.medium, r.user_id) for r in addressed}
    written = notifications.existing([*keys.values(), *channel.records(addressed)])
    add(report, "without_telegram_id", len(notice.recipients) - len(addressed))
    deliveries = []
    for recipient in addressed:
        add(report, "recipients")
        member = recipient.member
        key = keys[recipient.user_id]
        if member is None:
            add(report, "unknown_member")
        elif key in written:
            add(report, "already_claimed")
        elif not notice.wanted_by(member):
            add(report, "opted_out")
        elif reason := channel.unreachable(member, written):
            add(report, reason)
        else:
            deliveries.append(Delivery(key, member))
    return deliveries


def deliver(
    deliveries: list[Delivery],
    notice: Notice,
    channel: Channel,
    report: Counts,
    now: datetime,
    deadline: Deadline,
) -> bool:
    """Claim, send and settle each delivery, `channel.senders` at a time; False when the
    deadline stopped it before the end (`report.stopped_early` is set too)."""
    lock = Lock()
    blocked: set[int] = set()
    stopped = False

    def one(delivery: Delivery) -> None:
        nonlocal stopped
        if deadline.near():
            stopped = True  # left unclaimed: the next run sends it
            return
        member = delivery.member
        if not channel.claim(delivery.key, member, now, notice.expires_at):
            with lock:
                add(report, "already_claimed")
            return
        with lock:
            if member.telegram_id in blocked:  # only a channel that can be blocked fills it
                add(report, "unreachable")
                return
        result = channel.send(notice, member)
        _settle(delivery, result, notice, channel, report, lock, blocked)

    with ThreadPoolExecutor(max_workers=max(1, channel.senders)) as pool:
        # list(): surfaces the first exception (a DynamoDB outage fails the run loudly).
        list(pool.map(one, deliveries))
    if stopped:
        report.stopped_early = True
    return not stopped


def _settle(
    delivery: Delivery,
    result: Result,
    notice: Notice,
    channel: Channel,
    report: Counts,
    lock: Lock,
    blocked: set[int],
) -> None:
    outcome = result.outcome
    counted = "uncertain" if outcome == "unknown" else outcome
    with lock:
        add(report, counted)
        if outcome == "blocked":
            blocked.add(delivery.member.telegram_id)
    if outcome != "sent":
        log = logger.warning if channel.warns else logger.info
        log(
            f"{channel.prefix} {notice.kind} not sent".strip().lower(),
            extra={"outcome": outcome, **result.log, **notice.log_fields()},
        )
    match outcome:
        case "sent":
            pass
        case "blocked":
            channel.mark_blocked(delivery.member)
        case "failed":
            notifications.release(delivery.key)  # certainly not delivered: a later run retries
        case _:
            notifications.set_status(delivery.key, outcome)  # kept: never sent again
    count(f"{channel.prefix}{notice.kind}{counted.capitalize()}")
