"""Secret values: from Secrets Manager in AWS (cached by Powertools Parameters), else from the
environment for local runs and tests."""

from pydantic import SecretStr

from community.errors import ConfigurationError
from community.settings import get_settings


def _resolve(name: str, value: SecretStr | None, arn: str | None) -> str:
    if arn:
        # Imported here: only functions that hold an ARN pay for the Secrets Manager client.
        from aws_lambda_powertools.utilities import parameters

        return parameters.get_secret(arn, max_age=get_settings().secrets_max_age_seconds)
    if value is not None and value.get_secret_value():
        return value.get_secret_value()
    raise ConfigurationError(f"{name} is not configured")


def telegram_bot_token() -> str:
    settings = get_settings()
    return _resolve(
        "telegram bot token", settings.telegram_bot_token, settings.telegram_bot_token_secret_arn
    )


def jwt_secret() -> str:
    settings = get_settings()
    return _resolve("jwt secret", settings.jwt_secret, settings.jwt_secret_arn)


def telegram_webhook_secret() -> str:
    settings = get_settings()
    return _resolve(
        "telegram webhook secret",
        settings.telegram_webhook_secret,
        settings.telegram_webhook_secret_arn,
    )
