"""Access tokens: only HS256 tokens we signed, unexpired, with every claim, are accepted."""

import base64
import json
import time

import jwt
import pytest

from community.errors import Unauthorized
from community.signed.tokens import TokenClaims, issue, verify

SECRET = "s" * 64
ISSUER = "community-api"
CLAIMS = TokenClaims(user_id="user-1", telegram_id=42, version=3)


def encode(payload: dict[str, object], key: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def valid_payload(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    payload: dict[str, object] = {
        "sub": "user-1",
        "tid": 42,
        "ver": 3,
        "iat": now,
        "exp": now + 60,
        "iss": ISSUER,
    }
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}


def test_a_token_we_issued_verifies_to_its_claims() -> None:
    token = issue(CLAIMS, SECRET, ttl_seconds=60, issuer=ISSUER)
    assert verify(token, SECRET, ISSUER) == CLAIMS


def unsigned(payload: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(unsigned(valid_payload()), id="alg-none"),
        pytest.param(encode(valid_payload(), key="w" * 64), id="wrong-key"),
        pytest.param(encode(valid_payload(exp=int(time.time()) - 1)), id="expired"),
        pytest.param(encode(valid_payload(nbf=int(time.time()) + 600)), id="not-yet-valid"),
        pytest.param(encode(valid_payload(iat=int(time.time()) + 600)), id="issued-in-future"),
        pytest.param(encode(valid_payload(iss="someone-else")), id="wrong-issuer"),
        pytest.param(encode(valid_payload(sub=None)), id="no-sub"),
        pytest.param(encode(valid_payload(ver=None)), id="no-ver"),
        pytest.param(encode(valid_payload(tid=None)), id="no-tid"),
        pytest.param(encode(valid_payload(exp=None)), id="no-exp"),
        pytest.param(encode(valid_payload(ver="3")), id="ver-not-int"),
        pytest.param(encode(valid_payload(), algorithm="HS512"), id="other-algorithm"),
        pytest.param("not.a.jwt", id="garbage"),
        pytest.param("", id="empty"),
    ],
)
def test_bad_tokens_are_refused(token: str) -> None:
    with pytest.raises(Unauthorized):
        verify(token, SECRET, ISSUER)
