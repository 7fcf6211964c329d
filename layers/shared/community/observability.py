"""Powertools Logger and Metrics, one of each per container, and Tracer only when tracing is
on: importing the X-Ray SDK costs ~100 ms of every cold start (measured by `make bench`), so
the template turns it on only where the EnableTracing parameter asks for it."""

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = os.getenv("POWERTOOLS_SERVICE_NAME", "community-api")
TRACING = os.getenv("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("true", "1")

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=os.getenv("POWERTOOLS_METRICS_NAMESPACE", "Community"))
tracer: Any = None
if TRACING:
    from aws_lambda_powertools import Tracer

    # Created at import so it patches botocore before any DynamoDB client exists.
    tracer = Tracer(service=SERVICE)


def annotate(key: str, value: str) -> None:
    if tracer is not None:
        tracer.put_annotation(key=key, value=value)


def count(name: str) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
