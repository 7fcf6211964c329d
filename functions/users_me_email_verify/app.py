"""GET /api/users/me/email/verify?token=...: the link of a verification email. It is opened
from a mail client, in a browser, without the Mini App's bearer token: the signed token is the
whole authentication (community/services/email.py). A browser (Accept: text/html) gets a small
page, any other client JSON; neither is ever stored by a cache, and the page sends no Referer
(the token is in its URL)."""

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from community import applinks
from community.applinks import Target
from community.errors import Gone, InvalidRequest
from community.http.adapter import SafeMangum
from community.http.app import create_app, error_response, error_responses
from community.http.caching import NO_STORE
from community.http.pages import message_page
from community.schemas.users import EmailVerified
from community.services import email

app = create_app("users-me-email-verify")
HEADERS = {"Cache-Control": NO_STORE, "Referrer-Policy": "no-referrer"}
HTML_TOO = {"text/html": {"schema": {"type": "string"}}}


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "").lower()


def page(status_code: int, title: str, text: str) -> Response:
    body = message_page(
        title, text, link_url=applinks.direct_link(Target()), link_text="Open the community"
    )
    return Response(body, status_code, HEADERS, media_type="text/html; charset=utf-8")


@app.get(
    "/api/users/me/email/verify",
    response_model=EmailVerified,
    responses={200: {"content": HTML_TOO}, **error_responses(410)},
)
async def verify_email(request: Request, token: str = "") -> Response:
    try:
        address = email.verify(token)
    except (InvalidRequest, Gone) as error:
        if wants_html(request):
            return page(error.status_code, "This link does not work", error.detail)
        return error_response(error.status_code, error.detail, HEADERS)
    if wants_html(request):
        return page(200, "Email address verified", f"Event reminders will also go to {address}.")
    return JSONResponse(EmailVerified(email=address).model_dump(), headers=HEADERS)


handler = SafeMangum(app, lifespan="off")
