"""Email verification links: HS256 JWTs that name the member (`sub`, `tid`), the address and a
nonce, and expire (`exp`). They are told apart from access tokens twice over: they are signed
with a key derived from the JWT secret for this purpose alone (so an access token's signature
never verifies here, nor a verification token's as an access token), and they carry `aud:
email-verify`, which access tokens lack (PyJWT refuses a token with an audience it was not
told to expect). Single use comes from the stored nonce (community.data.email_addresses)."""

import hashlib
import hmac
import time
from dataclasses import dataclass

import jwt

from community.errors import Gone, InvalidRequest

ALGORITHM = "HS256"
AUDIENCE = "email-verify"
REQUIRED_CLAIMS = ["sub", "tid", "email", "nonce", "iat", "exp", "iss", "aud"]
# A real token is about 400 characters; anything much longer is refused before decoding.
MAX_TOKEN_CHARS = 2048
INVALID = "invalid verification link"
EXPIRED = "this verification link has expired: ask for a new one from your profile"


@dataclass(frozen=True)
class Verification:
    user_id: str
    telegram_id: int
    email: str
    nonce: str


def signing_key(jwt_secret: str) -> bytes:
    """A key for verification links only, derived from the JWT secret: rotating that secret
    retires outstanding links too."""
    return hmac.new(jwt_secret.encode(), b"email-verify-v1", hashlib.sha256).digest()


def issue(
    claims: Verification, jwt_secret: str, ttl_seconds: int, issuer: str, now: int | None = None
) -> str:
    issued_at = int(time.time()) if now is None else now
    payload = {
        "sub": claims.user_id,
        "tid": claims.telegram_id,
        "email": claims.email,
        "nonce": claims.nonce,
        "iat": issued_at,
        "exp": issued_at + ttl_seconds,
        "iss": issuer,
        "aud": AUDIENCE,
    }
    return jwt.encode(payload, signing_key(jwt_secret), algorithm=ALGORITHM)


def verify(token: str, jwt_secret: str, issuer: str) -> Verification:
    """The claims of a link we issued and that has not expired: Gone (410) when expired,
    InvalidRequest (400) for anything else (forged, altered, another kind of token)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise InvalidRequest(INVALID)
    try:
        payload = jwt.decode(
            token,
            signing_key(jwt_secret),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=issuer,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise Gone(EXPIRED) from None
    except jwt.PyJWTError:
        raise InvalidRequest(INVALID) from None
    user_id, telegram_id = payload["sub"], payload["tid"]
    email, nonce = payload["email"], payload["nonce"]
    if not all(isinstance(value, str) and value for value in (user_id, email, nonce)) or (
        not isinstance(telegram_id, int) or isinstance(telegram_id, bool)
    ):
        raise InvalidRequest(INVALID)
    return Verification(user_id=user_id, telegram_id=telegram_id, email=email, nonce=nonce)
