"""PUT /api/v1/members/{referral_code}/role (admins): give a member the role member, staff or
admin. 200 with the member as the change left them (`changed` false when they had the role
already: nothing written); 404 unknown code; 409 when it would leave no admin. Every change is
audited in its own transaction (GET /api/v1/members/roles lists them)."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import ADMIN_ERRORS, create_app
from community.http.auth import AdminUser
from community.http.caching import NO_STORE, conditional_json
from community.schemas.roles import RoleGranted, RoleUpdate
from community.services import users

app = create_app("member-role-update")


@app.put("/api/v1/members/{referral_code}/role", response_model=RoleGranted, responses=ADMIN_ERRORS)
async def member_role_update(
    request: Request, referral_code: str, body: RoleUpdate, admin: AdminUser
) -> Response:
    granted = users.grant_role(admin, referral_code, body.role)
    return conditional_json(request, granted, NO_STORE)


handler = SafeMangum(app, lifespan="off")
