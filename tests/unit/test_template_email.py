"""Email's part of template.yaml: who may send (the PATCH that sends verification links, the
reminder sweep and the notice sender, from the sender identity only), what the verification
link's function may do (mark an address verified: no email, no other table), and that
CloudFront hands the link's token to it uncached."""

import re
from typing import Any

from support.template_facts import (
    ALL_VIEWER_EXCEPT_HOST,
    CACHING_DISABLED,
    FUNCTIONS,
    TEMPLATE,
    actions,
    distribution,
    grants,
    statements,
    table_of,
)

SENDERS = {"UsersMeUpdateFunction", "ReminderSweepFunction", "NoticeSenderFunction"}
VERIFY = "UsersMeEmailVerifyFunction"
IDENTITY = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/"


def ses_statements(function: str) -> list[dict[str, Any]]:
    return [s for s in statements(function) if any(a.startswith("ses:") for a in actions(s))]


def test_only_the_senders_may_send_email() -> None:
    allowed = {function for function in FUNCTIONS if ses_statements(function)}

    assert allowed == SENDERS
    assert VERIFY not in allowed


def test_senders_may_only_send_and_only_from_the_sender_identity() -> None:
    for function in SENDERS:
        (statement,) = ses_statements(function)
        assert actions(statement) == {"ses:SendEmail"}, function
        sender, domain, sandbox = statement["Resource"]
        # The address identity, and its domain's (whichever of the two was verified).
        assert sender == {"Fn::Sub": f"{IDENTITY}${{SesSender}}"}
        assert domain == {
            "Fn::Sub": [
                f"{IDENTITY}${{Domain}}",
                {"Domain": {"Fn::Select": [1, {"Fn::Split": ["@", {"Ref": "SesSender"}]}]}},
            ]
        }
        # The account's own identities only while SesSandbox says so (SES then checks the
        # recipients' identities too), else nothing.
        assert sandbox == {
            "Fn::If": [
                "SesSandboxed",
                {"Fn::Sub": f"{IDENTITY}*"},
                {"Ref": "AWS::NoValue"},
            ]
        }
        variables = FUNCTIONS[function]["Properties"]["Environment"]["Variables"]
        assert variables["SES_SENDER"] == {"Ref": "SesSender"}


def test_the_sandbox_grant_is_off_unless_asked_for() -> None:
    parameters = TEMPLATE["Parameters"]
    assert parameters["SesSandbox"]["Default"] == "false"
    assert TEMPLATE["Conditions"]["SesSandboxed"] == {"Fn::Equals": [{"Ref": "SesSandbox"}, "true"]}
    pattern = re.compile(parameters["SesSender"]["AllowedPattern"])
    assert pattern.fullmatch(parameters["SesSender"]["Default"])
    assert not pattern.fullmatch("not an address")
    assert not pattern.fullmatch("a@b@example.com")


def test_the_verify_function_can_only_mark_its_member_verified() -> None:
    # No email, no secret but the JWT key (the link's signature), one table: its GetItem and
    # the conditional UpdateItem that verifies.
    dynamodb = grants(VERIFY)
    assert [(granted, [table_of(r) for r in resources]) for granted, resources, _ in dynamodb] == [
        ({"dynamodb:GetItem", "dynamodb:UpdateItem"}, ["UsersTable"])
    ]
    for statement in statements(VERIFY):
        assert all(action.startswith("dynamodb:") for action in actions(statement)), statement
    policies = FUNCTIONS[VERIFY]["Properties"]["Policies"]
    secrets = [p for p in policies if "AWSSecretsManagerGetSecretValuePolicy" in p]
    assert secrets == [
        {"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "JwtSecret"}}}
    ]
    assert "SES_SENDER" not in FUNCTIONS[VERIFY]["Properties"]["Environment"]["Variables"]


def test_cloudfront_forwards_the_links_token_and_caches_nothing() -> None:
    behaviors = [b["PathPattern"] for b in distribution()["CacheBehaviors"]]
    # Before /api/users/me/*, whose cache policy forwards only limit and cursor.
    assert behaviors.index("/api/users/me/email/verify") < behaviors.index("/api/users/me/*")
    verify = distribution()["CacheBehaviors"][behaviors.index("/api/users/me/email/verify")]
    assert verify["CachePolicyId"] == CACHING_DISABLED
    assert verify["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST  # every query string
    assert verify["AllowedMethods"] == ["GET", "HEAD"]
