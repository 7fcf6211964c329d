"""The MIME message the SES gateway sends as Raw content (community/gateways/mail.py), without
I/O: its parts and their order, 7-bit lines a mail server takes, a non-ASCII Subject RFC
2047-encoded, no header an admin's text can add, and a mail whose recipient or attachment no
header can hold refused before SES is asked."""

import email
import random
import subprocess
import sys
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest

from community.gateways import mail
from community.settings import get_settings
from community.values import single_line

SENDER = "community@example.com"
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
CALENDAR = "text/calendar; charset=utf-8; method=PUBLISH"


def letter(**fields: Any) -> mail.Mail:
    defaults: dict[str, Any] = {
        "to": "one@example.com",
        "subject": "Reminder: Board games starts in 30 minutes",
        "text": "Board games starts in 30 minutes.\nWhere: Cafe",
        "html": "<p>Board games starts in 30 minutes.</p>",
        "attachments": (mail.Attachment("board-games.ics", CALENDAR, ICS),),
    }
    return mail.Mail(**{**defaults, **fields})


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_mail_with_a_file_is_text_and_html_then_the_attachment() -> None:
    raw = mail.message(SENDER, letter())

    message = parsed(raw)
    assert [name for name, _ in message.items()] == [
        "From",
        "To",
        "Subject",
        "Content-Type",
        "MIME-Version",
    ]
    assert (message["From"], message["To"]) == (SENDER, "one@example.com")
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    (attachment,) = message.iter_attachments()
    assert attachment["Content-Type"] == 'text/calendar; charset="utf-8"; method="PUBLISH"'
    assert attachment["Content-Disposition"] == 'attachment; filename="board-games.ics"'
    assert attachment["Content-Transfer-Encoding"] == "base64"
    # The file's bytes exactly, CRLF line ends included (base64 keeps them)
    assert attachment.get_payload(decode=True) == ICS
    text = message.get_body(("plain",))
    assert text is not None
    assert text.get_content().replace("\r\n", "\n") == letter().text + "\n"
    # 7-bit, CRLF, no line over 78: what SES and every mail server take as it is
    assert raw.isascii()
    lines = raw.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 78


def test_a_mail_without_a_file_is_text_and_html_alone() -> None:
    message = parsed(mail.message(SENDER, letter(attachments=())))

    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    assert list(message.iter_attachments()) == []


def test_a_non_ascii_subject_is_rfc_2047_encoded_and_reads_back() -> None:
    # Subjects of every length in Cyrillic, emoji and punctuation: the header is 7-bit, folded
    # into lines of at most 78, and a client decodes it back to the subject exactly
    pick = random.Random(27)
    alphabet = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя🎲😀abc,;:-= ?_"
    subjects = ["Напоминание: Настольные игры 🎲 начнутся через 30 минут"] + [
        "".join(pick.choice(alphabet) for _ in range(pick.randint(1, 300))) for _ in range(300)
    ]
    for subject in subjects:
        raw = mail.message(SENDER, letter(subject=subject))

        head = raw.split(b"\r\n\r\n", 1)[0]
        assert head.isascii(), subject
        assert max(len(line) for line in head.split(b"\r\n")) <= 78, subject
        expected = single_line(subject)
        assert str(parsed(raw)["Subject"]).lstrip() == expected, subject
        assert (b"=?utf-8?" in head) == (not expected.isascii()), subject


@pytest.mark.parametrize(
    "subject",
    [
        "Party\r\nBcc: evil@example.com",
        "Party\nContent-Type: text/html",
        "Party\r\n\r\nbody",
        "Вечеринка\u2028Bcc: evil@example.com",
    ],
)
def test_a_line_break_in_the_subject_adds_no_header(subject: str) -> None:
    message = parsed(mail.message(SENDER, letter(subject=subject)))

    assert [name for name, _ in message.items()] == [
        "From",
        "To",
        "Subject",
        "Content-Type",
        "MIME-Version",
    ]
    assert message["Bcc"] is None
    assert str(message["Subject"]).lstrip() == " ".join(subject.split())


@pytest.mark.parametrize(
    "change",
    [
        {"to": "one@example.com, two@example.com"},
        {"to": "one@example.com\r\nBcc: two@example.com"},
        {"to": '"Eve" <eve@example.com>'},
        {"attachments": (mail.Attachment("x.ics", "not a type", ICS),)},
    ],
    ids=["two-recipients", "crlf-recipient", "display-name", "bad-content-type"],
)
def test_a_mail_no_header_can_hold_is_rejected_before_ses_is_asked(
    change: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SES_SENDER", SENDER)
    get_settings.cache_clear()
    asked: list[Any] = []
    monkeypatch.setattr(mail, "_request", lambda *args: asked.append(args))
    try:
        result = mail.send(letter(**change))
    finally:
        get_settings.cache_clear()

    assert (result.outcome, result.attempts, asked) == (mail.MailOutcome.REJECTED, 0, [])


def test_the_notification_modules_leave_icalendar_unimported_until_a_mail_needs_it() -> None:
    # What the reminder sweep and the notice sender import at their cold start: the email
    # channel imports the calendar module (and icalendar) with the first mail that has a file
    code = (
        "import sys\n"
        "from community.services.notifications import email_channel, notices, reminders\n"
        "assert 'icalendar' not in sys.modules, 'icalendar imported'\n"
        "assert 'community.services.calendar' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
