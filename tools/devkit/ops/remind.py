"""`make remind [PORT=...] [NOW=...]`: one reminder sweep now, against the tables, the fake
Bot API and moto's SES of the running `make run` (on $PORT if given, else the only one
running). NOW (ISO 8601 with an offset) pretends the sweep runs then, for demos: the reminders
due at that moment go."""

import argparse
import json
import os
import sys
from datetime import datetime

from devkit.local.env import use_local_defaults
from devkit.local.runstate import NoServer, find, port_from_environment
from devkit.ops.seed import use_tables


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=port_from_environment())
    parser.add_argument("--now", default=os.environ.get("NOW") or None)
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now.replace("Z", "+00:00")) if args.now else None
    if now is not None and now.tzinfo is None:
        print("NOW needs an offset (e.g. 2030-01-10T17:30:00Z)", file=sys.stderr)
        return 2
    try:
        server = find(args.port)
    except NoServer as error:
        print(error, file=sys.stderr)
        return 2
    # The server's own origin for the reminders' links, as its PUBLIC_BASE_URL default is.
    os.environ.setdefault("PUBLIC_BASE_URL", server.endpoint)
    use_local_defaults()
    os.environ.update(server.tables)
    if server.telegram_api:
        os.environ["TELEGRAM_API_BASE_URL"] = server.telegram_api
    if server.ses_endpoint:
        os.environ["SES_ENDPOINT_URL"] = server.ses_endpoint
    use_tables(server.dynamodb_endpoint, os.environ["AWS_REGION"])
    from community.services.notifications import reminders

    report = reminders.sweep(now)
    print(json.dumps(report.as_dict()))
    print(f"sent to {os.environ.get('TELEGRAM_API_BASE_URL')} (GET /messages lists them)")
    print(f"emails through {os.environ.get('SES_ENDPOINT_URL')} (make mails lists them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
