"""A small Telegram Bot API client on urllib3 (already in the bundle through botocore: no new
dependency, no cold-start cost), with the API's limits built in: one shared pace for every
message (about 30 a second overall), a 429's `retry_after` honoured, 5xx and connection
failures retried a bounded number of times.

Outcomes are told apart by what they say about delivery, because the reminder sweep decides
from them whether a claimed reminder may ever be tried again:
- SENT: Telegram accepted it.
- BLOCKED: 403, the member blocked the bot (or deleted their account).
- REFUSED: another 4xx (chat not found, bad request): sending again cannot help.
- FAILED: certainly not delivered (5xx answers or no connection, every attempt).
- UNKNOWN: the request went out and no answer came (a read timeout, a dropped connection):
  Telegram may have delivered it, so it is never sent again (at most once).
"""

import enum
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError, ReadTimeoutError

Clock = Callable[[], float]
Sleep = Callable[[float], None]
# Bounds: a 429 is waited out at most this many times per message, a 5xx or a refused
# connection retried at most this many times; the sweep's deadline bounds the rest.
MAX_RATE_LIMITED = 5
MAX_FAILED_ATTEMPTS = 3
# The longest `retry_after` waited out inside one call; a longer one ends the message FAILED
# (released, so a later sweep tries again) rather than holding the whole sweep.
MAX_RETRY_AFTER_SECONDS = 60.0
# createChatInviteLink's `name`: 0-32 characters.
INVITE_LINK_NAME_CHARS = 32


class Outcome(enum.Enum):
    SENT = "sent"
    BLOCKED = "blocked"
    REFUSED = "refused"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    attempts: int
    status: int | None = None
    description: str = ""
    # What Telegram answered with (`result`) when SENT; the seconds a 429 asked to wait.
    result: Any = None
    retry_after: float | None = None


class Pacer:
    """Lets senders through at most `per_second` a second, whatever the number of threads; a
    429 holds every sender back for its `retry_after`, since the limit is the bot's, not a
    chat's. The gate is held while waiting and the next slot counts from the moment a sender
    really passed, so senders that wake late cannot go through in a burst."""

    def __init__(self, per_second: float, clock: Clock = time.monotonic, sleep: Sleep = time.sleep):
        self.interval = 1.0 / per_second
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self.clock()
            if now < self._next:
                self.sleep(self._next - now)
                now = max(self.clock(), self._next)
            self._next = now + self.interval

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._next = max(self._next, self.clock() + seconds)


class BotApi:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        pacer: Pacer | None = None,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.pacer = pacer
        self.sleep = sleep
        self.timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        # One pool for the container: connections to api.telegram.org are reused across calls.
        self._http = urllib3.PoolManager(maxsize=16, block=False)

    def call(self, method: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """One request, no retries: (HTTP status, decoded answer). Transport errors raise."""
        response = self._http.request(
            "POST",
            f"{self.base_url}/bot{self._token}/{method}",
            body=json.dumps(payload).encode(),
            headers={"content-type": "application/json"},
            timeout=self.timeout,
            retries=False,  # retried here, where a read timeout is known not to be retried
        )
        try:
            answer = json.loads(response.data or b"{}")
        except ValueError:
            answer = {}
        return response.status, answer if isinstance(answer, dict) else {}

    def send_message(self, payload: dict[str, Any]) -> SendResult:
        """`sendMessage` with the limits above; never raises for what Telegram or the network
        did (it is in the result)."""
        return self.request("sendMessage", payload)

    def save_prepared_inline_message(self, payload: dict[str, Any]) -> SendResult:
        """`savePreparedInlineMessage` (Bot API 8.0): a message a Mini App user may send with
        `shareMessage`; `result` is the PreparedInlineMessage ({id, expiration_date}). Asked
        while a member waits, so a 429 is not waited out here: it ends the call FAILED with
        its `retry_after`, for the caller to pass on."""
        return self.request("savePreparedInlineMessage", payload, max_retry_after=0.0)

    def request(
        self,
        method: str,
        payload: dict[str, Any],
        *,
        max_retry_after: float = MAX_RETRY_AFTER_SECONDS,
    ) -> SendResult:
        """One Bot API method with the limits above: the pace, a 429's `retry_after` waited
        out when no longer than `max_retry_after`, 5xx and refused connections retried."""
        attempts = rate_limited = failed = 0
        status: int | None = None
        description = ""
        while True:
            if self.pacer is not None:
                self.pacer.wait()
            attempts += 1
            try:
                status, answer = self.call(method, payload)
            except ReadTimeoutError:
                return SendResult(Outcome.UNKNOWN, attempts, None, "read timeout")
            except ConnectTimeoutError as error:  # includes NewConnectionError: never sent
                failed += 1
                description = type(error).__name__
                if failed >= MAX_FAILED_ATTEMPTS:
                    return SendResult(Outcome.FAILED, attempts, None, description)
                self.sleep(0.2 * 2**failed)
                continue
            except HTTPError as error:  # the connection broke after the request went out
                return SendResult(Outcome.UNKNOWN, attempts, None, type(error).__name__)
            description = str(answer.get("description", ""))[:200]
            if 200 <= status < 300 and answer.get("ok") is True:
                return SendResult(Outcome.SENT, attempts, status, result=answer.get("result"))
            if status == 429:
                rate_limited += 1
                retry_after = _retry_after(answer)
                if rate_limited > MAX_RATE_LIMITED or retry_after > max_retry_after:
                    return SendResult(
                        Outcome.FAILED, attempts, status, description, retry_after=retry_after
                    )
                if self.pacer is not None:
                    self.pacer.hold(retry_after)
                else:
                    self.sleep(retry_after)
                continue
            if status == 403:
                return SendResult(Outcome.BLOCKED, attempts, status, description)
            if status >= 500:
                failed += 1
                if failed >= MAX_FAILED_ATTEMPTS:
                    return SendResult(Outcome.FAILED, attempts, status, description)
                self.sleep(0.2 * 2**failed)
                continue
            return SendResult(Outcome.REFUSED, attempts, status, description)

    # Event chats (services/chats.py). Each is one paced request, 429s waited out as above.

    def get_chat_member(self, chat_id: int, user_id: int) -> tuple[SendResult, Any]:
        """A ChatMember: `status`, and for an "administrator" its rights (`can_invite_users`)."""
        sent = self.request("getChatMember", {"chat_id": chat_id, "user_id": user_id})
        return sent, sent.result

    def create_chat_invite_link(
        self, chat_id: int, name: str, *, creates_join_request: bool = True
    ) -> tuple[SendResult, Any]:
        """A ChatInviteLink (`invite_link`); `name` at most 32 characters (Telegram's limit)."""
        payload = {
            "chat_id": chat_id,
            "name": name[:INVITE_LINK_NAME_CHARS],
            "creates_join_request": creates_join_request,
        }
        sent = self.request("createChatInviteLink", payload)
        return sent, sent.result

    def approve_chat_join_request(self, chat_id: int, user_id: int) -> SendResult:
        return self.request("approveChatJoinRequest", {"chat_id": chat_id, "user_id": user_id})

    def decline_chat_join_request(self, chat_id: int, user_id: int) -> SendResult:
        return self.request("declineChatJoinRequest", {"chat_id": chat_id, "user_id": user_id})


def _retry_after(answer: dict[str, Any]) -> float:
    parameters = answer.get("parameters")
    value = parameters.get("retry_after") if isinstance(parameters, dict) else None
    return float(value) if isinstance(value, int | float) and value >= 0 else 1.0
