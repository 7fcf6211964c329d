"""template.yaml serves the Mini App: /app/* (and the old /auth/callback) from a private,
encrypted S3 bucket through Origin Access Control, framable by Telegram's web clients only,
while the API and the profile page keep X-Frame-Options DENY and frame-ancestors 'none'."""

from pathlib import Path
from typing import Any

import pytest
from support.template_facts import RESOURCES, TEMPLATE, behavior, behavior_for, distribution

APP_PATHS = ["/app/*", "/app", "/auth/callback"]
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def properties(logical_id: str) -> dict[str, Any]:
    result: dict[str, Any] = RESOURCES[logical_id]["Properties"]
    return result


def test_the_bucket_is_private_encrypted_and_owner_enforced() -> None:
    bucket = properties("MiniAppBucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert "WebsiteConfiguration" not in bucket  # not a public website endpoint


def test_only_this_distribution_may_read_and_only_the_app_prefix() -> None:
    statements = properties("MiniAppBucketPolicy")["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert allow["Resource"] == {"Fn::Sub": "${MiniAppBucket.Arn}/app/*"}
    source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source.endswith(":distribution/${Distribution}")
    deny = next(s for s in statements if s["Effect"] == "Deny")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_bucket_origin_uses_origin_access_control() -> None:
    origin = next(o for o in distribution()["Origins"] if o["Id"] == "MiniAppBucket")
    assert origin["DomainName"] == {"Fn::GetAtt": ["MiniAppBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["MiniAppOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    oac = properties("MiniAppOriginAccessControl")["OriginAccessControlConfig"]
    assert oac["SigningBehavior"] == "always"
    assert oac["OriginAccessControlOriginType"] == "s3"


@pytest.mark.parametrize("path", APP_PATHS)
def test_app_paths_come_from_the_bucket_cached_by_object_headers(path: str) -> None:
    each = behavior(path)
    assert each["TargetOriginId"] == "MiniAppBucket"
    assert each["AllowedMethods"] == ["GET", "HEAD"]
    assert each["CachePolicyId"] == CACHING_OPTIMIZED  # honours each object's Cache-Control
    assert each["ResponseHeadersPolicyId"] == {"Ref": "MiniAppHeadersPolicy"}
    (function,) = each["FunctionAssociations"]
    assert function["EventType"] == "viewer-request"


@pytest.mark.parametrize(
    ("path", "origin"),
    [
        ("/app/", "MiniAppBucket"),
        ("/app/events/01J", "MiniAppBucket"),
        ("/app/assets/index-abc.js", "MiniAppBucket"),
        ("/auth/callback", "MiniAppBucket"),
        ("/api/users/me", "HttpApi"),
        ("/api/v1/events/upcoming", "HttpApi"),
        ("/u/UP-ABC123", "HttpApi"),
    ],
)
def test_paths_reach_their_origin(path: str, origin: str) -> None:
    assert behavior_for(path)["TargetOriginId"] == origin


def test_telegram_web_clients_may_frame_the_app_and_nothing_else_changes() -> None:
    app = properties("MiniAppHeadersPolicy")["ResponseHeadersPolicyConfig"]
    security = app["SecurityHeadersConfig"]
    assert "FrameOptions" not in security  # X-Frame-Options DENY would block Telegram Web
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["frame-ancestors"] == "'self' https://web.telegram.org"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"  # the API's own origin only
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    for policy in ("ApiHeadersPolicy", "PageHeadersPolicy"):
        kept = properties(policy)["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
        assert kept["FrameOptions"]["FrameOption"] == "DENY"
        assert "frame-ancestors 'none'" in kept["ContentSecurityPolicy"]["ContentSecurityPolicy"]


def test_client_routes_are_rewritten_to_index_html_and_files_are_not() -> None:
    code = properties("MiniAppRoutesFunction")["FunctionCode"]
    assert "request.uri = '/app/index.html'" in code
    assert "indexOf('.')" in code
    assert properties("MiniAppRoutesFunction")["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"


def test_the_publish_command_finds_the_bucket_and_distribution_in_the_outputs() -> None:
    outputs = TEMPLATE["Outputs"]
    assert outputs["MiniAppBucketName"]["Value"] == {"Ref": "MiniAppBucket"}
    assert outputs["DistributionId"]["Value"] == {"Ref": "Distribution"}


def directives(policy: str) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())


def test_make_run_the_page_and_cloudfront_send_one_content_security_policy(tmp_path: Path) -> None:
    """One policy in three places (CloudFront's header, make run's header, the page's meta tag,
    which cannot carry frame-ancestors): a violation seen locally is one in AWS too."""
    from devkit.local import static

    app = properties("MiniAppHeadersPolicy")["ResponseHeadersPolicyConfig"]
    cloudfront = app["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    html = (static.ROOT / "miniapp" / "index.html").read_text()
    (tmp_path / "index.html").write_text(html)
    status, headers, _ = static.serve("/app/events/1", dist=tmp_path)
    assert status == 200
    assert headers["content-security-policy"] == cloudfront
    meta = html.split('http-equiv="Content-Security-Policy"')[1].split('content="')[1].split('"')[0]
    expected = {k: v for k, v in directives(cloudfront).items() if k != "frame-ancestors"}
    assert directives(meta) == expected


def test_styles_come_from_the_app_s_own_files_only() -> None:
    """No 'unsafe-inline' (nor a hash for the SDK's <style> element: the app applies Telegram
    Web's custom style through a constructed style sheet, which CSP does not govern)."""
    app = properties("MiniAppHeadersPolicy")["ResponseHeadersPolicyConfig"]
    policy = directives(
        app["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    )
    assert policy["style-src"] == "'self'"
    assert "style-src-elem" not in policy
    assert "style-src-attr" not in policy
