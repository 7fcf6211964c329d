"""GET /u/{referral_code}: the HTML page behind a shared profile link, with the link-preview
tags Telegram reads and a button that opens the Mini App with the referral."""

from fastapi import Request, Response

from community import applinks
from community.applinks import Target
from community.errors import NotFound
from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.caching import HTML_PAGE, PUBLIC_MISS, PUBLIC_PROFILE, conditional
from community.http.pages import not_found_page, profile_page
from community.services.users import public_profile
from community.settings import get_settings

app = create_app("profile-page")
HTML = "text/html; charset=utf-8"


@app.get("/u/{referral_code}", response_class=Response, responses=HTML_PAGE)
async def get_profile_page(request: Request, referral_code: str) -> Response:
    try:
        user = public_profile(referral_code).user
    except NotFound:
        return conditional(request, not_found_page().encode(), HTML, PUBLIC_MISS, 404)
    settings = get_settings()
    page = profile_page(
        name=user.name,
        role=user.role,
        photo_url=user.photo_url,
        referral_code=user.referral_code,
        created_at=user.created_at,
        page_url=settings.profile_page_url(user.referral_code),
        join_url=applinks.direct_link(Target(referral_code=user.referral_code)),
        fallback_image_url=str(settings.default_og_image_url),
    )
    return conditional(request, page.encode(), HTML, PUBLIC_PROFILE)


handler = SafeMangum(app, lifespan="off")
