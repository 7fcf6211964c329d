"""`make mails [TO=address] [PORT=...]`: the emails the running `make run` sent, as moto's SES
recorded them (its `/moto-api/data.json`), oldest first, each with the links it holds:

    {"mails": [{"to": [...], "subject": ..., "body": ..., "links": ["http://..."]}]}

so a walk-through can follow a verification link: `make -s mails TO=... | python3 -c ...`."""

import argparse
import json
import os
import re
import sys
import urllib.request
from typing import Any

from devkit.local.runstate import NoServer, find, port_from_environment

LINK = re.compile(r"https?://[^\s\"'<>]+")


def sent(endpoint: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:  # noqa: S310 - loopback
        messages = json.load(response).get("ses", {}).get("Message", [])
    return [
        {
            "to": message["destinations"].get("ToAddresses", []),
            "subject": message["subject"],
            "body": message["body"],
            "links": list(dict.fromkeys(LINK.findall(message["body"]))),
        }
        for message in messages
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=port_from_environment())
    parser.add_argument("--to", default=os.environ.get("TO") or None)
    args = parser.parse_args()
    try:
        server = find(args.port)
    except NoServer as error:
        print(error, file=sys.stderr)
        return 2
    if not server.ses_endpoint:
        print(
            "this server records no SES endpoint: restart it (make stop; make start)",
            file=sys.stderr,
        )
        return 2
    mails = sent(server.ses_endpoint)
    if args.to:
        mails = [mail for mail in mails if args.to.lower() in (to.lower() for to in mail["to"])]
    print(json.dumps({"mails": mails}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
