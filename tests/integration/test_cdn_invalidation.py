"""A login that changes a member's public fields, or a change of their role (the profile shows
it), purges their cached profile from CloudFront; a CloudFront failure never fails the login.
(moto in-process: CloudFront and SSM.)"""

import io
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from support.flows import admin_login, body_of, login, set_member_role

from community.gateways import cdn
from community.observability import logger
from community.settings import get_settings

PARAMETER = "/community-test/cloudfront-distribution-id"
pytestmark = pytest.mark.parametrize("dynamodb", ["in-process"], indirect=True)


@pytest.fixture
def distribution_id(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    cloudfront = boto3.client("cloudfront")
    created = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "test",
            "Comment": "test",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "api",
                        "DomainName": "api.example.com",
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                        },
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "api",
                "ViewerProtocolPolicy": "https-only",
                "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
            },
        }
    )["Distribution"]["Id"]
    boto3.client("ssm").put_parameter(Name=PARAMETER, Value=created, Type="String")
    monkeypatch.setenv("DISTRIBUTION_ID_PARAMETER", PARAMETER)
    get_settings.cache_clear()
    parameters.clear_caches()
    monkeypatch.setattr(cdn, "_client", None)
    yield created
    get_settings.cache_clear()


def invalidated_paths(distribution: str) -> list[list[str]]:
    cloudfront = boto3.client("cloudfront")
    summaries = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    return [
        cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])["Invalidation"][
            "InvalidationBatch"
        ]["Paths"]["Items"]
        for item in summaries.get("Items", [])
    ]


def test_a_renamed_member_gets_their_profile_paths_purged_in_one_batch(
    distribution_id: str,
) -> None:
    # Given a member (a first login purges nothing: nothing of theirs was cached)
    code = login(42, "Alice")["user"]["referral_code"]
    assert invalidated_paths(distribution_id) == []

    # When they log in again under the same name, and then under a new one
    login(42, "Alice")
    login(42, "Alice Renamed")

    # Then exactly one invalidation names every cached URL of their profile
    assert invalidated_paths(distribution_id) == [
        [f"/u/{code}", f"/api/users/u/{code}", f"/u/{code.lower()}", f"/api/users/u/{code.lower()}"]
    ]


def test_a_cloudfront_failure_is_logged_and_the_login_still_succeeds(
    distribution_id: str,
) -> None:
    login(42, "Alice")
    boto3.client("ssm").delete_parameter(Name=PARAMETER)
    parameters.clear_caches()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        session = login(42, "Alice Renamed")
    finally:
        logger.removeHandler(handler)

    assert session["user"]["name"] == "Alice Renamed"
    assert "cloudfront invalidation failed" in stream.getvalue()
    assert invalidated_paths(distribution_id) == []


def test_a_role_change_purges_the_profile_and_the_same_role_again_does_not(
    distribution_id: str,
) -> None:
    # Given an admin (the operator tool's grant purges hers) and a member
    admin = admin_login(7, "Ada")
    code = login(42, "Alice")["user"]["referral_code"]
    purged_before = len(invalidated_paths(distribution_id))

    # When the admin makes Alice staff, then staff again
    for _ in range(2):
        response = set_member_role(admin["token"], code, "staff")
        assert response["statusCode"] == 200, response

    # Then one invalidation named every cached URL of Alice's profile: the second wrote nothing
    assert body_of(response)["changed"] is False
    assert invalidated_paths(distribution_id)[purged_before:] == [
        [f"/u/{code}", f"/api/users/u/{code}", f"/u/{code.lower()}", f"/api/users/u/{code.lower()}"]
    ]
