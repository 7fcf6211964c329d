"""The shared bearer-token dependency every authenticated endpoint uses."""

import time
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from support.environment import JWT_SECRET
from support.flows import login

from community.data.models import User
from community.http.app import create_app
from community.http.auth import CurrentUser

pytestmark = pytest.mark.usefixtures("dynamodb")


@pytest.fixture
def client() -> TestClient:
    app = create_app("auth-probe")

    @app.get("/whoami")
    async def whoami(user: CurrentUser) -> dict[str, Any]:
        return {"id": user.id}

    return TestClient(app)


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, JWT_SECRET, algorithms=["HS256"], issuer="community-api")


def test_a_fresh_token_identifies_its_user(client: TestClient) -> None:
    session = login(42, "Alice")
    response = client.get("/whoami", headers={"Authorization": f"Bearer {session['token']}"})
    assert response.status_code == 200
    assert response.json() == {"id": session["user"]["id"]}


def forge(claims: dict[str, Any], key: str = JWT_SECRET) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


@pytest.mark.parametrize(
    "make_header",
    [
        pytest.param(lambda token, claims: None, id="missing"),
        pytest.param(lambda token, claims: f"Basic {token}", id="wrong-scheme"),
        pytest.param(lambda token, claims: "Bearer ", id="empty"),
        pytest.param(lambda token, claims: f"Bearer {token}x", id="bad-signature"),
        pytest.param(
            lambda token, claims: "Bearer " + forge(claims, "another-key-" * 6), id="wrong-key"
        ),
        pytest.param(
            lambda token, claims: "Bearer " + jwt.encode(claims, None, algorithm="none"),  # type: ignore[arg-type]
            id="alg-none",
        ),
        pytest.param(
            lambda token, claims: "Bearer " + forge({**claims, "exp": int(time.time()) - 10}),
            id="expired",
        ),
        pytest.param(
            lambda token, claims: "Bearer " + forge({**claims, "sub": "someone-else"}),
            id="sub-of-another-user",
        ),
    ],
)
def test_bad_credentials_are_401_with_a_bearer_challenge(client: TestClient, make_header) -> None:  # type: ignore[no-untyped-def]
    session = login(42, "Alice")
    header = make_header(session["token"], claims_of(session["token"]))

    response = client.get("/whoami", headers={"Authorization": header} if header else {})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["success"] is False


def test_bumping_token_version_revokes_older_tokens(client: TestClient) -> None:
    session = login(42, "Alice")
    user = User.get("USER#42")
    user.update(actions=[User.token_version.add(1)])

    response = client.get("/whoami", headers={"Authorization": f"Bearer {session['token']}"})

    assert response.status_code == 401
    assert login(42, "Alice")["token"] != session["token"]
