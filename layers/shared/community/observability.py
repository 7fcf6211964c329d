"""Powertools Logger, Metrics and Tracer, one of each per container."""

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service=os.getenv("POWERTOOLS_SERVICE_NAME", "community-api"))
metrics = Metrics(namespace=os.getenv("POWERTOOLS_METRICS_NAMESPACE", "Community"))
tracer = Tracer(service=os.getenv("POWERTOOLS_SERVICE_NAME", "community-api"))


def count(name: str) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
