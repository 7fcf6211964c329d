"""POST /api/auth/generate-code: Telegram initData in, a one-time login code out."""

from typing import Annotated

from fastapi import Header

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import init_data_from
from community.schemas.auth import GenerateCodeRequest, LoginCode
from community.services.auth import issue_login_code

app = create_app("generate-code")


@app.post("/api/auth/generate-code", response_model=LoginCode)
async def generate_code(
    authorization: Annotated[str | None, Header(description="tma <initData>")] = None,
    body: GenerateCodeRequest | None = None,
) -> LoginCode:
    init_data = init_data_from(authorization, body.init_data if body else None)
    return issue_login_code(init_data)


handler = SafeMangum(app, lifespan="off")
