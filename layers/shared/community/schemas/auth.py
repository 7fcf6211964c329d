"""The login: a code for the Mini App's initData, redeemed for a session."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from community.schemas.users import UserPrivate
from community.telegram import TELEGRAM_ID_LIMIT

LOGIN_CODE_PATTERN = r"^[A-Za-z0-9_-]{22,64}$"

# The ids generate-code accepts from Telegram (`telegram.is_telegram_id`), no other.
TelegramId = Annotated[int, Field(gt=0, lt=TELEGRAM_ID_LIMIT)]


class GenerateCodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    init_data: str = Field(min_length=1, max_length=8192)


class LoginCode(BaseModel):
    code: str
    expires_in: int


class CallbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=LOGIN_CODE_PATTERN)
    telegram_id: TelegramId


class Session(BaseModel):
    token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    user: UserPrivate
