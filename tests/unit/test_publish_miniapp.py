"""`make publish-miniapp` against moto's S3, CloudFront and CloudFormation: every built file
lands under app/ with its caching, index.html last, and the app's paths are invalidated."""

from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devkit.ops.publish_miniapp import (
    IMMUTABLE,
    INVALIDATE,
    files_in_upload_order,
    publish,
    stack_outputs,
)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index-Ab12.js").write_text("console.log(1)")
    (tmp_path / "assets" / "index-Cd34.css").write_text("body{}")
    (tmp_path / "index.html").write_text('<script src="/app/assets/index-Ab12.js"></script>')
    return tmp_path


def distribution(cloudfront: Any) -> str:
    config = {
        "CallerReference": "test",
        "Comment": "",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "MiniAppBucket",
                    "DomainName": "site.s3.us-east-1.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "MiniAppBucket",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
    }
    return str(cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"])


@mock_aws
def test_publish_uploads_with_caching_and_invalidates(dist: Path) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    s3.create_bucket(Bucket="site")
    distribution_id = distribution(cloudfront)

    keys = publish("site", distribution_id, dist, s3, cloudfront)

    assert keys[-1] == "app/index.html"  # after the assets it references
    assert sorted(keys) == [
        "app/assets/index-Ab12.js",
        "app/assets/index-Cd34.css",
        "app/index.html",
    ]
    index = s3.head_object(Bucket="site", Key="app/index.html")
    assert index["CacheControl"] == "no-cache"
    assert index["ContentType"] == "text/html; charset=utf-8"
    script = s3.head_object(Bucket="site", Key="app/assets/index-Ab12.js")
    assert script["CacheControl"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert script["ContentType"] == "text/javascript"
    body = s3.get_object(Bucket="site", Key="app/assets/index-Cd34.css")["Body"].read()
    assert body == b"body{}"
    (invalidation,) = cloudfront.list_invalidations(DistributionId=distribution_id)[
        "InvalidationList"
    ]["Items"]
    detail = cloudfront.get_invalidation(DistributionId=distribution_id, Id=invalidation["Id"])
    paths = detail["Invalidation"]["InvalidationBatch"]["Paths"]["Items"]
    assert sorted(paths) == sorted(INVALIDATE)


@mock_aws
def test_the_bucket_and_distribution_come_from_the_stack_outputs() -> None:
    cloudformation = boto3.client("cloudformation", region_name="us-east-1")
    template = """
Resources:
  Placeholder:
    Type: AWS::SNS::Topic
Outputs:
  MiniAppBucketName:
    Value: the-bucket
  DistributionId:
    Value: E123
"""
    cloudformation.create_stack(StackName="community-dev", TemplateBody=template)
    assert stack_outputs("community-dev", cloudformation) == ("the-bucket", "E123")


def test_a_missing_build_is_refused_before_any_upload(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="make miniapp"):
        publish("site", "E1", tmp_path, object(), object())


def test_entry_pages_go_last(dist: Path) -> None:
    assert files_in_upload_order(dist)[-1].name == "index.html"
