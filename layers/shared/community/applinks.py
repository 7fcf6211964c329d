"""Every link into the Mini App, built here, so the bot's replies, the notices (Telegram and
email) and the pages open the same screen the same way, always inside Telegram with launch
data (a plain link to /app/... opens a browser, where the app can only say "open me in
Telegram"):

- in a private chat with the bot, a `web_app` button: Telegram opens PUBLIC_BASE_URL/app/...
  (the event's own path) as the Mini App at once;
- anywhere else (a group, an email, a shared page), the direct link JOIN_URL_TEMPLATE with the
  start parameter as `{code}` (`https://t.me/<bot>/<app>?startapp=<param>`): Bot API `web_app`
  buttons are allowed in private chats only, and only a direct link carries a start parameter
  (a referral must reach the login in the signed initData's `start_param`).

The start parameter (Telegram allows `A-Za-z0-9_-`, at most 512 characters) is `_`-separated
key/value pairs: `e_<event id>` opens that event (ULIDs and UUIDs have no `_`); a bare referral
code (`UP-XXXXXX`, the shared profile links' form) is a referral and no event. Unknown keys are
ignored, so a later key (a referral beside the event, `e_<id>_r_<code>`) leaves old links
working. The Mini App reads it the same way (miniapp/src/startParam.ts; both are tested
with the vectors of miniapp/tests/start-params.json)."""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from community.settings import get_settings
from community.values import normalise_event_id

START_PARAM_RE = re.compile(r"[A-Za-z0-9_-]{1,512}")
EVENT_KEY = "e"


@dataclass(frozen=True)
class Target:
    """Where a link opens the app: an event's screen (or the list), and for a newcomer's
    login the referral code that brought them."""

    event_id: str | None = None
    referral_code: str | None = None


def start_param(target: Target) -> str | None:
    if target.event_id is not None:
        return f"{EVENT_KEY}_{target.event_id}"
    return target.referral_code


def event_of(param: str | None) -> str | None:
    """The event a start parameter opens, or None: a referral code, no `e` key, or anything
    malformed (bad characters, an odd number of parts, a key twice, not an event id)."""
    if not param or not START_PARAM_RE.fullmatch(param):
        return None
    parts = param.split("_")
    if len(parts) % 2:
        return None
    keys = parts[::2]
    if len(set(keys)) != len(keys):
        return None
    raw = dict(zip(keys, parts[1::2], strict=True)).get(EVENT_KEY)
    return normalise_event_id(raw) if raw else None


def web_app_url(target: Target) -> str:
    """The Mini App's own URL for the target (a web_app button's): routed by path."""
    base = f"{str(get_settings().public_base_url).rstrip('/')}/app/"
    return f"{base}events/{target.event_id}" if target.event_id else base


def direct_link(target: Target) -> str:
    """`https://t.me/<bot>/<app>?startapp=<param>` (JOIN_URL_TEMPLATE); without a parameter,
    the template's other query parameters kept."""
    settings = get_settings()
    param = start_param(target)
    return settings.join_url(param) if param else settings.mini_app_url()


def button(text: str, target: Target, *, private_chat: bool) -> dict[str, Any]:
    """An inline keyboard button opening the app at the target: a web_app button in a private
    chat, unless a referral must ride along; the direct link otherwise."""
    if private_chat and target.referral_code is None:
        return {"text": text, "web_app": {"url": web_app_url(target)}}
    return {"text": text, "url": direct_link(target)}


def bot_username() -> str | None:
    """The bot's username, from a direct link template on t.me (`t.me/<bot>/<app>`), if it
    is one: what a group command addressed to this bot ends with (`/events@<bot>`)."""
    parts = urlsplit(get_settings().join_url_template)
    segments = [segment for segment in parts.path.split("/") if segment]
    if parts.hostname in ("t.me", "telegram.me") and segments:
        return segments[0]
    return None
