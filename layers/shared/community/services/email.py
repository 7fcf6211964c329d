"""A member's email address. PATCH /api/users/me `{"email": ...}` stores it unverified and
sends a verification link through SES; the link (GET /api/users/me/email/verify) confirms it,
once; reminders go by email only to a verified address (services/notifications/email_channel.py).

A link is a signed token (community.signed.email_tokens) naming the member, the address and a nonce;
the member's item holds the nonce of the one link still good. Verifying is one conditional
UpdateItem on "same member, same address, same nonce" that also removes the nonce: a reused
link, a link for an address replaced since, and (before any write) a forged or expired one are
refused and nothing is written. A new address gets a new nonce; asking again for the same
unverified address sends the same nonce in a fresh link, so whichever mail the member opens
works. Links go out at most once per EMAIL_RESEND_SECONDS per member (a condition on the last
send time: concurrent requests cannot get around it), else 429 with Retry-After. Neither the
token nor the link is ever logged."""

import math
import secrets
from datetime import UTC, datetime, timedelta
from html import escape

from community.data import email_addresses as addresses
from community.data.email_addresses import EmailState
from community.entities import Member
from community.errors import (
    BadGateway,
    Conflict,
    Gone,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
)
from community.gateways import credentials, mail
from community.observability import count, logger
from community.schemas.users import PrivateProfile, UserUpdate
from community.services import users
from community.settings import get_settings
from community.signed import email_tokens

USED = "this verification link has already been used: the address is verified"
REPLACED = "this verification link is for an address since removed or replaced"
SUPERSEDED = "this verification link was replaced by a newer one: use the latest email"


def apply_changes(member: Member, changes: UserUpdate) -> PrivateProfile:
    """PATCH /api/users/me: the address first (it may be refused with 429, and then nothing
    changed), then the reminders flag (services.users.update_me)."""
    state = addresses.state_of(member)
    if "email" in changes.model_fields_set:
        state = change_address(member, changes.email)
    profile = users.update_me(member, changes).user
    email = {"email": state.address, "email_verified": state.verified}
    return PrivateProfile(user=profile.model_copy(update=email))


def change_address(member: Member, address: str | None) -> EmailState:
    """Store `address` unverified and send its link (None removes the address). The same
    address already verified: nothing written, nothing sent."""
    settings = get_settings()
    telegram_id, user_id = member.telegram_id, member.id
    now = datetime.now(UTC)
    current = addresses.state_of(member)
    if address is None:
        if not addresses.remove(telegram_id, user_id, now):
            raise NotFound("member not found")
        logger.info("email removed")
        return EmailState(sent_at=current.sent_at)
    if address == current.address and current.verified:
        return current
    if not settings.ses_sender:
        raise ServiceUnavailable("email is not configured on this server")
    # The same pending address keeps its nonce: the link of the earlier mail still works.
    nonce = current.nonce if address == current.address and current.nonce else None
    nonce = nonce or secrets.token_urlsafe(16)
    interval = timedelta(seconds=settings.email_resend_seconds)
    if not addresses.start_verification(
        telegram_id, user_id, address, nonce, now, last_sent_before=now - interval
    ):
        return _refused(telegram_id, user_id, address, now, interval)
    _send_link(member, address, nonce, now, current.sent_at)
    return EmailState(address=address, verified=False, nonce=nonce, sent_at=now)


def _refused(
    telegram_id: int, user_id: str, address: str, now: datetime, interval: timedelta
) -> EmailState:
    """Why start_verification's condition failed, from a consistent read."""
    state = addresses.read(telegram_id, user_id)
    if state is None:
        raise NotFound("member not found")
    if state.address == address and state.verified:
        return state  # verified meanwhile (its link was followed): nothing to send
    if state.sent_at is not None and state.sent_at > now - interval:
        wait = math.ceil((state.sent_at + interval - now).total_seconds())
        count("EmailResendRefused")
        raise TooManyRequests(
            f"a verification email was sent less than {int(interval.total_seconds())} s ago: "
            f"try again in {wait} s",
            retry_after=wait,
        )
    raise Conflict("the address was changed meanwhile: try again")


def link_token(user_id: str, telegram_id: int, address: str, nonce: str, sent_at: datetime) -> str:
    """The token of the link that verifies `address` while `nonce` is the member's stored one."""
    settings = get_settings()
    return email_tokens.issue(
        email_tokens.Verification(
            user_id=user_id, telegram_id=telegram_id, email=address, nonce=nonce
        ),
        credentials.jwt_secret(),
        settings.email_token_ttl_seconds,
        settings.jwt_issuer,
        now=int(sent_at.timestamp()),
    )


def _send_link(
    member: Member, address: str, nonce: str, sent_at: datetime, previous: datetime | None
) -> None:
    settings = get_settings()
    telegram_id = member.telegram_id
    token = link_token(member.id, telegram_id, address, nonce, sent_at)
    link = settings.email_verify_url(token)
    hours = max(1, settings.email_token_ttl_seconds // 3600)
    result = mail.send(verification_mail(address, member.name, link, hours))
    if result.outcome in (mail.MailOutcome.SENT, mail.MailOutcome.UNKNOWN):
        # UNKNOWN: SES may have it; sending again within the interval could send it twice.
        count(
            "EmailVerificationSent" if result.outcome is mail.MailOutcome.SENT else "EmailUncertain"
        )
        return
    # Certainly not sent: the member may ask again at once.
    addresses.release_send(telegram_id, nonce, sent_at, previous)
    logger.warning(
        "verification email not sent",
        extra={"outcome": result.outcome.value, "code": result.code, "attempts": result.attempts},
    )
    if result.outcome is mail.MailOutcome.REJECTED:
        count("EmailRejected")
        raise BadGateway("the email service refused to send the verification email")
    count("EmailFailed")
    raise ServiceUnavailable("the verification email could not be sent: try again shortly")


def verification_mail(address: str, name: str, link: str, hours: int) -> mail.Mail:
    subject = "Confirm your email address"
    text = (
        f"Hello {name},\n\n"
        f"To get event reminders at {address}, confirm it is yours:\n\n{link}\n\n"
        f"The link works once, for {hours} hours. If you did not ask for this, ignore this "
        "email: nothing will be sent to you."
    )
    html = (
        f"<p>Hello {escape(name)},</p>"
        f"<p>To get event reminders at {escape(address)}, confirm it is yours:</p>"
        f'<p><a href="{escape(link)}">Confirm my email address</a></p>'
        f"<p>The link works once, for {hours} hours. If you did not ask for this, ignore this "
        "email: nothing will be sent to you.</p>"
    )
    return mail.Mail(to=address, subject=subject, text=text, html=html)


def verify(token: str) -> str:
    """Confirm the address a link names; the address. InvalidRequest (400) for a link we did
    not issue, Gone (410) for an expired, used, replaced or superseded one: nothing written."""
    settings = get_settings()
    claims = email_tokens.verify(token, credentials.jwt_secret(), settings.jwt_issuer)
    now = datetime.now(UTC)
    if addresses.confirm(claims.telegram_id, claims.user_id, claims.email, claims.nonce, now):
        count("EmailVerified")
        logger.info("email verified")
        return claims.email
    state = addresses.read(claims.telegram_id, claims.user_id)
    count("EmailVerificationRefused")
    if state is None or state.address != claims.email:
        raise Gone(REPLACED)
    if state.verified:
        raise Gone(USED)
    raise Gone(SUPERSEDED)
