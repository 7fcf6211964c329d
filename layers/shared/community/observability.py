"""Powertools Logger and Metrics, one of each per container, named from the settings at
start-up (`configure`), and Tracer only when tracing is on: importing the X-Ray SDK costs
~100 ms of every cold start (measured by `make bench`), so the template turns it on only where
the EnableTracing parameter asks for it."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from community.settings import Settings

# Named at start-up; until then (nothing logs before it in Lambda) the template's defaults.
logger = Logger(service="community-api")
metrics = Metrics(namespace="Community", service="community-api")
tracer: Any = None


def configure(settings: Settings) -> None:
    """Name the logs and metrics after the settings, and create the Tracer when tracing is
    on. Part of the start-up, so it runs before any DynamoDB client exists: the Tracer
    patches botocore when it is created."""
    global tracer
    logger.append_keys(service=settings.powertools_service_name)
    metrics.namespace = settings.powertools_metrics_namespace
    metrics.service = settings.powertools_service_name
    if not settings.powertools_trace_disabled and tracer is None:
        from aws_lambda_powertools import Tracer

        tracer = Tracer(service=settings.powertools_service_name)


def annotate(key: str, value: str) -> None:
    if tracer is not None:
        tracer.put_annotation(key=key, value=value)


def count(name: str, value: int = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
