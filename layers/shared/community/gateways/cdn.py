"""CloudFront invalidation of cached public pages. Best effort: a failure is logged and never
fails the request that caused it, because the cached copies expire on their own within
s-maxage + stale-while-revalidate anyway."""

import time
import uuid
from typing import Any

from community.observability import count, logger
from community.settings import get_settings

_client: Any = None


def _cloudfront() -> Any:
    global _client
    if _client is None:
        import boto3  # only logins that change a public profile pay for this client

        _client = boto3.client("cloudfront")
    return _client


def _distribution_id(parameter_name: str) -> str:
    from aws_lambda_powertools.utilities import parameters

    # The id changes only if the distribution is replaced; an hour of caching is plenty.
    return parameters.get_parameter(parameter_name, max_age=3600)


def invalidate(paths: list[str]) -> None:
    """One invalidation batch for all `paths`, when a distribution is configured."""
    parameter_name = get_settings().distribution_id_parameter
    if not parameter_name or not paths:
        return
    try:
        _cloudfront().create_invalidation(
            DistributionId=_distribution_id(parameter_name),
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": paths},
                "CallerReference": f"{time.time_ns()}-{uuid.uuid4().hex[:8]}",
            },
        )
        count("CdnInvalidationCreated")
    except Exception:
        count("CdnInvalidationFailed")
        logger.warning("cloudfront invalidation failed", exc_info=True, extra={"paths": paths})
