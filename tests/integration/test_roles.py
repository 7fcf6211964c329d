"""Roles granted in the app, through the real handlers: PUT /api/v1/members/{referral_code}/role
and GET /api/v1/members/roles, who may call them, what each change stores (the role, the count
of admins, the sparse listing keys, one audit record), the last admin kept, `make make-admin`
on the same path, and a revocation applying to the tokens a member already holds."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support.faults import counting_calls
from support.flows import (
    add_events,
    admin_login,
    body_of,
    login,
    member_roles,
    set_member_role,
    upcoming,
)

from community.data import roles as roles_table
from community.data.models import ADMIN_COUNT_KEY, ROLE_CHANGE_PREFIX, User
from community.entities import ROLES
from community.http.app import create_app
from community.http.auth import StaffUser
from community.schemas.roles import RoleName
from community.services.roles import LAST_ADMIN, OPERATOR_NAME, UNLISTED_ADMIN
from community.services.users import set_role
from devkit.functions.placeholders import event_record

pytestmark = pytest.mark.usefixtures("dynamodb")

ADMIN_REQUIRED = {"success": False, "detail": "admin role required"}
STAFF_REQUIRED = {"success": False, "detail": "staff role required"}


def users_items(dynamodb: Any) -> list[dict[str, Any]]:
    """Every item of the users table (tests may Scan; the API never does)."""
    items: list[dict[str, Any]] = dynamodb.scan(
        TableName=User.Meta.table_name, ConsistentRead=True
    )["Items"]
    return sorted(items, key=lambda item: item["pk"]["S"])


def audit_items(dynamodb: Any) -> list[dict[str, Any]]:
    return [
        item for item in users_items(dynamodb) if item["pk"]["S"].startswith(ROLE_CHANGE_PREFIX)
    ]


def granted(token: str, referral_code: str, role: str) -> dict[str, Any]:
    response = set_member_role(token, referral_code, role)
    assert response["statusCode"] == 200, response
    assert response["headers"]["cache-control"] == "no-store"
    body: dict[str, Any] = body_of(response)
    return body


def listing(token: str, query: str = "") -> dict[str, Any]:
    response = member_roles(token, query)
    assert response["statusCode"] == 200, response
    body: dict[str, Any] = body_of(response)
    return body


def test_the_schema_names_exactly_the_roles_the_service_knows() -> None:
    assert RoleName.__args__ == ROLES  # type: ignore[attr-defined]


def test_a_grant_then_a_revoke_are_stored_audited_and_listed(dynamodb: Any) -> None:
    # Given an admin (made by the operator tool) and a member
    admin = admin_login(7, "Ada")
    alice = login(42, "Alice")
    code = alice["user"]["referral_code"]

    # When the admin makes Alice staff
    body = granted(admin["token"], code, "staff")

    # Then Alice is staff, her public fields answered with the role, the item is in the listing
    assert body["success"] is True
    assert body["changed"] is True
    assert body["user"]["role"] == "staff"
    assert {key: body["user"][key] for key in ("id", "name", "referral_code")} == {
        "id": alice["user"]["id"],
        "name": "Alice",
        "referral_code": code,
    }
    assert "telegram_id" not in body["user"]
    assert "email" not in body["user"]
    stored = User.get("USER#42", consistent_read=True)
    assert (stored.role, stored.role_listing, stored.role_sort) == (
        "staff",
        "ROLES",
        f"staff#{alice['user']['id']}",
    )
    after_grant = listing(admin["token"])
    assert [(m["name"], m["role"]) for m in after_grant["members"]] == [
        ("Ada", "admin"),
        ("Alice", "staff"),
    ]

    # When the admin takes it back
    body = granted(admin["token"], code, "member")

    # Then Alice is a member again, out of the sparse index, and the audit holds both changes
    # newest first, plus the operator tool's grant of Ada
    assert body["user"]["role"] == "member"
    assert body["changed"] is True
    stored = User.get("USER#42", consistent_read=True)
    assert (stored.role, stored.role_listing, stored.role_sort) == ("member", None, None)
    after_revoke = listing(admin["token"])
    print("GET /api/v1/members/roles after a grant and a revoke:")
    print(json.dumps(after_revoke, indent=2))
    assert [m["name"] for m in after_revoke["members"]] == ["Ada"]
    ada = {
        "id": admin["user"]["id"],
        "name": "Ada",
        "referral_code": admin["user"]["referral_code"],
    }
    alice_shown = {"id": alice["user"]["id"], "name": "Alice", "referral_code": code}
    operator = {"id": None, "name": "make make-admin", "referral_code": None}
    assert [
        (change["by"], change["member"], change["from_role"], change["to_role"])
        for change in after_revoke["audit"]
    ] == [
        (ada, alice_shown, "staff", "member"),
        (ada, alice_shown, "member", "staff"),
        (operator, ada, "member", "admin"),
    ]
    times = [change["at"] for change in after_revoke["audit"]]
    assert times == sorted(times, reverse=True)
    assert after_revoke["has_more"] is False
    assert after_revoke["next_cursor"] is None
    assert len(audit_items(dynamodb)) == 3
    assert roles_table.admin_count() == 1


def test_the_same_role_again_writes_nothing_and_is_not_audited(dynamodb: Any) -> None:
    # Given Alice made staff by an admin
    admin = admin_login(7, "Ada")
    code = login(42, "Alice")["user"]["referral_code"]
    granted(admin["token"], code, "staff")
    before = users_items(dynamodb)

    # When she is made staff again (by the API, and by the operator tool), and Ada admin again
    body = granted(admin["token"], code, "staff")
    assert set_role(42, "staff") is False
    assert set_role(7, "admin") is False

    # Then both answer the member as she is, `changed` false, and no item changed at all
    assert body["changed"] is False
    assert body["user"]["role"] == "staff"
    assert users_items(dynamodb) == before


def test_referral_codes_are_found_in_any_letter_case() -> None:
    admin = admin_login(7, "Ada")
    code = login(42, "Alice")["user"]["referral_code"]

    body = granted(admin["token"], code.lower(), "staff")

    assert body["user"]["referral_code"] == code
    assert body["user"]["role"] == "staff"


NOT_ADMINS: dict[str, Callable[[], str]] = {
    "member": lambda: str(login(50, "Mallory")["token"]),
    "staff": lambda: _staff_token(50),
}


def _staff_token(telegram_id: int) -> str:
    token = str(login(telegram_id, "Sam")["token"])
    set_role(telegram_id, "staff")
    return token


@pytest.mark.parametrize("caller", sorted(NOT_ADMINS))
def test_members_and_staff_may_neither_change_nor_list_roles(caller: str, dynamodb: Any) -> None:
    # Given an admin, a member, and a caller who is not an admin
    admin_login(7, "Ada")
    code = login(42, "Alice")["user"]["referral_code"]
    token = NOT_ADMINS[caller]()
    before = users_items(dynamodb)

    # When the caller tries to make themselves (or Alice) admin, and to read the listing
    for response in (
        set_member_role(token, code, "admin"),
        member_roles(token),
    ):
        # Then each is a 403 and nothing changed
        assert response["statusCode"] == 403, response
        assert body_of(response) == ADMIN_REQUIRED
    assert users_items(dynamodb) == before


def test_no_token_is_a_401() -> None:
    code = login(42, "Alice")["user"]["referral_code"]
    for response in (set_member_role("", code, "admin"), member_roles("")):
        assert response["statusCode"] == 401
        assert body_of(response)["success"] is False


@pytest.mark.parametrize("code", ["UP-ZZZZZZ", "not-a-code", "UP-123"])
def test_an_unknown_referral_code_is_a_404(code: str, dynamodb: Any) -> None:
    admin = admin_login(7, "Ada")
    before = users_items(dynamodb)

    response = set_member_role(admin["token"], code, "staff")

    assert response["statusCode"] == 404, response
    assert body_of(response) == {"success": False, "detail": "no member has this referral code"}
    assert users_items(dynamodb) == before


@pytest.mark.parametrize("role", ["owner", "Admin", "", None, 1, ["admin"]])
def test_a_role_that_is_not_one_of_the_three_is_a_422(role: object, dynamodb: Any) -> None:
    admin = admin_login(7, "Ada")
    code = login(42, "Alice")["user"]["referral_code"]
    before = users_items(dynamodb)

    response = set_member_role(admin["token"], code, role)

    assert response["statusCode"] == 422, response
    assert body_of(response)["success"] is False
    assert users_items(dynamodb) == before


def test_the_last_admin_cannot_remove_themselves_but_the_operator_tool_may(
    dynamodb: Any,
) -> None:
    # Given one admin
    admin = admin_login(7, "Ada")
    code = admin["user"]["referral_code"]
    before = users_items(dynamodb)

    # When she makes herself staff, or member
    for role in ("staff", "member"):
        response = set_member_role(admin["token"], code, role)
        # Then each is a 409 saying why, and nothing changed
        assert response["statusCode"] == 409, response
        assert body_of(response) == {"success": False, "detail": LAST_ADMIN}
    assert users_items(dynamodb) == before
    assert roles_table.admin_count() == 1

    # When the operator tool takes her role back (how `make make-admin ROLE=member` starts over)
    assert set_role(7, "member") is True

    # Then there is no admin, counted so, and the audit says who did it
    assert roles_table.admin_count() == 0
    assert User.get("USER#7", consistent_read=True).role_listing is None
    (latest, *_) = roles_table.changes(1, None)
    assert (latest.by_name, latest.by_id, latest.from_role, latest.to_role) == (
        OPERATOR_NAME,
        None,
        "admin",
        "member",
    )


def test_a_role_holder_from_before_the_listing_is_listed_when_named_again(dynamodb: Any) -> None:
    # Given an admin and a staff member written before roles were listed (no listing keys, not
    # counted), and an admin made since
    for telegram_id, role in ((5, "admin"), (6, "staff")):
        login(telegram_id, f"Old {telegram_id}")
        User(f"USER#{telegram_id}").update(actions=[User.role.set(role)])
    ada = admin_login(7, "Ada")
    old_admin_code = User.get("USER#5").referral_code
    assert [m["name"] for m in listing(ada["token"])["members"]] == ["Ada"]
    assert roles_table.admin_count() == 1

    # When an admin demotes the unlisted admin in the app, it is refused: uncounted, demoting
    # them could remove an admin the count never saw
    response = set_member_role(ada["token"], old_admin_code, "member")
    assert response["statusCode"] == 409, response
    assert body_of(response)["detail"] == UNLISTED_ADMIN

    # When the operator tool names both again
    assert set_role(5, "admin") is True
    assert set_role(6, "staff") is True

    # Then both are listed, the old admin counted, and each naming audited from the role to
    # itself; naming them once more writes nothing
    assert sorted(m["name"] for m in listing(ada["token"])["members"]) == ["Ada", "Old 5", "Old 6"]
    assert roles_table.admin_count() == 2
    audit = listing(ada["token"])["audit"]
    assert [(c["member"]["name"], c["from_role"], c["to_role"]) for c in audit[:2]] == [
        ("Old 6", "staff", "staff"),
        ("Old 5", "admin", "admin"),
    ]
    before = users_items(dynamodb)
    assert set_role(5, "admin") is False
    assert users_items(dynamodb) == before
    # And the old admin may now be demoted in the app like any other
    assert granted(ada["token"], old_admin_code, "member")["changed"] is True
    assert roles_table.admin_count() == 1


def test_with_a_second_admin_an_admin_may_step_down_and_then_the_other_is_the_last(
    dynamodb: Any,
) -> None:
    # Given two admins, the second made in the app
    ada = admin_login(7, "Ada")
    grace = login(8, "Grace")
    granted(ada["token"], grace["user"]["referral_code"], "admin")
    assert roles_table.admin_count() == 2

    # When Ada steps down to staff
    body = granted(ada["token"], ada["user"]["referral_code"], "staff")

    # Then she is staff, one admin is counted, and Grace may not step down
    assert body["user"]["role"] == "staff"
    assert roles_table.admin_count() == 1
    response = set_member_role(grace["token"], grace["user"]["referral_code"], "member")
    assert response["statusCode"] == 409, response
    # And Ada, staff now, is refused with the token she had as an admin
    response = set_member_role(ada["token"], grace["user"]["referral_code"], "member")
    assert response["statusCode"] == 403
    assert body_of(response) == ADMIN_REQUIRED


def test_a_revoked_role_is_refused_at_once_with_the_token_already_held() -> None:
    # Given a staff-only route (the check-in's dependency), an admin and Sam made staff in the app
    app = create_app("staff-probe")

    @app.get("/door")
    async def door(user: StaffUser) -> dict[str, str]:
        return {"role": user.role}

    client = TestClient(app)
    admin = admin_login(7, "Ada")
    sam = login(43, "Sam")
    headers = {"Authorization": f"Bearer {sam['token']}"}
    assert client.get("/door", headers=headers).status_code == 403
    granted(admin["token"], sam["user"]["referral_code"], "staff")
    assert client.get("/door", headers=headers).json() == {"role": "staff"}

    # When the admin takes the role back
    granted(admin["token"], sam["user"]["referral_code"], "member")

    # Then Sam's very next call with the same token is refused
    response = client.get("/door", headers=headers)
    assert response.status_code == 403
    assert response.json() == STAFF_REQUIRED
    # And an admin passes the staff check too
    assert client.get("/door", headers={"Authorization": f"Bearer {admin['token']}"}).json() == {
        "role": "admin"
    }


def test_a_revoked_admin_loses_the_admin_routes_at_once() -> None:
    ada = admin_login(7, "Ada")
    grace = login(8, "Grace")
    granted(ada["token"], grace["user"]["referral_code"], "admin")
    assert member_roles(grace["token"])["statusCode"] == 200

    granted(ada["token"], grace["user"]["referral_code"], "member")

    response = member_roles(grace["token"])
    assert response["statusCode"] == 403
    assert body_of(response) == ADMIN_REQUIRED


def test_the_audit_pages_newest_first_with_a_cursor_valid_only_here() -> None:
    # Given seven changes of one member's role (and the operator tool's grant of the admin)
    admin = admin_login(7, "Ada")
    code = login(42, "Alice")["user"]["referral_code"]
    for role in ("staff", "member", "admin", "staff", "member", "staff", "member"):
        granted(admin["token"], code, role)

    # When the admin reads the audit three at a time
    seen: list[dict[str, Any]] = []
    query = "limit=3"
    for _ in range(5):
        body = listing(admin["token"], query)
        seen += body["audit"]
        if not body["has_more"]:
            break
        query = f"limit=3&cursor={body['next_cursor']}"

    # Then it takes three pages, every record once, newest first
    assert len(seen) == 8
    assert len({change["id"] for change in seen}) == 8
    assert [change["to_role"] for change in seen] == [
        "member",
        "staff",
        "member",
        "staff",
        "admin",
        "member",
        "staff",
        "admin",
    ]
    assert seen[-1]["by"]["name"] == "make make-admin"
    # And a cursor altered, or one of another listing, is a 400
    for bad in ("x" * 20, events_cursor()):
        response = member_roles(admin["token"], f"limit=3&cursor={bad}")
        assert response["statusCode"] == 400, response
        assert body_of(response) == {"success": False, "detail": "invalid cursor"}


def events_cursor() -> str:
    """A cursor the upcoming-events listing issued (signed with the same secret)."""
    start = datetime.now(UTC) + timedelta(days=1)
    add_events([event_record(start), event_record(start + timedelta(hours=1))])
    cursor: str = body_of(upcoming("limit=1"))["next_cursor"]
    assert cursor
    return cursor


def test_the_listing_is_two_queries_of_the_index_never_a_scan() -> None:
    admin = admin_login(7, "Ada")
    code = login(42, "Alice")["user"]["referral_code"]
    granted(admin["token"], code, "staff")
    targets: list[dict[str, Any]] = []

    with counting_calls(targets.append) as calls:
        listing(admin["token"])

    assert sorted(calls) == ["GetItem", "Query", "Query"]
    assert {params.get("IndexName") for params in targets if "IndexName" in params} == {
        "by_role_listing"
    }


def test_a_change_is_one_transaction_of_the_role_the_count_and_the_audit() -> None:
    ada = admin_login(7, "Ada")
    grace = login(8, "Grace")
    targets: list[dict[str, Any]] = []

    with counting_calls(targets.append) as calls:
        granted(ada["token"], grace["user"]["referral_code"], "admin")

    # The admin's item (auth), the code's index, the member's item, then one transaction
    assert calls == ["GetItem", "Query", "GetItem", "TransactWriteItems"]
    (transaction,) = [params for params in targets if "TransactItems" in params]
    kinds = [
        (
            kind,
            item[kind]["Key"]["pk"]["S"] if "Key" in item[kind] else item[kind]["Item"]["pk"]["S"],
        )
        for item in transaction["TransactItems"]
        for kind in item
    ]
    assert [kind for kind, _ in kinds] == ["ConditionCheck", "Put", "Update", "Update"]
    assert kinds[0][1] == "USER#7"
    assert kinds[2][1] == "USER#8"
    assert kinds[1][1].startswith(ROLE_CHANGE_PREFIX)
    assert kinds[3][1] == ADMIN_COUNT_KEY
