"""Every DynamoDB call of every endpoint, failed every way DynamoDB (or the network) fails:
the answer is a 503 JSON with Retry-After, nothing is half written, a login code outlives a
failure that happened before its member was written, and the 503 is logged under the
request's correlation id. On moto in-process: botocore's hooks are the layer under test."""

import io
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.faults import counting_calls, error_answers, failing, hooked, timing_out
from support.figures import record_figure
from support.flows import (
    add_events,
    admin_login,
    body_of,
    callback,
    fixture_name,
    fixture_values,
    join_waitlist,
    login,
    rsvp,
)
from support.waitlists import going_and_waiting, violations

from community.data import roles as roles_table
from community.data.models import (
    ROLE_CHANGE_PREFIX,
    Attendance,
    Event,
    Notification,
    ReferralGuard,
    RoleChange,
    User,
)
from community.entities import ADMIN_ROLE, LEFT, MEMBER_ROLE, WAITING
from devkit.functions.fixtures import expected, load_event
from devkit.functions.handlers import invoke
from devkit.functions.placeholders import event_record
from devkit.template.reader import resources, routes

# What each endpoint calls, in order, on the path its fixture takes (a first login for the
# callback). A test below checks this table against the calls really made.
CALLS = {
    "AuthCallbackFunction": ["DeleteItem", "UpdateItem", "TransactWriteItems"],
    # The token's guard, the member's attendances, their events.
    "CalendarFeedFunction": ["GetItem", "Query", "BatchGetItem"],
    "EventCreateFunction": ["GetItem", "PutItem"],
    # The member, the event (active? told?), then the deactivation with its `cancelled`
    # notice record in one transaction (the outbox).
    "EventDeleteFunction": ["GetItem", "GetItem", "TransactWriteItems"],
    "EventDetailFunction": ["GetItem"],
    "EventCalendarFunction": ["GetItem"],
    "EventRsvpCancelFunction": ["GetItem", "GetItem", "TransactWriteItems"],
    # The member, the event, the transaction, then the event as the RSVP left it.
    "EventRsvpFunction": ["GetItem", "GetItem", "TransactWriteItems", "GetItem"],
    # The member, the event, the member's attendance.
    "EventRsvpStatusFunction": ["GetItem", "GetItem", "GetItem"],
    "EventUpdateFunction": ["GetItem", "GetItem", "UpdateItem"],
    # The member, the event, the transaction, then the Query that ranks the member.
    "EventWaitlistJoinFunction": ["GetItem", "GetItem", "TransactWriteItems", "Query"],
    # The member, the event, the transaction (refused: the member was not waiting).
    "EventWaitlistLeaveFunction": ["GetItem", "GetItem", "TransactWriteItems"],
    "EventsUpcomingFunction": ["Query", "BatchGetItem"],
    # The member, the event, the member's RSVP (which the ticket names).
    "EventTicketFunction": ["GetItem", "GetItem", "GetItem"],
    # The staff member, the event, the RSVP the ticket names, the check-in transaction (the
    # RSVP and the event's checked_in_count), then the member checked in, for the answer.
    "EventCheckinFunction": ["GetItem", "GetItem", "GetItem", "TransactWriteItems", "GetItem"],
    # The staff member, the event (its totals), a page of its RSVPs, their members.
    "EventAttendeesFunction": ["GetItem", "GetItem", "Query", "BatchGetItem"],
    "GenerateCodeFunction": ["PutItem"],
    # The admin, the code's member on the index, the member read consistently, then the role,
    # the count of admins, the audit record and the admin's own role in one transaction.
    "MemberRoleUpdateFunction": ["GetItem", "Query", "GetItem", "TransactWriteItems"],
    # The admin, then the role holders and the audit: two Queries of the sparse index.
    "MemberRolesFunction": ["GetItem", "Query", "Query"],
    # The member, then the event (the fixture's is unknown: a 404 before the Bot API).
    "EventShareFunction": ["GetItem", "GetItem"],
    "ProfilePageFunction": ["Query"],
    "PublicProfileFunction": ["Query"],
    # The member, the top ten on the sparse index, their public fields.
    "ReferralsTopFunction": ["GetItem", "Query", "BatchGetItem"],
    # /events: the listing, then the update id's claim.
    "TelegramWebhookFunction": ["Query", "PutItem"],
    # The member (consistent), then the first token's transaction (guard and member).
    "UsersMeCalendarFunction": ["GetItem", "TransactWriteItems"],
    "UsersMeCalendarResetFunction": ["GetItem", "TransactWriteItems"],
    "UsersMeEventsFunction": ["GetItem", "Query", "BatchGetItem"],
    "UsersMeFunction": ["GetItem"],
    "UsersMeRefreshFunction": ["GetItem"],
    "UsersMeUpdateFunction": ["GetItem", "UpdateItem"],
    # The link's conditional write; a refused link reads the member to say why.
    "UsersMeEmailVerifyFunction": ["UpdateItem"],
}
FAULTS = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "InternalServerError",
    "html-500",
    "read-timeout",
    "connect-timeout",
]
# A fault on an operation fails its every call, so an operation called twice is one case.
CASES = [
    (function, operation, fault)
    for function, operations in CALLS.items()
    for operation in dict.fromkeys(operations)
    for fault in FAULTS
]

pytestmark = [
    pytest.mark.usefixtures("dynamodb"),
    pytest.mark.parametrize("dynamodb", ["in-process"], indirect=True),
]


@contextmanager
def injected(fault: str, operation: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    if fault.endswith("-timeout"):
        # botocore retries a timeout twice (PynamoDB's max_retry_attempts); skip the backoff.
        monkeypatch.setattr(
            "botocore.retries.standard.ExponentialBackoff.delay_amount", lambda *_: 0
        )
        with timing_out(operation, fault.removesuffix("-timeout")) as failures:
            yield failures
    elif fault == "html-500":
        with failing(operation, "500", status=500) as failures:
            yield failures
    else:
        with failing(operation, fault) as failures:
            yield failures


def partial_writes() -> list[str]:
    """Users without their referral guard, guards without their user, referrers whose
    referral_count is not the number of members referred by their code, and events whose
    attendee_count is not their number going, whose checked_in_count is not their number
    checked in, or that break another waitlist invariant."""
    members = list(User.scan(User.pk.startswith("USER#")))
    users = {user.pk: user.referral_code for user in members}
    referred: dict[str, int] = {}
    for user in members:
        if user.referred_by:
            referred[user.referred_by] = referred.get(user.referred_by, 0) + 1
    miscounted_referrers = [
        user.pk
        for user in members
        if int(user.referral_count or 0) != referred.get(user.referral_code, 0)
    ]
    guards = {
        guard.pk.removeprefix("REFERRAL#"): guard.user_pk
        for guard in ReferralGuard.scan(ReferralGuard.pk.startswith("REFERRAL#"))
    }
    attending: dict[str, int] = {}
    checked_in: dict[str, int] = {}
    for attendance in Attendance.scan():
        if attendance.status not in (WAITING, LEFT):
            attending[attendance.event_id] = attending.get(attendance.event_id, 0) + 1
        if attendance.checked_in_at is not None:
            checked_in[attendance.event_id] = checked_in.get(attendance.event_id, 0) + 1
    miscounted = [
        event.id
        for event in Event.scan()
        if int(event.attendee_count) != attending.get(event.id, 0)
        or int(event.checked_in_count or 0) != checked_in.get(event.id, 0)
        or violations(event.id)
    ]
    return (
        [pk for pk, code in users.items() if guards.get(code) != pk]
        + [code for code, pk in guards.items() if users.get(pk) != code]
        + miscounted
        + miscounted_referrers
        + role_problems()
    )


def role_problems() -> list[str]:
    """A count of admins that is not their number, a role holder missing from the listing
    index (or a member in it), or role items and audit records that disagree in number."""
    people = list(User.scan(User.pk.startswith("USER#")))
    admins = sum(1 for user in people if user.role == ADMIN_ROLE)
    problems = []
    if roles_table.admin_count() != admins:
        problems.append(f"COUNT#ADMINS {roles_table.admin_count()} for {admins} admins")
    problems += [
        f"{user.pk} {user.role} listed as {user.role_listing}"
        for user in people
        if (user.role_listing is None) != (user.role == MEMBER_ROLE)
    ]
    changes = list(RoleChange.scan(RoleChange.pk.startswith(ROLE_CHANGE_PREFIX)))
    # Every role holder got there through one audited change from member (the fixtures make
    # no other changes), so the records number the holders.
    holders = sum(1 for user in people if user.role != MEMBER_ROLE)
    if len(changes) != holders:
        problems.append(f"{len(changes)} audit records for {holders} role holders")
    return problems


def logged_with(stream: io.StringIO, correlation_id: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("correlation_id") == correlation_id]


def test_the_table_of_calls_covers_every_function() -> None:
    # Every function with a route; the scheduled reminder sweep and the stream-fed notice
    # sender have no HTTP answer to give and their faults are tested in test_reminders.py and
    # test_notices.py (they fail loudly, sending nothing twice).
    http_functions = {route.function for route in routes()}
    assert http_functions | {"ReminderSweepFunction", "NoticeSenderFunction"} == set(
        resources("AWS::Serverless::Function")
    )
    assert sorted(CALLS) == sorted(http_functions)


@pytest.mark.parametrize("function", sorted(CALLS))
def test_the_table_of_calls_is_what_each_endpoint_really_calls(function: str) -> None:
    name = fixture_name(function)
    event = load_event(name, **fixture_values(name))

    with counting_calls() as calls:
        assert invoke(function, event)["statusCode"] == expected(name)["statusCode"]

    assert calls == CALLS[function]


@pytest.mark.parametrize(("function", "operation", "fault"), CASES)
def test_a_failed_dynamodb_call_is_a_logged_503_with_no_partial_write(
    function: str,
    operation: str,
    fault: str,
    log_output: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a valid request to the endpoint
    name = fixture_name(function)
    values = fixture_values(name)
    event = load_event(name, **values)
    request_id = f"fault-{uuid.uuid4()}"
    event["requestContext"]["requestId"] = request_id

    # When one of its DynamoDB calls fails
    with injected(fault, operation, monkeypatch) as failures:
        response = invoke(function, event)

    # Then the client is told to retry, in JSON, and nothing is half written
    lost = 0
    try:
        assert failures, f"{operation} was never called"
        assert response["statusCode"] == 503, response
        assert response["headers"]["retry-after"] == "1"
        assert response["headers"]["content-type"] == "application/json"
        assert body_of(response)["success"] is False
        assert partial_writes() == []
        # And the failure is logged under the request's correlation id
        errors = [line for line in logged_with(log_output, request_id) if line["level"] == "ERROR"]
        assert [line["message"] for line in errors] == ["request failed"], errors
        # And a login code is still good after any failure before its member was written
        if function == "AuthCallbackFunction":
            retry = callback(values["LOGIN_CODE"], values["TELEGRAM_ID"])
            record_figure(
                "login code still usable after a failed callback (each call x each fault)",
                1,
                int(retry["statusCode"] != 200),
            )
            assert retry["statusCode"] == 200, retry
            assert partial_writes() == []
    except AssertionError:
        lost = 1
        raise
    finally:
        record_figure(f"DynamoDB fault `{fault}` on each call of each endpoint", 1, lost)


# DynamoDB refusing what a request holds: retrying cannot help, so never a 503. A refusal of
# the request's own values is a 400; a deployment's fault (no table, no permission) a 500.
REFUSALS = {
    "ValidationException": 400,
    "SerializationException": 400,
    "ResourceNotFoundException": 500,
    "AccessDeniedException": 500,
}
# A transaction item refused the same way comes back as a cancellation reason.
ITEM_REFUSED = {
    "CancellationReasons": [
        {"Code": "None"},
        {"Code": "ValidationError", "Message": "Item size has exceeded the maximum allowed"},
    ]
}
REFUSAL_CASES = [
    (function, operation, code)
    for function, operations in CALLS.items()
    for operation in dict.fromkeys(operations)
    for code in [*REFUSALS, "TransactionCanceledException"]
    if code != "TransactionCanceledException" or operation == "TransactWriteItems"
]


@pytest.mark.parametrize(("function", "operation", "code"), REFUSAL_CASES)
def test_a_refused_dynamodb_call_is_never_a_503_and_writes_nothing(
    function: str, operation: str, code: str
) -> None:
    # Given a valid request to the endpoint
    name = fixture_name(function)
    values = fixture_values(name)
    event = load_event(name, **values)

    # When DynamoDB refuses one of its calls as invalid (or the deployment is broken)
    details = ITEM_REFUSED if code == "TransactionCanceledException" else None
    with failing(operation, code, details=details) as failures:
        response = invoke(function, event)

    # Then the answer is the refusal's, in JSON, with no invitation to retry
    assert failures, f"{operation} was never called"
    assert response["statusCode"] == REFUSALS.get(code, 400), response
    assert "retry-after" not in response["headers"]
    assert response["headers"]["content-type"] == "application/json"
    assert "Traceback" not in response["body"]
    assert partial_writes() == []
    if response["statusCode"] == 400:
        assert body_of(response)["detail"] == "the request holds a value that cannot be stored"


def promoting(function: str) -> tuple[str, dict[str, Any]]:
    """A request that promotes: a full event (1 spot) with one member waiting, and the going
    member's cancel or an admin's capacity raise. The event's id, and the request."""
    (event_id,) = add_events([event_record(datetime.now(UTC) + timedelta(days=2), capacity=1)])
    going, waiting = (login(telegram_id)["token"] for telegram_id in (31, 32))
    assert rsvp(going, event_id)["statusCode"] == 201
    assert join_waitlist(waiting, event_id)["statusCode"] == 201
    if function == "EventRsvpCancelFunction":
        return event_id, load_event("event_rsvp_cancel", TOKEN=going, EVENT_ID=event_id)
    request = load_event("event_update", ADMIN_TOKEN=admin_login()["token"], EVENT_ID=event_id)
    request["body"] = json.dumps({"capacity": 2})
    return event_id, request


# What a promotion calls: the member, the event, the waitlist, the transaction that frees
# (or adds) the seat and gives it to the first waiting with a notice; the update then reads
# the event as the promotion left it.
PROMOTION_CALLS = {
    "EventRsvpCancelFunction": ["GetItem", "GetItem", "Query", "TransactWriteItems"],
    "EventUpdateFunction": ["GetItem", "GetItem", "Query", "TransactWriteItems", "GetItem"],
}
PROMOTION_CASES = [
    (function, operation, fault)
    for function, operations in PROMOTION_CALLS.items()
    for operation in dict.fromkeys(operations)
    for fault in [*FAULTS, "TransactionConflict"]
    if fault != "TransactionConflict" or operation == "TransactWriteItems"
]
CONFLICT = {"CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}]}


@pytest.mark.parametrize("function", sorted(PROMOTION_CALLS))
def test_the_promotions_calls_are_what_each_endpoint_really_calls(function: str) -> None:
    _, request = promoting(function)

    with counting_calls() as calls:
        assert invoke(function, request)["statusCode"] in (200, 204)

    assert calls == PROMOTION_CALLS[function]


@pytest.mark.parametrize(("function", "operation", "fault"), PROMOTION_CASES)
def test_a_fault_or_conflict_mid_promotion_writes_nothing(
    function: str, operation: str, fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a request that would give the one waiting member a seat
    event_id, request = promoting(function)
    before = going_and_waiting(event_id)

    # When one of its calls fails, or its transaction keeps losing to another
    if fault == "TransactionConflict":
        monkeypatch.setattr("community.services.attendance._pause", lambda _: None)
        with failing(operation, "TransactionCanceledException", details=CONFLICT) as failures:
            response = invoke(function, request)
    else:
        with injected(fault, operation, monkeypatch) as failures:
            response = invoke(function, request)

    # Then the client is told to retry (503; an admin's edit that kept losing, 409), and
    # nothing is half written: the seat, the waitlist and the counts as they were, no notice
    lost = 0
    try:
        assert failures, f"{operation} was never called"
        conflicted = fault == "TransactionConflict" and function == "EventUpdateFunction"
        assert response["statusCode"] == (409 if conflicted else 503), response
        assert body_of(response)["success"] is False
        assert going_and_waiting(event_id) == before
        assert violations(event_id) == []
        assert [n for n in Notification.scan() if n.event_id == event_id] == []
        assert partial_writes() == []
    except AssertionError:
        lost = 1
        raise
    finally:
        record_figure(f"fault `{fault}` mid-promotion (cancel, capacity raise)", 1, lost)


CHECKIN_CASES = [
    (operation, fault)
    for operation in dict.fromkeys(CALLS["EventCheckinFunction"])
    for fault in [*FAULTS, "TransactionConflict"]
    if fault != "TransactionConflict" or operation == "TransactWriteItems"
]


@pytest.mark.parametrize(("operation", "fault"), CHECKIN_CASES)
def test_a_checkin_retried_after_a_failed_call_is_checked_in_once(
    operation: str, fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a scanner's check-in request with its Idempotency-Key
    name = fixture_name("EventCheckinFunction")
    values = fixture_values(name)
    request = load_event(name, **values)

    # When one of its calls fails (the member's read after the commit included), or its
    # transaction keeps losing to another: a 503, the scanner's cue to send it again
    if fault == "TransactionConflict":
        monkeypatch.setattr("community.services.door._pause", lambda _: None)
        with failing(operation, "TransactionCanceledException", details=CONFLICT) as failures:
            failed = invoke("EventCheckinFunction", request)
    else:
        with injected(fault, operation, monkeypatch) as failures:
            failed = invoke("EventCheckinFunction", request)
    retried = invoke("EventCheckinFunction", request)

    # Then the retry is the one 201 (never a 409 "already checked in" for the scanner's own
    # first try), the member is checked in once and counted once
    lost = 0
    try:
        assert failures, f"{operation} was never called"
        assert failed["statusCode"] == 503, failed
        assert retried["statusCode"] == 201, retried
        event = Event.get(values["DOOR_EVENT_ID"], consistent_read=True)
        (attendance,) = [a for a in Attendance.query(event.id) if a.checked_in_at is not None]
        assert int(event.checked_in_count) == 1
        checkin = body_of(retried)["checkin"]
        assert checkin["checked_in_at"] == attendance.checked_in_at.isoformat().replace(
            "+00:00", "Z"
        )
        assert partial_writes() == []
    except AssertionError:
        lost = 1
        raise
    finally:
        record_figure(
            f"check-in retried after fault `{fault}` (each call), not exactly one", 1, lost
        )


def test_a_checkin_whose_answer_was_lost_after_the_commit_is_the_same_201_when_retried() -> None:
    # Given a scanner's check-in request with its Idempotency-Key
    name = fixture_name("EventCheckinFunction")
    values = fixture_values(name)
    request = load_event(name, **values)
    seen: list[str] = []
    failures, fail = error_answers(
        1_000, "GetItem", "https://dynamodb.local", "ProvisionedThroughputExceededException", 400
    )

    def fail_reads_after_the_commit(model: Any, **arguments: Any) -> Any:
        seen.append(model.name)
        if model.name == "GetItem" and "TransactWriteItems" in seen:
            return fail(**arguments)
        return None

    # When the check-in commits but the read of the member for its answer fails (a 503: the
    # scanner cannot tell it from a failure before the commit, and sends it again)
    with hooked("before-call.dynamodb", fail_reads_after_the_commit):
        failed = invoke("EventCheckinFunction", request)
    retried = invoke("EventCheckinFunction", request)
    other_scanner = dict(request, headers={**request["headers"], "idempotency-key": "other-1"})
    scanned_again = invoke("EventCheckinFunction", other_scanner)

    # Then the retry is answered the 201 of the first try, the same check-in, and a scan with
    # another key is the 409 with the same time; one check-in counted
    assert failures == ["GetItem"]
    assert failed["statusCode"] == 503, failed
    assert retried["statusCode"] == 201, retried
    assert scanned_again["statusCode"] == 409, scanned_again
    at = body_of(retried)["checkin"]["checked_in_at"]
    assert body_of(scanned_again)["checked_in_at"] == at
    assert int(Event.get(values["DOOR_EVENT_ID"], consistent_read=True).checked_in_count) == 1
    assert partial_writes() == []
