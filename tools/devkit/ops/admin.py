"""`make make-admin TELEGRAM_ID=...` (ROLE=member takes it back, ROLE=staff makes staff): the
way to the first admin; after that admins grant roles in the app (PUT
/api/v1/members/{referral_code}/role). Both go through services.users.set_role's path: one
transaction changes the role, keeps the count of admins (the last admin cannot be demoted,
here either: make another admin first) and writes the audit record, "by" `make make-admin`.

The member must have logged in once. The users table is on DYNAMODB_ENDPOINT_URL if set, else
the one a running `make run` of this checkout uses (on $PORT if given, else the only one
running); with neither, USERS_TABLE names a table in AWS, reached with the usual AWS
credentials (an operator's, not the API's)."""

import argparse
import os
import sys

from community.entities import ADMIN_ROLE, ROLES
from devkit.local.env import use_local_defaults
from devkit.local.runstate import NoServer, port_from_environment
from devkit.ops.seed import local_endpoint, use_tables
from devkit.template.reader import table_env_vars


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--telegram-id", type=int, required=True)
    parser.add_argument("--role", default=ADMIN_ROLE, choices=ROLES)
    parser.add_argument("--port", type=int, default=port_from_environment())
    args = parser.parse_args()
    try:
        endpoint: str | None = local_endpoint(args.port)
    except NoServer as error:
        endpoint, no_server = None, error
    if endpoint:
        use_local_defaults()
        use_tables(endpoint, os.environ["AWS_REGION"])
        where = endpoint
    elif os.environ.get("USERS_TABLE"):
        # Settings need every table name; only the users table is touched.
        for variable in table_env_vars():
            os.environ.setdefault(variable, "unused")
        where = f"AWS ({os.environ['USERS_TABLE']})"
    else:
        print(
            f"no users table: {no_server}, set DYNAMODB_ENDPOINT_URL, "
            "or set USERS_TABLE (and AWS credentials) for a deployed stack",
            file=sys.stderr,
        )
        return 2
    from community import startup
    from community.errors import CommunityError
    from community.services.users import set_role

    startup.start()  # use_tables did for a local server; for a deployed stack this does

    try:
        changed = set_role(args.telegram_id, args.role)
    except CommunityError as error:
        print(error.detail, file=sys.stderr)
        return 1
    if changed:
        print(f"Telegram id {args.telegram_id} is now {args.role} in {where}")
    else:
        print(f"Telegram id {args.telegram_id} was {args.role} already in {where}: nothing written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
