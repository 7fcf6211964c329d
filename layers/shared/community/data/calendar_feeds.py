"""Calendar feed tokens as stored (community/signed/feed_tokens.py says what a token is): a
`CALENDAR#<token hash>` guard item naming the member whose feed the token opens, and on the
member's item the nonce the token is derived from and the same hash. Both change together, in
one transaction, on the condition that the member's hash is still the one read: two first
requests at once leave one token, and a reset leaves the old hash nowhere."""

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from community.data.backend import ITEM_CONDITION_FAILED, backend_errors, cancellation_codes
from community.data.models import CALENDAR_GUARD_PREFIX, CalendarGuard, User, connection
from community.data.users import user_key
from community.errors import ServiceUnavailable

# Another transaction held one of the items: read again and retry.
RACED = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


def guard_key(token_hash: str) -> str:
    return f"{CALENDAR_GUARD_PREFIX}{token_hash}"


def owner(token_hash: str) -> str | None:
    """The id of the member whose feed the token with this hash opens, or None: one strongly
    consistent GetItem, so a token is unknown from the moment its reset commits."""
    with backend_errors():
        try:
            guard = CalendarGuard.get(
                guard_key(token_hash), consistent_read=True, attributes_to_get=["user_id"]
            )
        except CalendarGuard.DoesNotExist:
            return None
    return guard.user_id


def issue(
    telegram_id: int, user_id: str, nonce: str, token_hash: str, previous_hash: str | None
) -> bool:
    """Make `token_hash` the member's feed token, with its `nonce`, in one transaction: the
    new guard put (on no such guard yet), the previous one (`previous_hash`, as read) deleted,
    and the member's nonce and hash set on the condition that the hash is still
    `previous_hash` (unset for a first token). False when it was not: another request issued
    or reset the token since it was read (nothing written; read again)."""
    key = user_key(telegram_id)
    same = (
        User.calendar_hash.does_not_exist()
        if previous_hash is None
        else User.calendar_hash == previous_hash
    )
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            if previous_hash is not None:
                transaction.delete(
                    CalendarGuard(guard_key(previous_hash)),
                    # Only the member's own (or one already gone: a reset must never jam).
                    condition=CalendarGuard.pk.does_not_exist() | (CalendarGuard.user_pk == key),
                )
            transaction.save(
                CalendarGuard(guard_key(token_hash), user_pk=key, user_id=user_id),
                condition=CalendarGuard.pk.does_not_exist(),
            )
            transaction.update(
                User(key),
                actions=[User.calendar_nonce.set(nonce), User.calendar_hash.set(token_hash)],
                condition=User.pk.exists() & (User.id == user_id) & same,
            )
    except TransactWriteError as error:
        codes = set(filter(None, cancellation_codes(error)))
        if ITEM_CONDITION_FAILED in codes or codes & RACED:
            return False
        raise ServiceUnavailable() from error
    return True
