"""The one way a notice reaches its recipients, whatever its kind and whatever the medium: pick
whom to tell (`select`), then for each of them claim, send and settle (`deliver`).

At most once: a delivery is claimed with a conditional PutItem BEFORE it is sent, so two runs at
once, a retried run or a crash after sending never send it twice; a crash between the claim and
the send loses that one notice. Each send's outcome then settles its claim:
- sent: the claim stays;
- blocked: the member shut the channel (the bot blocked): the claim stays, the member is
  recorded as unreachable, and nothing more goes to them in this run;
- failed: certainly not delivered: the claim is given back, so a later run tries again;
- kept: it may have arrived (no answer came) or never can (refused): the claim stays, with the
  outcome as its status, and is never sent again.

Bounded: at most `channel.senders` sends in flight (a thread pool; each waits on the medium's
answer while the channel's pacer keeps the medium's rate), and nothing new is claimed once the
deadline is near: what is left unclaimed, the next run sends."""

import enum
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any, Literal, Protocol

from community.data import notifications
from community.entities import Member
from community.observability import count, logger

Medium = Literal["telegram", "email"]


@dataclass(frozen=True)
class Recipient:
    """Someone a notice may go to. No Telegram id: an RSVP older than the bot (members are
    found by it); no member: nobody, or someone else, has that id now."""

    user_id: str
    telegram_id: int | None
    member: Member | None


@dataclass(frozen=True)
class Content:
    """What a notice says, before a medium shapes it: the lines, a link to the Mini App, and
    for email a subject and why the reader gets it."""

    subject: str
    lines: list[str]
    link_text: str
    url: str
    why: str


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


class Settle(enum.Enum):
    SENT = "sent"
    BLOCKED = "blocked"
    RELEASE = "release"
    KEEP = "keep"


@dataclass(frozen=True)
class Result:
    """A send's outcome as the pipeline settles it. `counted`: the report's count and the
    metric's last word ("refused" makes ReminderRefused); `outcome`: the medium's own word,
    logged and stored on a kept claim."""

    settle: Settle
    counted: str
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


class Report(Protocol):
    """A channel's counts: an int field per count named here or by the channel."""

    stopped_early: bool


@dataclass(frozen=True)
class Delivery:
    key: str
    member: Member


def add(report: Report, name: str, number: int = 1) -> None:
    """Count on a channel's report (a name it lacks raises: a report that forgets one fails
    its tests)."""
    setattr(report, name, getattr(report, name) + number)


def select(notice: Notice, channel: Channel, report: Report) -> list[Delivery]:
    """The recipients to send the notice to now, each skip counted on `report`. One
    BatchGetItem (per 100 keys) reads every recipient's claim, and the channel's own records."""
    keys = {r.user_id: notice.claim_key(channel.medium, r.user_id) for r in notice.recipients}
    addressed = [recipient for recipient in notice.recipients if recipient.telegram_id is not None]
    written = notifications.existing(
        [*(keys[r.user_id] for r in addressed), *channel.records(addressed)]
    )
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
    report: Report,
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
            if member.telegram_id in blocked:
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
    report: Report,
    lock: Lock,
    blocked: set[int],
) -> None:
    metric = f"{channel.prefix}{notice.kind}{result.counted.capitalize()}"
    with lock:
        add(report, result.counted)
        if result.settle is Settle.BLOCKED:
            blocked.add(delivery.member.telegram_id)
    if result.settle is not Settle.SENT:
        log = logger.warning if channel.warns else logger.info
        log(
            f"{channel.prefix} {notice.kind} not sent".strip().lower(),
            extra={"outcome": result.outcome, **result.log, **notice.log_fields()},
        )
    if result.settle is Settle.BLOCKED:
        channel.mark_blocked(delivery.member)
    elif result.settle is Settle.RELEASE:
        notifications.release(delivery.key)  # certainly not delivered: a later run retries
    elif result.settle is Settle.KEEP:
        notifications.set_status(delivery.key, result.outcome)  # kept: never sent again
    count(metric)
