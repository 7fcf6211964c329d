"""The production template, parsed with its CloudFormation tags: caching rules, data safety
and least privilege hold as docs/deploy.md states them."""

from typing import Any

import pytest
from support.template_facts import (
    ALL_VIEWER_EXCEPT_HOST,
    CACHING_DISABLED,
    DYNAMODB_WRITES,
    FUNCTIONS,
    RESOURCES,
    TEMPLATE,
    actions,
    behavior,
    behavior_for,
    distribution,
    statements,
)


def cache_key(policy_ref: Any) -> dict[str, Any]:
    config = RESOURCES[policy_ref["Ref"]]["Properties"]["CachePolicyConfig"]
    parameters: dict[str, Any] = config["ParametersInCacheKeyAndForwardedToOrigin"]
    return {**parameters, "MinTTL": config["MinTTL"], "DefaultTTL": config["DefaultTTL"]}


@pytest.mark.parametrize("path_pattern", ["/u/*", "/api/users/u/*"])
def test_shared_profiles_are_cached_by_path_alone_for_the_origins_lifetime(
    path_pattern: str,
) -> None:
    key = cache_key(behavior(path_pattern)["CachePolicyId"])

    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "none"}
    # DefaultTTL 0: without the origin's Cache-Control nothing would be cached.
    assert key["MinTTL"] == 0
    assert key["DefaultTTL"] == 0


def test_me_is_keyed_per_user_and_never_cached_against_the_origins_private() -> None:
    key = cache_key(behavior("/api/users/me")["CachePolicyId"])

    assert key["HeadersConfig"] == {"HeaderBehavior": "whitelist", "Headers": ["Authorization"]}
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert key["MinTTL"] == 0
    assert key["DefaultTTL"] == 0


@pytest.mark.parametrize(
    "path", ["/api/users/me", "/api/users/me/events", "/api/v1/events/3f2a/rsvp"]
)
def test_bearer_reads_reach_the_origin_with_their_authorization_and_parameters(path: str) -> None:
    # CloudFront forwards Authorization on a GET only when it is part of the cache key.
    key = cache_key(behavior_for(path)["CachePolicyId"])

    assert key["HeadersConfig"] == {"HeaderBehavior": "whitelist", "Headers": ["Authorization"]}
    assert set(key["QueryStringsConfig"].get("QueryStrings", [])) >= (
        {"limit", "cursor"} if path.endswith("/events") else set()
    )


def test_event_listings_get_short_public_caching_keyed_by_their_parameters() -> None:
    key = cache_key(behavior("/api/v1/events/*")["CachePolicyId"])

    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["QueryStringsConfig"] == {
        "QueryStringBehavior": "whitelist",
        "QueryStrings": ["limit", "cursor", "offset", "category"],
    }
    assert key["DefaultTTL"] <= 60


def test_everything_else_is_not_cached_and_every_behavior_is_https_and_compressed() -> None:
    default = distribution()["DefaultCacheBehavior"]
    assert default["CachePolicyId"] == CACHING_DISABLED
    for each in [default, *distribution()["CacheBehaviors"]]:
        assert each["ViewerProtocolPolicy"] in ("https-only", "redirect-to-https")
        assert each["Compress"] is True
        if each["TargetOriginId"] == "HttpApi":  # the Mini App's bucket gets no viewer headers
            assert each["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert distribution()["HttpVersion"] == "http2and3"
    origin = next(o for o in distribution()["Origins"] if o["Id"] == "HttpApi")
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_the_mini_app_may_send_its_conditional_and_prefer_headers_across_origins() -> None:
    # A cross-origin DELETE with Prefer (cancel answering with the event) is preflighted, and
    # so is a check-in with its Idempotency-Key: both the API's own CORS and CloudFront's must
    # allow the header.
    api_cors = RESOURCES["HttpApi"]["Properties"]["CorsConfiguration"]["AllowHeaders"]
    policy = RESOURCES["ApiHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    cloudfront_cors = policy["CorsConfig"]["AccessControlAllowHeaders"]["Items"]
    for allowed in (api_cors, cloudfront_cors):
        assert {"authorization", "if-none-match", "prefer", "idempotency-key"} <= set(allowed)


def test_security_headers_and_a_csp_for_the_page() -> None:
    page = RESOURCES[behavior("/u/*")["ResponseHeadersPolicyId"]["Ref"]]
    security = page["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert "ContentTypeOptions" in security
    assert "ReferrerPolicy" in security
    assert "script-src" not in security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    api = RESOURCES["ApiHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    assert api["CorsConfig"]["AccessControlAllowOrigins"]["Items"] == [{"Ref": "MiniAppOrigin"}]


@pytest.mark.parametrize(
    "table", ["UsersTable", "EventsTable", "AuthCodesTable", "AttendancesTable"]
)
def test_tables_are_on_demand_encrypted_and_recoverable(table: str) -> None:
    properties = RESOURCES[table]["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


@pytest.mark.parametrize("table", ["UsersTable", "EventsTable", "AttendancesTable"])
def test_member_and_event_data_survive_stack_deletion_and_replacement(table: str) -> None:
    assert RESOURCES[table]["DeletionPolicy"] == "Retain"
    assert RESOURCES[table]["UpdateReplacePolicy"] == "Retain"


def test_login_codes_expire_through_ttl() -> None:
    ttl = RESOURCES["AuthCodesTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at", "Enabled": True}


def methods(function: str) -> set[str]:
    events = FUNCTIONS[function]["Properties"]["Events"].values()
    # Routes only: the reminder sweep's schedule has no method.
    return {event["Properties"]["Method"].upper() for event in events if event["Type"] == "HttpApi"}


# GET routes that write, each with why; their grants have tests of their own.
GETS_THAT_WRITE = {
    # A link in an email can only be a GET; following it verifies the address (one
    # conditional UpdateItem of the member: tests/unit/test_template_email.py).
    "UsersMeEmailVerifyFunction": "the email verification link",
}
READ_ONLY = sorted(
    f
    for f in FUNCTIONS
    if (methods(f) == {"GET"} and f not in GETS_THAT_WRITE) or f == "UsersMeRefreshFunction"
)


@pytest.mark.parametrize("function", READ_ONLY)
def test_read_only_functions_cannot_write_any_table(function: str) -> None:
    for statement in statements(function):
        assert not actions(statement) & DYNAMODB_WRITES, statement


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_dynamodb_grants_name_a_table_or_index_never_everything(function: str) -> None:
    for statement in statements(function):
        if any(action.startswith("dynamodb:") for action in actions(statement)):
            assert statement["Resource"] != "*"
            assert "dynamodb:*" not in actions(statement)


# CloudWatch takes at most 10 metrics in one metric math alarm.
MAX_METRICS_PER_ALARM = 10


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_is_watched_by_exactly_one_alarm_per_metric(metric: str) -> None:
    watched: list[str] = []
    for name, alarm in RESOURCES.items():
        if alarm["Type"] != "AWS::CloudWatch::Alarm" or "Metrics" not in alarm["Properties"]:
            continue
        queries = alarm["Properties"]["Metrics"]
        assert len(queries) <= MAX_METRICS_PER_ALARM, name
        watched += [
            query["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Ref"]
            for query in queries
            if query.get("MetricStat", {}).get("Metric", {}).get("MetricName") == metric
        ]
    assert sorted(watched) == sorted(FUNCTIONS)


def test_the_api_is_throttled_and_access_logged_with_retention() -> None:
    api = RESOURCES["HttpApi"]["Properties"]
    assert set(api["DefaultRouteSettings"]) == {"ThrottlingBurstLimit", "ThrottlingRateLimit"}
    assert "$context.requestId" in api["AccessLogSettings"]["Format"]
    assert "querystring" not in api["AccessLogSettings"]["Format"].lower()
    for group in ("ApiAccessLogs", "FunctionLogs"):
        assert RESOURCES[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_the_jwt_secret_is_generated_and_each_function_reads_only_its_own_secret() -> None:
    assert "GenerateSecretString" in RESOURCES["JwtSecret"]["Properties"]
    for function, resource in FUNCTIONS.items():
        env = resource["Properties"].get("Environment", {}).get("Variables", {})
        granted = {
            policy["AWSSecretsManagerGetSecretValuePolicy"]["SecretArn"]["Ref"]
            for policy in resource["Properties"].get("Policies", [])
            if isinstance(policy, dict) and "AWSSecretsManagerGetSecretValuePolicy" in policy
        }
        needed = {v["Ref"] for k, v in env.items() if k.endswith("_SECRET_ARN")}
        assert granted == needed, function


def test_published_versions_use_snapstart_and_tracing_is_a_parameter_off_by_default() -> None:
    globals_ = TEMPLATE["Globals"]["Function"]
    assert globals_["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert globals_["AutoPublishAlias"] == "live"
    assert TEMPLATE["Parameters"]["EnableTracing"]["Default"] == "false"
    assert globals_["Tracing"] == {"Fn::If": ["TracingEnabled", "Active", "PassThrough"]}
    trace_disabled = globals_["Environment"]["Variables"]["POWERTOOLS_TRACE_DISABLED"]
    assert trace_disabled == {"Fn::If": ["TracingEnabled", "false", "true"]}
