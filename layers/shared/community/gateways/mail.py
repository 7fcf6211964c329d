"""Sending email through SES (API v2 `SendEmail`), with its limits built in: one shared pace
for every message (SES_MAX_SEND_RATE a second), throttling waited out a bounded number of
times, and outcomes told apart by what they say about delivery, as the Bot API client's are
(gateways/telegram_bot.py), because a claimed reminder may be tried again only when it
certainly did not go:
- SENT: SES accepted it.
- REJECTED: SES refused it for good (MessageRejected, an unverified sender, a paused or
  suspended account, a bad request): sending again cannot help.
- FAILED: certainly not sent (throttled past the retries, the daily quota, 5xx, no
  connection).
- UNKNOWN: the request went out and no answer came (a read timeout, a dropped connection):
  SES may have accepted it, so it is never sent again.

botocore's own retries are off: it would retry a read timeout, which can send a mail twice
(SendEmail has no idempotency key). The client is created on the first send only, so the
functions that never send (and requests that do not) pay nothing for it.

Every mail goes as Raw content: a MIME message the standard library builds (`message`), not
SES's Simple content, because a mail may carry attachments (an event's .ics) with the
Content-Type parameters calendar clients read (method=PUBLISH), and because the message SES
takes is then ours to test: moto keeps a raw message whole, and drops a Simple one's
attachments. The library encodes every header (RFC 2047 for a non-ASCII Subject) and refuses a
line break in one (folding long ones under 78 characters); the bodies go quoted-printable and
attachments base64, 7-bit lines of at most 76 characters whatever the text (SES refuses lines
over 1,000)."""

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address, ContentTypeHeader, HeaderRegistry
from email.message import MIMEPart
from typing import Any, Protocol

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from community.settings import get_settings
from community.values import single_line

# A throttled message is retried this many times (SES answers 429 when the per-second rate is
# exceeded); a 5xx or no connection this many times in all.
MAX_THROTTLED = 3
MAX_FAILED_ATTEMPTS = 3
# Throttling holds every sender this long (SES gives no Retry-After).
THROTTLE_HOLD_SECONDS = 1.0
THROTTLING = frozenset({"TooManyRequestsException", "Throttling", "ThrottlingException"})
# The daily quota (or another account limit): not worth retrying within seconds, not
# permanent either, so certainly-not-sent: the next sweep tries again.
LATER = frozenset({"LimitExceededException"})


class MailOutcome(enum.Enum):
    SENT = "sent"
    REJECTED = "rejected"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Attachment:
    """A file a mail carries: its name as the reader sees it, its MIME type with parameters
    ("text/calendar; charset=utf-8; method=PUBLISH"), and its bytes as they are."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class MailResult:
    outcome: MailOutcome
    attempts: int
    code: str = ""  # SES's error code or the exception's name, for the logs


class Pace(Protocol):
    """What telegram_bot.Pacer offers: a gate every message passes, and a hold."""

    def wait(self) -> None: ...

    def hold(self, seconds: float) -> None: ...


_lock = threading.Lock()
_clients: dict[tuple[str | None, str], Any] = {}


def _client() -> Any:
    settings = get_settings()
    key = (settings.ses_endpoint_url, settings.aws_region)
    with _lock:  # boto3's default session is not safe to create clients from several threads
        if key not in _clients:
            import boto3
            from botocore.config import Config

            _clients[key] = boto3.client(
                "sesv2",
                region_name=settings.aws_region,
                endpoint_url=settings.ses_endpoint_url,
                config=Config(
                    connect_timeout=2,
                    read_timeout=5,
                    retries={"mode": "standard", "total_max_attempts": 1},
                ),
            )
        return _clients[key]


def message(sender: str, mail: Mail) -> bytes:
    """The mail as SES's Raw content: multipart/alternative (text, then HTML) alone, or inside
    multipart/mixed beside its attachments. SES adds Message-ID and Date. ValueError when a
    header cannot be one line or `mail.to` is not exactly one address."""
    part = MIMEPart(policy=policy.SMTP)
    part["From"] = sender
    # One address, parsed as one: a list or a display name in `to` is refused, not sent.
    part["To"] = Address(addr_spec=mail.to)
    # One line whoever built the Mail: a header cannot carry a line break.
    part["Subject"] = single_line(mail.subject)
    part.set_content(mail.text, cte="quoted-printable")
    if mail.html:
        part.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    for attachment in mail.attachments:
        kind = _content_type(attachment.content_type)
        part.add_attachment(
            attachment.data,
            maintype=kind.maintype,
            subtype=kind.subtype,
            filename=attachment.filename,
            params=dict(kind.params),
        )
    # Last, on the whole message only (an EmailMessage would put one on every part too).
    part["MIME-Version"] = "1.0"
    return part.as_bytes()


def _content_type(value: str) -> ContentTypeHeader:
    kind = HeaderRegistry()("content-type", value)
    if not isinstance(kind, ContentTypeHeader) or kind.defects:
        raise ValueError(f"not a MIME type: {value!r}")
    return kind


def _request(sender: str, mail: Mail, raw: bytes) -> None:
    _client().send_email(
        FromEmailAddress=sender,
        # The envelope says whom, not the message's headers: SES would send to a Bcc there.
        Destination={"ToAddresses": [mail.to]},
        Content={"Raw": {"Data": raw}},
    )


def send(
    mail: Mail, *, pace: Pace | None = None, sleep: Callable[[float], None] = time.sleep
) -> MailResult:
    """Send one mail from SES_SENDER; never raises for what SES or the network did (it is in
    the result)."""
    sender = get_settings().ses_sender
    if not sender:
        return MailResult(MailOutcome.REJECTED, 0, "SES_SENDER is not set")
    try:
        raw = message(sender, mail)
    except ValueError as error:  # no header may hold it: sending again cannot help
        return MailResult(MailOutcome.REJECTED, 0, type(error).__name__)
    attempts = throttled = failed = 0
    while True:
        if pace is not None:
            pace.wait()
        attempts += 1
        try:
            _request(sender, mail, raw)
            return MailResult(MailOutcome.SENT, attempts)
        except (ReadTimeoutError, ConnectionClosedError) as error:
            return MailResult(MailOutcome.UNKNOWN, attempts, type(error).__name__)
        except (ConnectTimeoutError, EndpointConnectionError) as error:  # never sent
            failed += 1
            code = type(error).__name__
        except BotoCoreError as error:  # credentials, configuration: not sent
            return MailResult(MailOutcome.FAILED, attempts, type(error).__name__)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            if code in THROTTLING:
                throttled += 1
                if throttled > MAX_THROTTLED:
                    return MailResult(MailOutcome.FAILED, attempts, code)
                if pace is not None:
                    pace.hold(THROTTLE_HOLD_SECONDS)
                else:
                    sleep(THROTTLE_HOLD_SECONDS)
                continue
            if code in LATER:
                return MailResult(MailOutcome.FAILED, attempts, code)
            if status < 500:
                return MailResult(MailOutcome.REJECTED, attempts, code)
            failed += 1  # SES answered 5xx: it did not take the message
        if failed >= MAX_FAILED_ATTEMPTS:
            return MailResult(MailOutcome.FAILED, attempts, code)
        sleep(0.2 * 2**failed)
