"""`make publish-miniapp [STACK=name]`: uploads miniapp/dist to the stack's Mini App bucket
under app/ and invalidates the app's paths in its CloudFront distribution.

Hashed files (app/assets/*) are uploaded first with `Cache-Control: public, max-age=31536000,
immutable`; index.html last with `no-cache`, so no client ever gets an index.html whose assets
are not there yet. Old assets are kept (a page loaded before the deploy still finds its files);
the bucket's lifecycle rule expires replaced versions. The bucket and distribution come from
the stack's outputs (MiniAppBucketName, DistributionId), or --bucket/--distribution-id."""

import argparse
import mimetypes
import sys
import time
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[3]
DIST = ROOT / "miniapp" / "dist"
PREFIX = "app/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# What CloudFront must forget: the app's entry points (assets are new names on every build).
INVALIDATE = ["/app", "/app/*", "/auth/callback"]
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html; charset=utf-8"}


def stack_outputs(stack: str, cloudformation: Any) -> tuple[str, str]:
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    return outputs["MiniAppBucketName"], outputs["DistributionId"]


def files_in_upload_order(dist: Path) -> list[Path]:
    files = sorted(p for p in dist.rglob("*") if p.is_file())
    # index.html (and any other entry page) after everything it references.
    return sorted(files, key=lambda p: p.suffix == ".html")


def publish(bucket: str, distribution_id: str, dist: Path, s3: Any, cloudfront: Any) -> list[str]:
    if not (dist / "index.html").is_file():
        raise SystemExit(f"{dist}/index.html is missing: run `make miniapp` first")
    keys = []
    for path in files_in_upload_order(dist):
        relative = path.relative_to(dist).as_posix()
        key = PREFIX + relative
        content_type = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=path.read_bytes(),
            ContentType=content_type or "application/octet-stream",
            CacheControl=IMMUTABLE if relative.startswith("assets/") else REVALIDATE,
        )
        keys.append(key)
    cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": len(INVALIDATE), "Items": INVALIDATE},
            "CallerReference": f"miniapp-{time.time_ns()}",
        },
    )
    return keys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", help="the deployed stack (reads its outputs)")
    parser.add_argument("--bucket")
    parser.add_argument("--distribution-id")
    parser.add_argument("--dist", type=Path, default=DIST)
    args = parser.parse_args()
    bucket, distribution_id = args.bucket, args.distribution_id
    if not (bucket and distribution_id):
        stack = args.stack or _samconfig_stack()
        if not stack:
            print("usage: make publish-miniapp STACK=<stack name>", file=sys.stderr)
            return 2
        bucket, distribution_id = stack_outputs(stack, boto3.client("cloudformation"))
    keys = publish(
        bucket, distribution_id, args.dist, boto3.client("s3"), boto3.client("cloudfront")
    )
    print(f"uploaded {len(keys)} files to s3://{bucket}/{PREFIX}; invalidated {INVALIDATE}")
    return 0


def _samconfig_stack() -> str | None:
    import tomllib

    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    stack = config.get("default", {}).get("deploy", {}).get("parameters", {}).get("stack_name")
    return str(stack) if stack else None


if __name__ == "__main__":
    sys.exit(main())
