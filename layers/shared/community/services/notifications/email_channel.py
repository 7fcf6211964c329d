"""Notices by email (SES): to members with a VERIFIED address, whatever Telegram did (a member
who blocked the bot still gets them).

At most once, like the Telegram message, with a claim of its own per notice: SendEmail has no
idempotency key, so at-least-once would make every retry after an unanswered request a possible
duplicate; duplicates and the complaints they draw count against the sender's reputation, which
SES polices by pausing the account (and then no member gets any email). What certainly did not
go is tried again: throttled past the retries, the daily quota, a 5xx or no connection gives
the claim back. A refusal (MessageRejected, a paused account) keeps it (`rejected`): sending
again cannot help. A read timeout keeps it (`unknown`).

Pace: SES allows SES_MAX_SEND_RATE messages a second (1 in the sandbox); one Pacer per run
(the Bot API client's, as for Telegram) keeps the senders under it, and a throttling answer
holds them all.

A notice about an event carries the event's .ics (`attachment`), as the calendar module renders
it with METHOD:PUBLISH: the file a reader adds to a calendar with a click, and, once the event
is cancelled, the same UID with STATUS:CANCELLED and a higher SEQUENCE, which updates the copy
imported before. PUBLISH rather than RFC 5546's REQUEST or CANCEL: those schedule a meeting with
an ORGANIZER and ATTENDEEs, whose clients offer replies (accept, decline) that would go to the
sender's unread mailbox and never reach the RSVP; a cancellation is a PUBLISH of the event's new
state (RFC 5546 3.2.1 lets a published event be updated by another PUBLISH), and it keeps every
file of an event, mailed, downloaded or in a feed, the same object for the calendar."""

from dataclasses import dataclass
from datetime import datetime
from html import escape

from community import applinks

# SES and the pacer, imported here only.
from community.data import notifications
from community.entities import Event, Member
from community.gateways import mail
from community.gateways.telegram_bot import Pacer
from community.services.notifications.pipeline import (
    Content,
    Medium,
    Notice,
    Recipient,
    Result,
)
from community.settings import get_settings
from community.values import single_line

# Two senders keep the pace while each waits ~100 ms for SES's answer; more would only queue
# at the pacer at these rates.
SENDERS = 2
# The iTIP method of every attached .ics (the module's docstring says why this one).
METHOD = "PUBLISH"


def enabled() -> bool:
    """Off without a sender (SES_SENDER unset)."""
    return bool(get_settings().ses_sender)


def subject_line(text: str) -> str:
    """A Subject header that is one line whatever the notice's text holds: a CR LF there would
    start a header of its own ("Bcc: ..."), and SES or a mail server downstream rejecting the
    message keeps its claim, so the reader would silently lose it. Events stored before titles
    refused line breaks (values.single_line_problem) may still hold them."""
    return single_line(text)


def letter(content: Content, address: str, member_id: str = "") -> mail.Mail:
    """The notice as an email: its lines, the link, and why the reader gets it; text and
    HTML alike. The link is the Mini App's direct link (t.me/<bot>/<app>?startapp=...): a mail
    is read anywhere, and only Telegram opens the app with the member's launch data."""
    url = applinks.direct_link(content.link)
    lines = [*content.lines, "", f"{content.link_text}: {url}", "", content.why]
    html = (
        "".join(f"<p>{escape(line)}</p>" for line in content.lines)
        + f'<p><a href="{escape(url)}">{escape(content.link_text)}</a></p>'
        + f"<p>{escape(content.why)}</p>"
    )
    return mail.Mail(
        to=address,
        subject=subject_line(content.subject),
        text="\n".join(lines),
        html=html,
        attachments=(
            (attachment(content.calendar, tentative=member_id in content.tentative),)
            if content.calendar
            else ()
        ),
    )


def attachment(event: Event, *, tentative: bool = False) -> mail.Attachment:
    """The event's .ics, its Content-Type naming the method its METHOD says (RFC 6047 2.4):
    CANCELLED once cancelled, else TENTATIVE for a member on the waitlist, else CONFIRMED."""
    # Here, not at the top: icalendar's import (tens of milliseconds) is paid by the first mail
    # with a file, never by a run that sends none (services/calendar.py).
    from community.services import calendar

    status = calendar.status_of(event)
    entry = calendar.CalendarEntry(event, "TENTATIVE" if tentative and event.is_active else status)
    return mail.Attachment(
        filename=calendar.filename(event),
        content_type=f"{calendar.CONTENT_TYPE}; method={METHOD}",
        data=calendar.render([entry], method=METHOD),
    )


@dataclass(frozen=True)
class EmailChannel:
    pace: Pacer
    senders: int = SENDERS
    medium: Medium = "email"
    prefix: str = "Email"
    warns: bool = True  # every mail not sent is worth a look: the sender's reputation

    @classmethod
    def for_run(cls) -> "EmailChannel":
        return cls(Pacer(get_settings().ses_max_send_rate))

    def records(self, recipients: list[Recipient]) -> list[str]:
        return []

    def unreachable(self, member: Member, written: dict[str, datetime]) -> str | None:
        return None if member.email and member.email_verified else "no_verified_email"

    def claim(self, key: str, member: Member, now: datetime, expires_at: datetime) -> bool:
        return notifications.claim_email_reminder(key, now, expires_at)

    def send(self, notice: Notice, member: Member) -> Result:
        assert member.email is not None  # unreachable() let only a verified address through
        result = mail.send(letter(notice.content(), member.email, member.id), pace=self.pace)
        log = {"code": result.code, "attempts": result.attempts}
        return Result(result.outcome.value, log)

    def mark_blocked(self, member: Member) -> None:
        """SES has no such outcome: a bounce or complaint comes later, through SES itself."""
