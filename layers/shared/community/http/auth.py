"""Bearer-token dependencies for authenticated routes."""

from typing import Annotated

from fastapi import Depends, Header

from community.entities import ADMIN_ROLE, STAFF_ROLE, Member
from community.errors import Forbidden, InvalidInitData, Unauthorized
from community.services.auth import authenticate


async def bearer_token(authorization: Annotated[str | None, Header()] = None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token")
    return token.strip()


async def current_user(token: Annotated[str, Depends(bearer_token)]) -> Member:
    return authenticate(token)


async def current_user_consistent(token: Annotated[str, Depends(bearer_token)]) -> Member:
    return authenticate(token, consistent=True)


def init_data_from(authorization: str | None, body_init_data: str | None) -> str:
    """Telegram's raw initData, from `Authorization: tma <initData>` or the JSON body."""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() == "tma" and value.strip():
        return value.strip()
    if body_init_data:
        return body_init_data
    raise InvalidInitData("missing init data")


CurrentUser = Annotated[Member, Depends(current_user)]
CurrentUserConsistent = Annotated[Member, Depends(current_user_consistent)]


async def current_admin(user: CurrentUserConsistent) -> Member:
    # Read consistently: a member just demoted by `make make-admin ROLE=member` loses admin
    # routes at once, not after a stale read.
    if user.role != ADMIN_ROLE:
        raise Forbidden("admin role required")
    return user


AdminUser = Annotated[Member, Depends(current_admin)]


async def staff_member(user: CurrentUserConsistent) -> Member:
    # Staff or admin, read consistently like current_admin: a revoked scanner is refused on its
    # next request with the token it already holds.
    if user.role not in (STAFF_ROLE, ADMIN_ROLE):
        raise Forbidden("staff role required")
    return user


StaffUser = Annotated[Member, Depends(staff_member)]
