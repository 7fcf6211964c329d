"""Calendar feed tokens: the credential in a member's feed URL (calendar apps cannot send a
bearer token), so it must be unguessable, shown again whenever the member asks for the URL,
and yet never stored.

A token is HMAC-SHA256(key, "<member id>:<nonce>"), base64url without padding (43
characters, 256 bits), where `nonce` is `secrets.token_urlsafe(32)` (256 random bits) kept
on the member's item and `key` is derived from the JWT secret for this purpose alone. The
table holds the nonce and the token's SHA-256 (the look-up key), never the token: a copy of
the table alone (a backup, an export) opens no feed, since deriving the token needs the key,
and the key alone opens nothing without a member's nonce. A reset draws a new nonce.

Rotating the JWT secret changes every derived token: the service notices (the derived token's
hash is no longer the stored one) and issues a new URL, retiring the old one, as rotation
retires sessions, cursors and verification links."""

import base64
import hashlib
import hmac
import secrets

NONCE_BYTES = 32
# The token's length as issued: 32 bytes of HMAC-SHA256 in unpadded base64url.
TOKEN_CHARS = 43
FEED_SUFFIX = ".ics"


def feed_key(jwt_secret: str) -> bytes:
    """A key for feed tokens only: never a JWT signature, never a cursor tag."""
    return hmac.new(jwt_secret.encode(), b"calendar-feed-v1", hashlib.sha256).digest()


def new_nonce() -> str:
    return secrets.token_urlsafe(NONCE_BYTES)


def token_for(key: bytes, user_id: str, nonce: str) -> str:
    digest = hmac.new(key, f"{user_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """The look-up key of `token`: its SHA-256 in hex. Taken of whatever a URL held, well
    formed or not (errors="replace": a lone surrogate cannot make it raise), so a malformed
    token costs the same work as an unknown one."""
    return hashlib.sha256(token.encode("utf-8", errors="replace")).hexdigest()
