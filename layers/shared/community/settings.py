"""One settings object for every function, read from the environment once per container."""

from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from pydantic import AliasChoices, Field, HttpUrl, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from community.values import currency_problem


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    users_table: str = Field(min_length=3)
    events_table: str = Field(min_length=3)
    auth_codes_table: str = Field(min_length=3)
    attendances_table: str = Field(min_length=3)
    # The bot's own records (webhook update ids, reminder claims, unreachable members). A
    # default, unlike the tables above: functions deployed before the bot existed lack it.
    notifications_table: str = Field(default="community-notifications", min_length=3)
    aws_region: str = Field(
        default="us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION")
    )
    # Set locally (moto's server, dynalite); unset in AWS so botocore picks the regional endpoint.
    dynamodb_endpoint_url: str | None = None

    # Each secret comes either as a plain value (local runs, tests) or as the ARN of a
    # Secrets Manager secret (AWS). The ARN wins so a stray variable cannot override production.
    telegram_bot_token: SecretStr | None = None
    telegram_bot_token_secret_arn: str | None = None
    jwt_secret: SecretStr | None = None
    jwt_secret_arn: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_secret_arn: str | None = None
    secrets_max_age_seconds: int = Field(default=300, ge=0)

    auth_max_age_seconds: int = Field(default=86_400, gt=0)
    login_code_ttl_seconds: int = Field(default=600, gt=0, le=3600)
    jwt_ttl_seconds: int = Field(default=86_400, gt=0)
    jwt_issuer: str = "community-api"

    # Where a shared profile link sends newcomers: `{code}` is replaced by the referral code.
    join_url_template: str = "https://t.me/community_bot/app?startapp={code}"
    # The origin people see in shared links (the CloudFront domain in AWS).
    public_base_url: HttpUrl = HttpUrl("http://127.0.0.1:3000")
    # SSM parameter holding the CloudFront distribution id (unset locally: nothing to purge).
    distribution_id_parameter: str | None = None
    # Link-preview image for members without a Telegram photo.
    default_og_image_url: HttpUrl = HttpUrl("https://telegram.org/img/t_logo.png")

    # The Bot API's origin: a fake one on loopback locally and in the tests.
    telegram_api_base_url: HttpUrl = HttpUrl("https://api.telegram.org")
    # Before an event starts, when its reminders go: "24h,1h", "90m", "2d"...
    reminder_offsets: str = Field(default="24h,1h", pattern=r"^\s*\d+[mhd](\s*,\s*\d+[mhd])*\s*$")
    # The Bot API allows about 30 messages per second to different chats, overall; 25 leaves
    # room for the jitter of the network, so Telegram never counts more than 30 in a second.
    telegram_messages_per_second: float = Field(default=25.0, gt=0, le=30)

    # The chat (a channel or group where the bot is an admin: its numeric id, or a public
    # channel's "@name") where each new event's card is posted and kept current
    # (services/announcements.py); empty: no cards.
    announce_chat_id: str = Field(
        default="", pattern=r"^(|-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$"
    )

    # Powertools' own variables (template.yaml Globals), read here with the rest: the logs'
    # `service` key, the metrics' namespace and service dimension, and whether X-Ray traces.
    powertools_service_name: str = "community-api"
    powertools_metrics_namespace: str = "Community"
    powertools_trace_disabled: bool = False

    @field_validator("powertools_trace_disabled", mode="before")
    @classmethod
    def _disabled_only_by_true(cls, value: object) -> bool:
        # Anything but "true" or "1" (an empty value included) leaves tracing on.
        return str(value).lower() in ("true", "1")

    # The currency (ISO 4217) of an event created without one, and of every event stored
    # before events had one (template.yaml's DefaultCurrency).
    default_currency: str = "EUR"

    @field_validator("default_currency")
    @classmethod
    def _known_currency(cls, code: str) -> str:
        problem = currency_problem(code)
        if problem:
            raise ValueError(problem)
        return code

    # Email through SES (docs/deploy.md "Email (SES)"). The sender is a verified SES identity (the
    # address, or its domain); unset, the email channel is off: no reminder goes by email and
    # PATCH /api/users/me refuses an address (503) rather than store one it cannot verify.
    ses_sender: str | None = None
    # Set locally (moto's server); unset in AWS so botocore picks the regional endpoint.
    ses_endpoint_url: str | None = None
    # SES's sending quota per second: 1 in the sandbox, 14 or more with production access.
    ses_max_send_rate: float = Field(default=1.0, gt=0, le=1000)
    # How long a verification link works, and how often a member may have one sent.
    email_token_ttl_seconds: int = Field(default=86_400, gt=0, le=7 * 86_400)
    email_resend_seconds: int = Field(default=60, ge=0)

    # When the door's check-in is open: from this long before an event's start until this long
    # after its end (template.yaml's CheckinOpensMinutesBefore, CheckinClosesMinutesAfter).
    checkin_opens_minutes_before: int = Field(default=120, ge=0, le=7 * 24 * 60)
    checkin_closes_minutes_after: int = Field(default=0, ge=0, le=24 * 60)

    def join_url(self, referral_code: str) -> str:
        return self.join_url_template.replace("{code}", referral_code)

    def mini_app_url(self) -> str:
        """The Mini App's direct link without a referral: JOIN_URL_TEMPLATE minus the query
        parameter that carries `{code}`, any other one (`mode=compact`) kept as written."""
        parts = urlsplit(self.join_url_template)
        kept = [pair for pair in parts.query.split("&") if pair and "{code}" not in pair]
        return urlunsplit(parts._replace(query="&".join(kept)))

    def reminder_offset_list(self) -> list[timedelta]:
        """The offsets, distinct, largest first."""
        units = {"m": "minutes", "h": "hours", "d": "days"}
        found = {
            timedelta(**{units[part.strip()[-1]]: int(part.strip()[:-1])})
            for part in self.reminder_offsets.split(",")
        }
        return sorted((offset for offset in found if offset > timedelta(0)), reverse=True)

    def email_verify_url(self, token: str) -> str:
        """The link a verification email carries (GET /api/users/me/email/verify)."""
        return f"{str(self.public_base_url).rstrip('/')}/api/users/me/email/verify?token={token}"

    def profile_page_url(self, referral_code: str) -> str:
        return f"{str(self.public_base_url).rstrip('/')}/u/{referral_code}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
