"""`make dev-init-data`: prints Telegram initData signed with the local bot token, so the login
can be tried with curl. Uses the same signing code the server verifies with."""

import argparse
import json
import os
import time
from urllib.parse import urlencode

from community.telegram import sign
from devkit.local.env import LOCAL_SECRETS

DEV_SIGNATURE = "bG9jYWwtZGV2LXNpZ25hdHVyZS1ub3QtY2hlY2tlZA"  # base64url, unchecked


def signed_init_data(
    bot_token: str,
    telegram_id: int,
    first_name: str,
    *,
    username: str | None = None,
    start_param: str | None = None,
    auth_date: int | None = None,
    extra: dict[str, str] | None = None,
    allows_write_to_pm: bool | None = None,
) -> str:
    user: dict[str, object] = {"id": telegram_id, "first_name": first_name}
    if username:
        user["username"] = username
    if allows_write_to_pm is not None:
        user["allows_write_to_pm"] = allows_write_to_pm
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        "auth_date": str(int(time.time()) if auth_date is None else auth_date),
        **(extra or {}),
    }
    if start_param:
        fields["start_param"] = start_param
    return urlencode({**fields, "hash": sign(fields, bot_token)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--telegram-id", type=int, default=42)
    parser.add_argument("--name", default="Alice")
    parser.add_argument("--username", default=None)
    parser.add_argument("--start-param", default=None)
    args = parser.parse_args()
    token = os.environ.get("TELEGRAM_BOT_TOKEN") or LOCAL_SECRETS["TELEGRAM_BOT_TOKEN"]
    # Telegram's clients add an Ed25519 `signature` (Bot API 8.0+); @telegram-apps/sdk refuses
    # initData without one, so this dummy one lets the output launch the Mini App locally too.
    extra = {"signature": DEV_SIGNATURE}
    print(
        signed_init_data(
            token,
            args.telegram_id,
            args.name,
            username=args.username,
            start_param=args.start_param,
            extra=extra,
            # As a Telegram client sends it once the member let the bot write to them, so the
            # local member gets the bot's reminders (make remind).
            allows_write_to_pm=True,
        )
    )


if __name__ == "__main__":
    main()
