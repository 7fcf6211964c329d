"""The outbox: a notice written in the same transaction as the change it tells of, so the
change is never made without its notice nor the notice without the change. A function fed by
the Notifications table's stream sends them."""

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from pynamodb.transactions import TransactWrite

from community.data.models import Notice

NOTICE_PREFIX = "NOTICE#"
# Long enough for any retry of the stream's batches; TTL removes them after.
NOTICE_TTL = timedelta(days=30)
PROMOTED = "promoted"


def add(
    transaction: TransactWrite,
    *,
    kind: str,
    event_id: str,
    member_id: str | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime,
) -> str:
    """Add to `transaction` the Put of one notice record; its id (the record's key)."""
    # Time-ordered (milliseconds), then random: unique without a read, in order when listed.
    notice_id = f"{int(now.timestamp() * 1000):013d}{secrets.token_hex(6)}"
    key = f"{NOTICE_PREFIX}{event_id}#{notice_id}"
    transaction.save(
        Notice(
            key,
            kind=kind,
            event_id=event_id,
            member_id=member_id,
            payload=None if payload is None else json.dumps(payload, sort_keys=True),
            created_at=now,
            expires_at=now + NOTICE_TTL,
        ),
        condition=Notice.pk.does_not_exist(),
    )
    return notice_id
