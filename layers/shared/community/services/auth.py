"""Login: Telegram initData -> one-time code -> access token."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from community import credentials, telegram, tokens
from community.data import auth_codes
from community.data import users as user_records
from community.data.models import AuthCode, User
from community.errors import Unauthorized
from community.observability import count, logger
from community.schemas import LoginCode, Session, UserPrivate
from community.services import users
from community.settings import get_settings


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_login_code(init_data: str) -> LoginCode:
    settings = get_settings()
    verified = telegram.verify_init_data(
        init_data, credentials.telegram_bot_token(), settings.auth_max_age_seconds
    )
    code = secrets.token_urlsafe(32)  # 256 random bits
    auth_codes.store(
        AuthCode(
            _code_hash(code),
            telegram_id=verified.user.telegram_id,
            name=verified.user.name,
            username=verified.user.username,
            photo_url=verified.user.photo_url,
            start_param=verified.start_param,
            allows_write_to_pm=verified.user.allows_write_to_pm,
            expires_at=datetime.now(UTC) + timedelta(seconds=settings.login_code_ttl_seconds),
        )
    )
    count("LoginCodeIssued")
    return LoginCode(code=code, expires_in=settings.login_code_ttl_seconds)


def redeem_login_code(code: str, telegram_id: int) -> Session:
    record = auth_codes.redeem(_code_hash(code), telegram_id, datetime.now(UTC))
    if record is None:
        count("LoginCodeRejected")
        raise Unauthorized("invalid, expired or already used code")
    try:
        user = users.login(
            users.TelegramProfile(
                telegram_id=int(record.telegram_id),
                name=record.name,
                username=record.username,
                photo_url=record.photo_url,
                start_param=record.start_param,
                allows_write_to_pm=bool(record.allows_write_to_pm),
            )
        )
    except Exception:
        _restore_code(record)
        raise
    count("LoginSucceeded")
    return session_for(user)


def _restore_code(record: AuthCode) -> None:
    # The member did nothing wrong: give the code back so a retry can still use it.
    try:
        auth_codes.restore(record)
    except Exception:
        logger.exception("could not restore a login code after a failed login")


def session_for(user: User) -> Session:
    settings = get_settings()
    token = tokens.issue(
        tokens.TokenClaims(
            user_id=user.id,
            telegram_id=int(user.telegram_id),
            version=int(user.token_version),
        ),
        credentials.jwt_secret(),
        settings.jwt_ttl_seconds,
        settings.jwt_issuer,
    )
    return Session(
        token=token,
        expires_in=settings.jwt_ttl_seconds,
        user=UserPrivate.model_validate(user),
    )


def authenticate(token: str, *, consistent: bool = False) -> User:
    """The member a bearer token belongs to. One read loads the user and checks revocation:
    a token whose `ver` differs from the user's `token_version` is refused."""
    settings = get_settings()
    claims = tokens.verify(token, credentials.jwt_secret(), settings.jwt_issuer)
    user = user_records.get(claims.telegram_id, consistent=consistent)
    if user is None or user.id != claims.user_id or int(user.token_version) != claims.version:
        raise Unauthorized("token revoked or user unknown")
    return user
