"""GET /api/users/u/{referral_code}: a member's public profile, cacheable by CloudFront."""

from typing import Annotated

from fastapi import Path, Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.caching import NOT_MODIFIED, PUBLIC_MISS, PUBLIC_PROFILE, conditional_json
from community.schemas.users import PublicProfile
from community.services.users import public_profile

app = create_app("public-profile", not_found_cache_control=PUBLIC_MISS)


@app.get("/api/users/u/{referral_code}", response_model=PublicProfile, responses=NOT_MODIFIED)
async def get_public_profile(
    request: Request, referral_code: Annotated[str, Path(max_length=64)]
) -> Response:
    return conditional_json(request, public_profile(referral_code), PUBLIC_PROFILE)


handler = SafeMangum(app, lifespan="off")
