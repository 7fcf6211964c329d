"""One-time login codes: stored by hash, redeemed by one conditional delete."""

from datetime import datetime

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import DeleteError

from community.data.backend import CONDITION_FAILED, backend_errors, response_code
from community.data.models import AuthCode
from community.entities import PendingLogin
from community.telegram import TelegramUser


def _item(record: PendingLogin) -> AuthCode:
    user = record.user
    return AuthCode(
        record.code_hash,
        telegram_id=user.telegram_id,
        name=user.name,
        username=user.username,
        photo_url=user.photo_url,
        start_param=user.start_param,
        allows_write_to_pm=user.allows_write_to_pm,
        expires_at=record.expires_at,
    )


def _record(item: AuthCode) -> PendingLogin:
    user = TelegramUser(
        telegram_id=int(item.telegram_id),
        name=item.name,
        username=item.username,
        photo_url=item.photo_url,
        allows_write_to_pm=bool(item.allows_write_to_pm),
        start_param=item.start_param,
    )
    return PendingLogin(code_hash=item.code_hash, user=user, expires_at=item.expires_at)


def store(record: PendingLogin) -> None:
    with backend_errors():
        _item(record).save(condition=AuthCode.code_hash.does_not_exist())


def redeem(code_hash: str, telegram_id: int, now: datetime) -> PendingLogin | None:
    """Delete the code if it exists, belongs to `telegram_id` and has not expired, and return
    what it held; None when any of that fails. The expiry is checked here because TTL deletion
    can lag by days; a mismatched telegram_id fails the condition and leaves the code intact."""
    condition = (
        AuthCode.code_hash.exists()
        & (AuthCode.telegram_id == telegram_id)
        & (AuthCode.expires_at > now)
    )
    with backend_errors():
        try:
            response = AuthCode._get_connection().delete_item(
                code_hash, condition=condition, return_values=ALL_OLD
            )
        except DeleteError as error:
            if response_code(error) == CONDITION_FAILED:
                return None
            raise
    return _record(AuthCode.from_raw_data(response["Attributes"]))


def restore(record: PendingLogin) -> None:
    """Put back a code whose login failed after redemption, so the member can retry with it."""
    store(record)
