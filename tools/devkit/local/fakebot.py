"""A fake Telegram Bot API on loopback, for `make run` and the tests: it records every call
(`GET /messages` lists the messages sent, with their arrival times) and can be told to answer
chosen chats with a 429, a 403, a 5xx or a late answer (`POST /control`).

    POST /bot<token>/sendMessage   recorded; answers {"ok": true, "result": {...}}
    POST /bot<token>/setWebhook    recorded; getWebhookInfo answers it back
    POST /bot<token>/getChatMember the bot an administrator that may invite users, unless
                                   told otherwise: {"chat_id": -100, "member": {...}}
    POST /bot<token>/createChatInviteLink  a new https://t.me/+... link asking to join
    POST /bot<token>/approveChatJoinRequest, declineChatJoinRequest  recorded
    POST /bot<token>/savePreparedInlineMessage
                                   recorded; answers a PreparedInlineMessage {id,
                                   expiration_date} (GET /prepared lists them)
    GET  /messages                 {"messages": [{"chat_id", "text", "reply_markup", "at"}...]}
    GET  /calls                    every call, any method
    GET  /prepared                 {"prepared": [{"user_id", "result", ..., "id",
                                   "expiration_date", "at"}...]}
    POST /control                  {"chat_id": 42, "script": [429, 200], "retry_after": 1}
                                   {"chat_id": 42, "script": ["late", 200], "delay": 2}
    POST /reset                    forget every call and script

A script is consumed one answer per call about that chat (sendMessage, approveChatJoinRequest,
...; savePreparedInlineMessage for that user: `chat_id` names the user); after it, chats get
a 200.
"late" records the message (Telegram accepted it) and answers only after `delay` seconds:
a client's read timeout after acceptance.

The webhook's own answers (a Bot API call in its response body, which Telegram runs) reach
the fake through `relay_answer`, as `make run` does after each webhook call: GET /calls shows
them with the rest."""

import argparse
import contextlib
import json
import secrets
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# The payload field a script's `chat_id` is matched against: the chat, or for a prepared
# message (which has no chat yet) its user.
SCRIPTED = {"savePreparedInlineMessage": "user_id"}
# How long the fake says a prepared message lasts (Telegram answers its own expiration_date).
PREPARED_LIFETIME = 24 * 3600
ERRORS = {
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
    400: "Bad Request: chat not found",
}
# What getChatMember says of anyone by default: an administrator who may invite users.
ADMINISTRATOR = {"status": "administrator", "can_invite_users": True, "can_be_edited": False}


class FakeBotApi:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.calls: list[dict[str, Any]] = []
        self.scripts: dict[int, list[Any]] = {}
        self.options: dict[int, dict[str, Any]] = {}
        self.webhook: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), self._handler_class())
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> "FakeBotApi":
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def messages(self) -> list[dict[str, Any]]:
        with self.lock:
            return [call["payload"] | {"at": call["at"]} for call in self.calls_of("sendMessage")]

    def prepared(self) -> list[dict[str, Any]]:
        with self.lock:
            return [
                call["payload"] | call["prepared"] | {"at": call["at"]}
                for call in self.calls_of("savePreparedInlineMessage")
            ]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        return [call for call in self.calls if call["method"] == method and call["recorded"]]

    def script(self, chat_id: int, answers: list[Any], **options: Any) -> None:
        with self.lock:
            self.scripts[chat_id] = list(answers)
            self.options[chat_id] = options

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.scripts.clear()
            self.options.clear()

    def answer(self, method: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        """(status, body, delay before answering) for one call, recorded as Telegram would."""
        with self.lock:
            chat_id = payload.get(SCRIPTED.get(method, "chat_id"))
            step: Any = 200
            if isinstance(chat_id, int) and self.scripts.get(chat_id):
                step = self.scripts[chat_id].pop(0)
            options = self.options.get(chat_id, {}) if isinstance(chat_id, int) else {}
            delivered = step in (200, "late")
            self.calls.append(
                {
                    "method": method,
                    "payload": payload,
                    "at": time.monotonic(),
                    "time": time.time(),
                    "recorded": delivered,
                    "answer": step,
                }
            )
            if method == "setWebhook":
                self.webhook = payload
            if delivered:
                result: Any = True
                if method == "sendMessage":
                    result = {"message_id": len(self.calls), "chat": {"id": chat_id}}
                if method == "getWebhookInfo":
                    result = {"url": self.webhook.get("url", ""), "pending_update_count": 0}
                if method == "getChatMember":
                    member = options.get("member", ADMINISTRATOR)
                    result = {**member, "user": {"id": payload.get("user_id"), "is_bot": True}}
                if method == "createChatInviteLink":
                    result = {
                        "invite_link": f"https://t.me/+{secrets.token_urlsafe(12)}",
                        "creator": {"id": 0, "is_bot": True, "first_name": "Community bot"},
                        "creates_join_request": bool(payload.get("creates_join_request")),
                        "is_primary": False,
                        "is_revoked": False,
                        **({"name": payload["name"]} if payload.get("name") else {}),
                    }
                if method == "savePreparedInlineMessage":
                    result = {
                        "id": f"prepared-{len(self.calls)}",
                        "expiration_date": int(time.time()) + PREPARED_LIFETIME,
                    }
                    self.calls[-1]["prepared"] = result
                delay = float(options.get("delay", 2.0)) if step == "late" else 0.0
                return 200, {"ok": True, "result": result}, delay
            retry_after = int(options.get("retry_after", 1))
            body: dict[str, Any] = {
                "ok": False,
                "error_code": step,
                "description": ERRORS.get(step, "Error").format(retry_after=retry_after),
            }
            if step == 429:
                body["parameters"] = {"retry_after": retry_after}
            return int(step), body, 0.0

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # the fake is quiet: what it saw is in GET /calls

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.startswith("/messages"):
                    self._send(200, {"messages": fake.messages()})
                elif self.path.startswith("/prepared"):
                    self._send(200, {"prepared": fake.prepared()})
                elif self.path.startswith("/calls"):
                    with fake.lock:
                        self._send(200, {"calls": list(fake.calls)})
                else:
                    self._send(404, {"ok": False, "description": "Not Found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                try:
                    payload = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    payload = None
                if not isinstance(payload, dict):
                    self._send(400, {"ok": False, "description": "Bad Request: not JSON"})
                    return
                if self.path == "/control":
                    chat_id = int(payload.pop("chat_id"))
                    fake.script(chat_id, list(payload.pop("script", [])), **payload)
                    self._send(200, {"ok": True})
                    return
                if self.path == "/reset":
                    fake.reset()
                    self._send(200, {"ok": True})
                    return
                parts = self.path.strip("/").split("/")
                if len(parts) != 2 or not parts[0].startswith("bot"):
                    self._send(404, {"ok": False, "description": "Not Found"})
                    return
                status, body, delay = fake.answer(parts[1], payload)
                if delay:
                    time.sleep(delay)
                # The client may have given up waiting: the point of a "late" answer.
                with contextlib.suppress(OSError):
                    self._send(status, body)

        return Handler


def relay_answer(base_url: str, token: str, body: bytes) -> dict[str, Any] | None:
    """What Telegram does with a webhook's answer naming a Bot API method: run it. Returns
    the fake's answer, or None when the body names no method."""
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return None
    if not isinstance(answer, dict) or not isinstance(answer.get("method"), str):
        return None
    payload = {key: value for key, value in answer.items() if key != "method"}
    request = urllib.request.Request(  # noqa: S310 (the loopback fake's own http URL)
        f"{base_url.rstrip('/')}/bot{token}/{answer['method']}",
        data=json.dumps(payload).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback)
            relayed: dict[str, Any] = json.loads(response.read() or b"{}")
    except OSError:
        return None
    return relayed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    fake = FakeBotApi(port=args.port)
    print(f"fake Bot API on {fake.url}", flush=True)
    fake.server.serve_forever()


if __name__ == "__main__":
    main()
