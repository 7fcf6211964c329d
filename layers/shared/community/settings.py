"""One settings object for every function, read from the environment once per container."""

from functools import lru_cache

from pydantic import AliasChoices, Field, HttpUrl, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    users_table: str = Field(min_length=3)
    events_table: str = Field(min_length=3)
    auth_codes_table: str = Field(min_length=3)
    attendances_table: str = Field(min_length=3)
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

    def join_url(self, referral_code: str) -> str:
        return self.join_url_template.replace("{code}", referral_code)

    def profile_page_url(self, referral_code: str) -> str:
        return f"{str(self.public_base_url).rstrip('/')}/u/{referral_code}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
