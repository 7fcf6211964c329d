"""A Telegram client for the Mini App's browser tests: it opens the app the way Telegram's
native clients do (launch parameters in the URL hash), records every event the app posts
through `window.TelegramWebviewProxy.postEvent`, answers the client requests (viewport, safe
areas, theme) as a client does, and sends events through `window.Telegram.WebView.receiveEvent`.
"""

import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from playwright.sync_api import Page

from devkit.local.env import LOCAL_DEFAULTS
from devkit.local.initdata import DEV_SIGNATURE, signed_init_data
from support.environment import ROOT

AXE = ROOT / "miniapp/node_modules/axe-core/axe.min.js"
# Any base64url value parses; Telegram's clients add an Ed25519 `signature` (Bot API 8.0+)
# and @telegram-apps/sdk refuses initData without one. The HMAC `hash` covers it.
SIGNATURE = DEV_SIGNATURE
BOTTOM_INSET = 34

LIGHT = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#6d6d72",
    "link_color": "#1a6fb5",
    "button_color": "#1a6fb5",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#efeff3",
    "section_bg_color": "#ffffff",
    "accent_text_color": "#1a6fb5",
    "subtitle_text_color": "#6d6d72",
    "destructive_text_color": "#c0392b",
    "section_separator_color": "#c8c7cc",
    "header_bg_color": "#ffffff",
    "bottom_bar_bg_color": "#ffffff",
}
DARK = {
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#8f9ba8",
    "link_color": "#6ab3f3",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#0e1621",
    "section_bg_color": "#17212b",
    "accent_text_color": "#6ab2f2",
    "subtitle_text_color": "#8f9ba8",
    "destructive_text_color": "#ef5b5b",
    "section_separator_color": "#111921",
    "header_bg_color": "#17212b",
    "bottom_bar_bg_color": "#17212b",
}

CLIENT_SCRIPT = """
(() => {
  const bottom = BOTTOM_INSET;
  window.__posted = [];
  const answer = (type, data) =>
    setTimeout(() => window.Telegram.WebView.receiveEvent(type, data), 0);
  window.TelegramWebviewProxy = {
    postEvent(type, data) {
      window.__posted.push([type, data === undefined ? null : data]);
      if (type === 'web_app_request_viewport')
        answer('viewport_changed',
          {height: innerHeight, width: innerWidth, is_expanded: true, is_state_stable: true});
      if (type === 'web_app_request_safe_area')
        answer('safe_area_changed', {top: 0, bottom, left: 0, right: 0});
      if (type === 'web_app_request_content_safe_area')
        answer('content_safe_area_changed', {top: 0, bottom: 0, left: 0, right: 0});
    },
  };
})();
""".replace("BOTTOM_INSET", str(BOTTOM_INSET))


# Every control a finger can reach on the page: [tag and text, width, height] (the browser tests
# want each at least 44 by 44 px).
TOUCH_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input, select, textarea, [role=button], [tabindex]:not([tabindex="-1"])')]
  .filter((el) => el.getClientRects().length > 0 && !el.closest('.visually-hidden'))
  .map((el) => { const r = el.getBoundingClientRect();
    return [el.tagName.toLowerCase() + ' ' + (el.textContent || el.name || '').trim().slice(0, 24),
            Math.round(r.width * 10) / 10, Math.round(r.height * 10) / 10]; })"""


def init_data(telegram_id: int, name: str, start_param: str | None = None) -> str:
    token = LOCAL_DEFAULTS["TELEGRAM_BOT_TOKEN"]
    return signed_init_data(
        token, telegram_id, name, start_param=start_param, extra={"signature": SIGNATURE}
    )


def launch_url(
    base: str,
    raw_init_data: str,
    theme: dict[str, str],
    path: str = "/app/",
    *,
    version: str = "8.0",
    platform: str = "android",
) -> str:
    """The URL a client opens: `version` is the Bot API version the client supports (the SDK
    offers what that version has), `platform` the client's ('android', 'ios', 'tdesktop')."""
    params = {
        "tgWebAppData": raw_init_data,
        "tgWebAppVersion": version,
        "tgWebAppPlatform": platform,
        "tgWebAppThemeParams": json.dumps(theme, separators=(",", ":")),
    }
    return f"{base}{path}#{urlencode(params, quote_via=quote)}"


def open_in_telegram(page: Page, url: str) -> None:
    page.add_init_script(CLIENT_SCRIPT)
    page.goto(url)


def posted(page: Page, event_type: str) -> list[Any]:
    """The data of each `event_type` the app posted so far (JSON strings parsed)."""
    events = page.evaluate("window.__posted")
    out = []
    for kind, data in events:
        if kind == event_type:
            out.append(json.loads(data) if isinstance(data, str) else data)
    return out


ANY = object()


def wait_posted(page: Page, event_type: str, data: Any = ANY, count: int = 1) -> None:
    """Wait until the app has posted `event_type` at least `count` times (the last one with
    `data`, if given): the app posts from effects and answers, after what a test sees on screen,
    and a loaded machine can hold them back."""
    page.wait_for_function(
        """([type, want, any, count]) => {
          const sorted = (v) => JSON.stringify(v, (k, x) => x && typeof x === 'object' &&
            !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x);
          const all = window.__posted.filter(([t]) => t === type);
          if (all.length < count) return false;
          if (any) return true;
          const last = all[all.length - 1][1];
          return sorted(typeof last === 'string' ? JSON.parse(last) : last) === sorted(want);
        }""",
        arg=[event_type, None if data is ANY else data, data is ANY, count],
    )


def send(page: Page, event_type: str, data: Any = None) -> None:
    page.evaluate("([t, d]) => window.Telegram.WebView.receiveEvent(t, d)", [event_type, data])


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core (the npm devDependency, from miniapp/node_modules) on the page as shown:
    the serious and critical violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def build_miniapp(log: Path) -> None:
    """`make miniapp`: npm ci + build when missing or stale (a no-op when current)."""
    with log.open("wb") as out:
        subprocess.run(
            ["make", "-s", "miniapp"],
            cwd=ROOT,
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
