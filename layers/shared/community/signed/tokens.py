"""Access tokens: HS256 JWTs carrying the user id (`sub`), the Telegram id used as the user's
table key (`tid`) and the user's `token_version` (`ver`), so one read both loads the user and
checks revocation."""

import time
from dataclasses import dataclass

import jwt

from community.errors import Unauthorized

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["sub", "tid", "ver", "iat", "exp", "iss"]


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    telegram_id: int
    version: int


def issue(
    claims: TokenClaims, secret: str, ttl_seconds: int, issuer: str, now: int | None = None
) -> str:
    issued_at = int(time.time()) if now is None else now
    payload = {
        "sub": claims.user_id,
        "tid": claims.telegram_id,
        "ver": claims.version,
        "iat": issued_at,
        "exp": issued_at + ttl_seconds,
        "iss": issuer,
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def verify(token: str, secret: str, issuer: str) -> TokenClaims:
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as error:
        raise Unauthorized("invalid or expired token") from error
    user_id, telegram_id, version = payload["sub"], payload["tid"], payload["ver"]
    if (
        not isinstance(user_id, str)
        or not isinstance(telegram_id, int)
        or not isinstance(version, int)
    ):
        raise Unauthorized("invalid or expired token")
    return TokenClaims(user_id=user_id, telegram_id=telegram_id, version=version)
