"""`make app-url [TELEGRAM_ID=42] [NAME=Alice] [ADMIN=1] [EVENT=<id> [REF=UP-XXXXXX]]`: a link
that opens the Mini App in any browser as that member, signed in, on the running `make run` (its
dev launch page, /dev/launch, plays the Telegram client; docs/miniapp.md). With EVENT, the link
is a deep link's launch: the start parameter `e_<id>` (`e_<id>_r_<code>` with REF), as Telegram
passes it to a Mini App opened from t.me/<bot>/<app>?startapp=..., so the app opens on that event
and a newcomer's login records the referral.

The member logs in once through the API here, as the app will: the member then exists (ADMIN=1
makes them an admin, as `make make-admin` does) and a server that refuses the signed initData
(another TELEGRAM_BOT_TOKEN) is said here rather than in the browser. The link goes to stdout
alone (`xdg-open "$(make -s app-url)"`), what it is to stderr."""

import argparse
import json
import logging
import os
import sys
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode

from community import applinks
from community.entities import ADMIN_ROLE
from devkit.local.env import LOCAL_SECRETS, use_local_defaults
from devkit.local.initdata import DEV_SIGNATURE, signed_init_data
from devkit.local.runstate import NoServer, find, port_from_environment
from devkit.ops.seed import local_endpoint, use_tables

DEFAULT_MAX_AGE_SECONDS = 86_400  # AUTH_MAX_AGE_SECONDS' default (community.settings)


class Refused(Exception):
    """The server did not log the member in; the message says what to do."""


def post(url: str, headers: dict[str, str]) -> dict[str, object]:
    # http://127.0.0.1:<port>, from make run's own run file.
    request = urllib.request.Request(url, data=b"", method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            answer: dict[str, object] = json.loads(response.read())
            return answer
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:300]
        raise Refused(f"{url.split('?')[0]} answered {error.code}: {detail}") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise Refused(f"the server at {url.split('/api/')[0]} does not answer: {reason}") from error


def log_in(endpoint: str, init_data: str, telegram_id: int) -> None:
    answer = post(f"{endpoint}/api/auth/generate-code", {"Authorization": f"tma {init_data}"})
    post(f"{endpoint}/api/auth/callback?code={answer['code']}&telegram_id={telegram_id}", {})


def make_admin(port: int, telegram_id: int) -> None:
    """What `make make-admin` does, on the same server's tables."""
    use_local_defaults()
    use_tables(local_endpoint(port), os.environ["AWS_REGION"])
    from community.observability import logger
    from community.services.users import set_role

    # The service logs the change on stdout, which is the link's alone.
    for handler in logging.getLogger(logger.name).handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sys.stderr)
    set_role(telegram_id, ADMIN_ROLE)


def launch_url(endpoint: str, init_data: str, start_param: str | None = None) -> str:
    # In the fragment: never sent to a server, so never in a log.
    fields = {"tgWebAppData": init_data}
    if start_param:
        fields["tgWebAppStartParam"] = start_param
    return f"{endpoint}/dev/launch#{urlencode(fields, quote_via=quote)}"


def duration(seconds: int) -> str:
    return f"{seconds // 3600} h" if seconds % 3600 == 0 else f"{seconds} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--telegram-id", type=int, default=42)
    parser.add_argument("--name", default="Alice")
    parser.add_argument("--admin", action="store_true", help="make the member an admin too")
    parser.add_argument("--port", type=int, default=port_from_environment())
    parser.add_argument("--event", default="", help="open on this event (a deep link)")
    parser.add_argument("--ref", default="", help="with --event: the sharer's referral code")
    args = parser.parse_args()
    if not args.name.strip():
        print("NAME= is empty: a Telegram user has a first name", file=sys.stderr)
        return 2
    if args.ref and not args.event:
        print("REF= goes with EVENT=: a deep link names the event it opens", file=sys.stderr)
        return 2
    start_param = None
    if args.event:
        asked = applinks.Target(event_id=args.event, referral_code=args.ref or None)
        # Canonical (ULIDs upper case, UUIDs and codes as the API writes them), or refused.
        target = applinks.target_of(applinks.start_param(asked))
        if target.event_id is None or (args.ref and target.referral_code is None):
            print(
                f"EVENT={args.event!r} REF={args.ref!r}: not a deep link the app opens"
                " (EVENT= an event id, REF= a referral code UP-XXXXXX)",
                file=sys.stderr,
            )
            return 2
        start_param = applinks.start_param(target)
    try:
        server = find(args.port)
    except NoServer as error:
        print(f"make app-url opens the app on a running make run: {error}", file=sys.stderr)
        return 2
    token = os.environ.get("TELEGRAM_BOT_TOKEN") or LOCAL_SECRETS["TELEGRAM_BOT_TOKEN"]
    # As a Telegram client signs it (with the `signature` @telegram-apps/sdk requires), and with
    # the permission to write to the member, so `make remind` reaches them.
    init_data = signed_init_data(
        token,
        args.telegram_id,
        args.name,
        extra={"signature": DEV_SIGNATURE},
        allows_write_to_pm=True,
        start_param=start_param,
    )
    try:
        log_in(server.endpoint, init_data, args.telegram_id)
    except Refused as error:
        hint = " (is TELEGRAM_BOT_TOKEN the one make run has?)" if " 401" in str(error) else ""
        print(f"cannot sign in on {server.endpoint}: {error}{hint}", file=sys.stderr)
        return 1
    if args.admin:
        make_admin(server.port, args.telegram_id)
    max_age = int(os.environ.get("AUTH_MAX_AGE_SECONDS") or DEFAULT_MAX_AGE_SECONDS)
    print(launch_url(server.endpoint, init_data, start_param))
    role = "an admin" if args.admin else "a member"
    print(
        f"^ the Mini App as {args.name} (Telegram id {args.telegram_id}, {role}), in any browser"
        f" while make run runs on port {server.port}; its login is good for"
        f" {duration(max_age)} (AUTH_MAX_AGE_SECONDS), then run make app-url again",
        file=sys.stderr,
    )
    if start_param:
        print(f"  opened as a deep link: startapp={start_param}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
