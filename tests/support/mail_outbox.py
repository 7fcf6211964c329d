"""SES as the tests see it: moto's, in-process or its server over HTTP (the same backend as
the `dynamodb` fixture), the sender identity verified there, the mails it accepted read back,
and faults injected at botocore's hooks of the data layer's SES client."""

import json
import os
import re
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.exceptions import ReadTimeoutError

from community.gateways import mail
from devkit.ops.mails import parse
from support.faults import error_answers

SENDER = "community@example.com"
LINK = re.compile(r"https?://[^\s\"'<>]+/api/users/me/email/verify\?token=([A-Za-z0-9._-]+)")


def verify_identity(identity: str = SENDER) -> None:
    """What a deployer does once in SES (here on moto, which refuses unverified senders)."""
    client = boto3.client("sesv2", endpoint_url=os.environ.get("SES_ENDPOINT_URL") or None)
    client.create_email_identity(EmailIdentity=identity)


def sent_mails() -> list[dict[str, Any]]:
    """Every mail SES accepted, oldest first, as devkit.ops.mails.parse reads it: {"to": [...],
    "subject", "body" (the text), "html", "source", "attachments": [{"filename",
    "content_type", "data"}], "headers" (the names, in order), "raw"}."""
    endpoint = os.environ.get("SES_ENDPOINT_URL")
    if endpoint:
        with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:
            recorded = json.load(response).get("ses", {})
        messages = recorded.get("Message", []) + recorded.get("RawMessage", [])
    else:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
        messages = [vars(message) for message in backend.sent_messages]
    return [parse(message) for message in messages]


def mails_to(address: str) -> list[dict[str, Any]]:
    return [found for found in sent_mails() if address in found["to"]]


def link_token(found: dict[str, Any]) -> str:
    match = LINK.search(found["body"])
    assert match, found["body"]
    return match.group(1)


@contextmanager
def ses_hooked(event_name: str, handler: Any) -> Iterator[None]:
    client = mail._client()
    client.meta.events.register(event_name, handler)
    try:
        yield
    finally:
        client.meta.events.unregister(event_name, handler)


@contextmanager
def ses_failing(code: str, status: int, times: int = 1_000) -> Iterator[list[str]]:
    """The next `times` SendEmail calls answered with error `code` and HTTP `status`, before
    they reach SES (nothing is sent)."""
    failures, fail = error_answers(times, code, "https://email.local", code, status)
    with ses_hooked("before-call.sesv2.SendEmail", fail):
        yield failures


@contextmanager
def ses_answer_lost(times: int = 1_000) -> Iterator[list[str]]:
    """SES accepts the next `times` mails, and their answers never arrive (a read timeout)."""
    lost: list[str] = []

    def lose(**_: Any) -> None:
        if len(lost) < times:
            lost.append("lost")
            raise ReadTimeoutError(endpoint_url="https://email.local")

    with ses_hooked("after-call.sesv2.SendEmail", lose):
        yield lost
