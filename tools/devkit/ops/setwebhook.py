"""`make set-webhook URL=https://<domain>/api/telegram/webhook [ENV=...]`: registers the
webhook with Telegram (setWebhook) with the secret token the function checks and the updates
it handles. The bot token and the webhook secret come from the environment
(TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET) or, with ENV=<stack name>, from that stack's
Secrets Manager secrets (the operator's AWS credentials). TELEGRAM_API_BASE_URL points it at
another Bot API (the fake one in the tests)."""

import argparse
import json
import os
import sys
from typing import Any

from devkit.local.env import LOCAL_SECRETS

# What the webhook handles; Telegram then sends nothing else (fewer invocations).
ALLOWED_UPDATES = ["message", "chat_join_request"]


def stack_secrets(stack: str) -> dict[str, str]:
    """The bot token and webhook secret of a deployed stack, read from Secrets Manager."""
    import boto3

    resources = boto3.client("cloudformation").describe_stack_resources(StackName=stack)
    arns = {
        resource["LogicalResourceId"]: resource["PhysicalResourceId"]
        for resource in resources["StackResources"]
    }
    secrets = boto3.client("secretsmanager")

    def value(logical_id: str) -> str:
        return str(secrets.get_secret_value(SecretId=arns[logical_id])["SecretString"])

    return {
        "TELEGRAM_BOT_TOKEN": value("TelegramBotTokenSecret"),
        "TELEGRAM_WEBHOOK_SECRET": value("TelegramWebhookSecret"),
    }


def set_webhook(api_base: str, token: str, url: str, secret: str) -> dict[str, Any]:
    from community.gateways.telegram_bot import BotApi

    status, answer = BotApi(api_base, token).call(
        "setWebhook",
        {
            "url": url,
            "secret_token": secret,
            "allowed_updates": ALLOWED_UPDATES,
            "drop_pending_updates": False,
        },
    )
    if status != 200 or answer.get("ok") is not True:
        raise RuntimeError(f"setWebhook answered {status}: {answer.get('description', answer)}")
    return answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--env", default=None, help="a deployed stack's name")
    args = parser.parse_args()
    if not args.url.startswith("https://") and not os.environ.get("TELEGRAM_API_BASE_URL"):
        print("Telegram only calls https:// webhooks", file=sys.stderr)
        return 2
    values = stack_secrets(args.env) if args.env else {}
    token = values.get("TELEGRAM_BOT_TOKEN") or os.environ.get("TELEGRAM_BOT_TOKEN")
    secret = values.get("TELEGRAM_WEBHOOK_SECRET") or os.environ.get(
        "TELEGRAM_WEBHOOK_SECRET", LOCAL_SECRETS["TELEGRAM_WEBHOOK_SECRET"]
    )
    if not token:
        print("set TELEGRAM_BOT_TOKEN, or ENV=<stack> to read it from AWS", file=sys.stderr)
        return 2
    api_base = os.environ.get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org"
    try:
        answer = set_webhook(api_base, token, args.url, secret)
    except Exception as error:
        print(f"setWebhook failed: {error}", file=sys.stderr)
        return 1
    print(json.dumps({"webhook": args.url, "allowed_updates": ALLOWED_UPDATES, **answer}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
