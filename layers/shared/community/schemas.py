"""Request and response bodies. Public schemas are allow-lists: a field appears only if it is
named here, so a new internal attribute can never leak through them."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

LOGIN_CODE_PATTERN = r"^[A-Za-z0-9_-]{22,64}$"


class ErrorBody(BaseModel):
    success: bool = False
    detail: str | list[dict[str, object]]


class GenerateCodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    init_data: str = Field(min_length=1, max_length=8192)


class LoginCode(BaseModel):
    code: str
    expires_in: int


class CallbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=LOGIN_CODE_PATTERN)
    telegram_id: int = Field(gt=0, lt=2**53)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    role: str
    photo_url: str | None
    referral_code: str
    created_at: datetime


class UserPrivate(UserPublic):
    telegram_id: int
    username: str | None
    coins: int
    email: str | None
    referred_by: str | None


class PrivateProfile(BaseModel):
    success: bool = True
    user: UserPrivate


class PublicProfile(BaseModel):
    success: bool = True
    user: UserPublic


class Session(BaseModel):
    token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    user: UserPrivate
