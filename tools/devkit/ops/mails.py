"""`make mails [TO=address] [PORT=...]`: the emails the running `make run` sent, as moto's SES
recorded them (its `/moto-api/data.json`), oldest first, each with the links it holds and the
files it carries (a reminder's or a notice's .ics):

    {"mails": [{"to": [...], "subject": ..., "body": ..., "links": ["http://..."],
                "attachments": [{"filename": "board-games.ics",
                                 "content_type": "text/calendar; charset=\"utf-8\"; ...",
                                 "bytes": 612, "text": "BEGIN:VCALENDAR..."}]}]}

so a walk-through can follow a verification link: `make -s mails TO=... | python3 -c ...`.
`parse` reads one recorded mail back (the tests' outbox uses it too)."""

import argparse
import email
import json
import os
import re
import sys
import urllib.request
from email import policy
from email.message import EmailMessage
from typing import Any

from devkit.local.runstate import NoServer, find, port_from_environment

LINK = re.compile(r"https?://[^\s\"'<>]+")


def parse(message: dict[str, Any]) -> dict[str, Any]:
    """One mail as moto's SES recorded it: every mail goes as a raw MIME message
    (community/gateways/mail.py), parsed here into its headers' values, its text (`body`, the
    links' source), its HTML and its attachments' bytes; a Simple one (older code) as it is."""
    if "raw_data" not in message:
        return {
            "to": message["destinations"].get("ToAddresses", []),
            "subject": message["subject"],
            "body": message["body"],
            "html": "",
            "source": message["source"],
            "attachments": [],
            "headers": [],
        }
    parsed = email.message_from_string(message["raw_data"], policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    return {
        # moto adds the To header's addresses to the envelope's: the same address twice
        "to": list(dict.fromkeys(message["destinations"])),
        # Unfolded, less the folding white space before it: the standard library folds a value
        # that fits on a line of its own onto the next one ("Subject:" CRLF SP value), and
        # unfolds it back with that space, which mail clients do not show.
        "subject": str(parsed["Subject"]).lstrip(" \t"),
        # The text as written: the message's CRLF line ends are the wire's, not the text's.
        "body": text.get_content().replace("\r\n", "\n") if text else "",
        "html": html.get_content().replace("\r\n", "\n") if html else "",
        "source": message["source"],
        "attachments": [
            {
                "filename": part.get_filename(),
                "content_type": str(part["Content-Type"]),
                "data": part.get_payload(decode=True),
            }
            for part in parsed.iter_attachments()
            if isinstance(part, EmailMessage)
        ],
        "headers": [name for name, _ in parsed.items()],
        "raw": message["raw_data"],
    }


def sent(endpoint: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:  # noqa: S310 - loopback
        recorded = json.load(response).get("ses", {})
    mails = [
        parse(message) for message in recorded.get("Message", []) + recorded.get("RawMessage", [])
    ]
    return [
        {
            "to": mail["to"],
            "subject": mail["subject"],
            "body": mail["body"],
            "links": list(dict.fromkeys(LINK.findall(mail["body"]))),
            "attachments": [
                {
                    "filename": attachment["filename"],
                    "content_type": attachment["content_type"],
                    "bytes": len(attachment["data"]),
                    # A calendar file is text to read (its SEQUENCE, its STATUS): shown whole.
                    **(
                        {"text": attachment["data"].decode("utf-8", "replace")}
                        if attachment["content_type"].startswith("text/")
                        else {}
                    ),
                }
                for attachment in mail["attachments"]
            ],
        }
        for mail in mails
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
