"""The calendar feed in template.yaml: each function may touch only what its feed needs (the
token's CALENDAR# guard, the member's item, the member's attendances and their events), the
public feed holds no secret, no log records a feed's path (its token), and CloudFront caches
no feed while the address endpoints keep the bearer token."""

import pytest
from support.template_facts import (
    CACHING_DISABLED,
    FUNCTIONS,
    RESOURCES,
    behavior_for,
    grants,
    table_of,
)

LEADING_KEYS = "dynamodb:LeadingKeys"


def granted(function: str) -> dict[tuple[str, str], list[str] | None]:
    """Each (action, table or index resource) a function is granted, with the key prefixes
    its condition allows (None: any key)."""
    found: dict[tuple[str, str], list[str] | None] = {}
    for actions, resources, condition in grants(function):
        prefixes = condition.get("ForAllValues:StringLike", {}).get(LEADING_KEYS)
        for action in actions:
            for resource in resources:
                where = table_of(resource)
                if "Fn::Sub" in resource and "/index/" in resource["Fn::Sub"]:
                    where += "/" + resource["Fn::Sub"].rsplit("/", 1)[-1]
                assert (action, where) not in found, (function, action, where)
                found[(action, where)] = prefixes
    return found


def test_the_feed_reads_only_the_tokens_guard_the_members_attendances_and_their_events() -> None:
    assert granted("CalendarFeedFunction") == {
        ("dynamodb:GetItem", "UsersTable"): ["CALENDAR#*"],
        ("dynamodb:Query", "AttendancesTable/by_member"): None,
        ("dynamodb:BatchGetItem", "EventsTable"): None,
    }
    # The token is looked up by its hash, never checked with a key: no secret to read.
    properties = FUNCTIONS["CalendarFeedFunction"]["Properties"]
    assert "Environment" not in properties
    assert not [p for p in properties["Policies"] if "AWSSecretsManagerGetSecretValuePolicy" in p]


@pytest.mark.parametrize("function", ["UsersMeCalendarFunction", "UsersMeCalendarResetFunction"])
def test_issuing_writes_only_calendar_guards_and_updates_only_members(function: str) -> None:
    assert granted(function) == {
        ("dynamodb:GetItem", "UsersTable"): None,
        ("dynamodb:PutItem", "UsersTable"): ["CALENDAR#*"],
        ("dynamodb:DeleteItem", "UsersTable"): ["CALENDAR#*"],
        ("dynamodb:UpdateItem", "UsersTable"): ["USER#*"],
    }


def test_no_access_log_line_holds_a_path() -> None:
    # A feed's path is its credential; the route template says which endpoint it was.
    log_format = RESOURCES["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
    assert "$context.path" not in log_format
    assert "$context.routeKey" in log_format


def test_cloudfront_caches_no_feed_and_the_address_endpoints_keep_the_bearer_token() -> None:
    feed = behavior_for("/api/calendar/abc.ics")
    assert feed["PathPattern"] == "/api/calendar/*"
    assert feed["CachePolicyId"] == CACHING_DISABLED
    assert set(feed["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS"}
    for path in ("/api/users/me/calendar", "/api/users/me/calendar/reset"):
        behavior = behavior_for(path)
        assert behavior["PathPattern"] == "/api/users/me/*"
        policy = RESOURCES[behavior["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
        headers = policy["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]
        assert headers == {"HeaderBehavior": "whitelist", "Headers": ["Authorization"]}
        assert "POST" in behavior["AllowedMethods"]
