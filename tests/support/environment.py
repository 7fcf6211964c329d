"""The test run's environment: what a Lambda container of the stack would see, with test
tables and secrets. `community` reads its settings once per process, as in a Lambda container,
so `apply()` runs before anything imports it (tests/conftest.py calls it first of all).
Nothing here imports `community`, boto3 or moto."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TEST_ENVIRONMENT = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "USERS_TABLE": "test-users",
    "EVENTS_TABLE": "test-events",
    "AUTH_CODES_TABLE": "test-auth-codes",
    "ATTENDANCES_TABLE": "test-attendances",
    "NOTIFICATIONS_TABLE": "test-notifications",
    "TELEGRAM_WEBHOOK_SECRET": "test-webhook-secret_0123456789",
    "TELEGRAM_BOT_TOKEN": "7000000001:TEST-bot-token-for-unit-tests",
    "JWT_SECRET": "test-jwt-secret-0123456789abcdef0123456789abcdef",
    # Nothing answers there: no test reaches the real Bot API, one that needs it starts the
    # fake (devkit.local.fakebot).
    "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "CommunityTest",
    "POWERTOOLS_SERVICE_NAME": "community-test",
}
BOT_TOKEN = TEST_ENVIRONMENT["TELEGRAM_BOT_TOKEN"]
JWT_SECRET = TEST_ENVIRONMENT["JWT_SECRET"]

# Left over in a developer's shell, these would send the tests to a DynamoDB server, or to
# Secrets Manager (a secret's ARN wins over its plain value: community.settings).
FOREIGN = (
    "DYNAMODB_ENDPOINT_URL",
    "JWT_SECRET_ARN",
    "TELEGRAM_BOT_TOKEN_SECRET_ARN",
    "TELEGRAM_WEBHOOK_SECRET_ARN",
)


def apply() -> None:
    os.environ.update(TEST_ENVIRONMENT)
    for variable in FOREIGN:
        os.environ.pop(variable, None)
