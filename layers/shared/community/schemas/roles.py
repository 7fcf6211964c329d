"""Roles granted in the app: the change an admin asks for, its answer, and the admins' listing of
role holders and the audit of every change."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

from community.schemas.users import UserPublic
from community.values import single_line

# community.entities.ROLES spelled out for the schema (a unit test keeps them equal).
RoleName = Literal["member", "staff", "admin"]


class RoleUpdate(BaseModel):
    """PUT /api/v1/members/{referral_code}/role."""

    model_config = ConfigDict(extra="forbid")

    role: RoleName


class RoleGranted(BaseModel):
    success: bool = True
    # The member as the change left them, `role` included.
    user: UserPublic
    # False when the member already had the role: nothing was written, no audit record.
    changed: bool


class RolePerson(BaseModel):
    """Who made a change or whom it changed, as they were named at the time. The operator tool
    (`make make-admin`) has no id and no referral code."""

    id: str | None
    name: Annotated[str, AfterValidator(single_line)]
    referral_code: str | None


class RoleChangeRecord(BaseModel):
    id: str
    at: datetime
    by: RolePerson
    member: RolePerson
    from_role: str
    to_role: str


class RolesListing(BaseModel):
    """GET /api/v1/members/roles: every member whose role is not member (admins first), and a
    page of the audit, newest first; `next_cursor` continues the audit."""

    success: bool = True
    members: list[UserPublic]
    audit: list[RoleChangeRecord]
    next_cursor: str | None
    has_more: bool
