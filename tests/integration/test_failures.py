"""Backend failures are 503 JSON with Retry-After, and a login failure never burns the code."""

from typing import Any

import pytest
from support.faults import counting_calls, failing
from support.flows import body_of, callback, generate_code

from community.data.models import User

pytestmark = pytest.mark.usefixtures("dynamodb")


def assert_503(response: dict[str, Any]) -> None:
    assert response["statusCode"] == 503, response
    assert response["headers"]["retry-after"] == "1"
    assert body_of(response)["success"] is False


@pytest.mark.parametrize(
    "code", ["ProvisionedThroughputExceededException", "ThrottlingException", "InternalServerError"]
)
def test_a_throttled_code_store_is_503(code: str) -> None:
    with failing("PutItem", code):
        assert_503(generate_code(42, "Alice"))


def test_a_failed_redemption_leaves_the_code_usable() -> None:
    code = body_of(generate_code(42, "Alice"))["code"]

    with failing("DeleteItem", "ThrottlingException"):
        assert_503(callback(code, 42))

    assert callback(code, 42)["statusCode"] == 200


def test_a_login_failing_after_redemption_restores_the_code_and_writes_no_user() -> None:
    code = body_of(generate_code(42, "Alice"))["code"]

    with failing("TransactWriteItems", "InternalServerError"):
        assert_503(callback(code, 42))

    assert list(User.scan()) == []
    assert callback(code, 42)["statusCode"] == 200


def test_a_returning_login_costs_two_dynamodb_calls() -> None:
    first = body_of(generate_code(42, "Alice"))["code"]
    assert callback(first, 42)["statusCode"] == 200
    second = body_of(generate_code(42, "Alice"))["code"]

    with counting_calls() as calls:
        assert callback(second, 42)["statusCode"] == 200

    assert calls == ["DeleteItem", "UpdateItem"]


def test_a_first_login_costs_three_dynamodb_calls() -> None:
    code = body_of(generate_code(42, "Alice"))["code"]

    with counting_calls() as calls:
        assert callback(code, 42)["statusCode"] == 200

    assert calls == ["DeleteItem", "UpdateItem", "TransactWriteItems"]
