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

The start parameter (Telegram allows `A-Za-z0-9_-`, at most 512 characters) is one of:

- `UP-XXXXXX`: a bare referral code (the shared profile links' form): a referral, no event;
- `e_<event id>`: opens that event (a ULID or a UUID: neither has a `_`);
- `e_<event id>_r_<referral code>`: opens that event and, for a newcomer, records the referral
  exactly as a bare code is (an event card shared by a member: services/event_share.py).

Produced parameters are at most 50 characters (`e_` + a 36-character UUID + `_r_UP-XXXXXX`).
Read, it is `_`-separated key/value pairs, each key once, in any order, with unknown keys
ignored (a later key leaves old links working): an `e` that is not an event id, an `r` that is
not a referral code, a key twice, an odd number of parts or a character outside the set make
the whole parameter malformed: no event and no referral. A referral rides only beside an event
(`r_<code>` alone is neither). The Mini App reads it the same way (miniapp/src/startParam.ts;
both are tested with the vectors of miniapp/tests/start-params.json)."""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from community.settings import get_settings
from community.values import normalise_event_id, normalise_referral_code

START_PARAM_RE = re.compile(r"[A-Za-z0-9_-]{1,512}")
EVENT_KEY = "e"
REFERRAL_KEY = "r"
# The longest parameter start_param() makes: e_<UUID>_r_UP-XXXXXX.
MAX_PRODUCED_LENGTH = 2 + 36 + 3 + 9


@dataclass(frozen=True)
class Target:
    """Where a link opens the app: an event's screen (or the list), and for a newcomer's
    login the referral code that brought them."""

    event_id: str | None = None
    referral_code: str | None = None


def start_param(target: Target) -> str | None:
    if target.event_id is not None:
        param = f"{EVENT_KEY}_{target.event_id}"
        if target.referral_code is not None:
            param += f"_{REFERRAL_KEY}_{target.referral_code}"
        return param
    return target.referral_code


def target_of(param: str | None) -> Target:
    """What a start parameter opens: an event (with the referral it carries, if any), a
    referral alone (a bare code), or nothing (Target()) for anything malformed."""
    if not param:
        return Target()
    referral_code = normalise_referral_code(param)
    if referral_code is not None:
        return Target(referral_code=referral_code)
    pairs = _pairs(param)
    if pairs is None or EVENT_KEY not in pairs:
        return Target()
    event_id = normalise_event_id(pairs[EVENT_KEY])
    referral_code = None
    if REFERRAL_KEY in pairs:
        referral_code = normalise_referral_code(pairs[REFERRAL_KEY])
        if referral_code is None:
            return Target()
    if event_id is None:
        return Target()
    return Target(event_id=event_id, referral_code=referral_code)


def event_of(param: str | None) -> str | None:
    """The event a start parameter opens, or None: a referral code, no `e` key, or anything
    malformed (bad characters, an odd number of parts, a key twice, not an event id, an `r`
    that is not a referral code)."""
    return target_of(param).event_id


def referral_of(param: str | None) -> str | None:
    """The referral code a newcomer's login records from a start parameter: a bare code, or
    the `r` of a well-formed event link; None for anything else."""
    return target_of(param).referral_code


def _pairs(param: str) -> dict[str, str] | None:
    if not START_PARAM_RE.fullmatch(param):
        return None
    parts = param.split("_")
    if len(parts) % 2:
        return None
    keys = parts[::2]
    if len(set(keys)) != len(keys):
        return None
    return dict(zip(keys, parts[1::2], strict=True))


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
