"""Login: Telegram initData -> one-time code -> access token."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from community import telegram
from community.data import auth_codes
from community.data import users as user_records
from community.entities import Member, PendingLogin
from community.errors import Unauthorized
from community.gateways import credentials
from community.observability import count, logger
from community.schemas.auth import LoginCode, Session
from community.schemas.users import UserPrivate
from community.services import users
from community.settings import get_settings
from community.signed import tokens


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_login_code(init_data: str, now: datetime | None = None) -> LoginCode:
    settings = get_settings()
    now = now or datetime.now(UTC)
    verified = telegram.verify_init_data(
        init_data,
        credentials.telegram_bot_token(),
        settings.auth_max_age_seconds,
        now=now.timestamp(),
    )
    code = secrets.token_urlsafe(32)  # 256 random bits
    auth_codes.store(
        PendingLogin(
            code_hash=_code_hash(code),
            user=verified.user,
            expires_at=now + timedelta(seconds=settings.login_code_ttl_seconds),
        )
    )
    count("LoginCodeIssued")
    return LoginCode(code=code, expires_in=settings.login_code_ttl_seconds)


def redeem_login_code(code: str, telegram_id: int, now: datetime | None = None) -> Session:
    now = now or datetime.now(UTC)
    record = auth_codes.redeem(_code_hash(code), telegram_id, now)
    if record is None:
        count("LoginCodeRejected")
        raise Unauthorized("invalid, expired or already used code")
    try:
        member = users.login(record.user, now)
    except Exception:
        _restore_code(record)
        raise
    count("LoginSucceeded")
    return session_for(member, now)


def _restore_code(record: PendingLogin) -> None:
    # The member did nothing wrong: give the code back so a retry can still use it.
    try:
        auth_codes.restore(record)
    except Exception:
        logger.exception("could not restore a login code after a failed login")


def session_for(member: Member, now: datetime | None = None) -> Session:
    settings = get_settings()
    token = tokens.issue(
        tokens.TokenClaims(
            user_id=member.id,
            telegram_id=member.telegram_id,
            version=member.token_version,
        ),
        credentials.jwt_secret(),
        settings.jwt_ttl_seconds,
        settings.jwt_issuer,
        now=None if now is None else int(now.timestamp()),
    )
    return Session(
        token=token,
        expires_in=settings.jwt_ttl_seconds,
        user=UserPrivate.model_validate(member),
    )


def authenticate(token: str, *, consistent: bool = False) -> Member:
    """The member a bearer token belongs to. One read loads the user and checks revocation:
    a token whose `ver` differs from the user's `token_version` is refused."""
    settings = get_settings()
    claims = tokens.verify(token, credentials.jwt_secret(), settings.jwt_issuer)
    member = user_records.get(claims.telegram_id, consistent=consistent)
    if member is None or member.id != claims.user_id or member.token_version != claims.version:
        raise Unauthorized("token revoked or user unknown")
    return member
