"""The Mini App's built files (miniapp/dist) for `make run`, at /app/ as CloudFront serves them:
hashed assets cached for a year, index.html revalidated, any other /app/ path (a client-side
route) answered with index.html, and the same Content-Security-Policy (frame-ancestors for
Telegram's web clients included). `make miniapp` builds dist; `make run` builds it first when it
is missing or stale."""

import mimetypes
from functools import cache
from pathlib import Path

from devkit.template.reader import load_template

ROOT = Path(__file__).resolve().parents[3]
DIST = ROOT / "miniapp" / "dist"
PREFIX = "/app/"
# Client-side routes outside /app/: the old login link /auth/callback?code=X&telegram_id=Y.
APP_ROUTES = ("/auth/callback",)
IMMUTABLE = "public, max-age=31536000, immutable"
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html; charset=utf-8"}

Reply = tuple[int, dict[str, str], bytes]


@cache
def content_security_policy() -> str:
    """The policy CloudFront sends with the app (template.yaml's MiniAppHeadersPolicy), read
    from the template so the two cannot drift: a violation seen locally is one in AWS too."""
    policy = load_template()["Resources"]["MiniAppHeadersPolicy"]["Properties"]
    security = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    return str(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])


def is_app_path(path: str) -> bool:
    return path == "/app" or path.startswith(PREFIX) or path in APP_ROUTES


def page(status: int, title: str, text: str) -> Reply:
    """An error under /app/ is a page too (a browser or Telegram's webview shows it)."""
    from community.http.pages import message_page

    headers = {
        "content-type": TYPES[".html"],
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
    }
    return status, headers, message_page(title, text, link_url=None, link_text="").encode()


def serve(path: str, dist: Path = DIST) -> Reply:
    if path == "/app":
        return 301, {"location": PREFIX}, b""
    index = dist / "index.html"
    if not index.is_file():
        return page(503, "The Mini App is not built", "Run `make miniapp` (make run builds it).")
    relative = path[len(PREFIX) :] if path.startswith(PREFIX) else ""
    target = (dist / relative).resolve()
    if relative and target.is_file() and target.is_relative_to(dist.resolve()):
        suffix = target.suffix
        content_type = TYPES.get(suffix) or mimetypes.guess_type(target.name)[0]
        headers = {
            "content-type": content_type or "application/octet-stream",
            "cache-control": IMMUTABLE if relative.startswith("assets/") else "no-cache",
            "x-content-type-options": "nosniff",
        }
        return 200, headers, target.read_bytes()
    # CloudFront's rule (MiniAppRoutesFunction): a dot in the last segment asks for a file,
    # anything else is a client-side route.
    if "." in path.split("/")[-1]:
        return page(404, "Not found", "There is no such file in the Mini App.")
    headers = {
        "content-type": TYPES[".html"],
        "cache-control": "no-cache",
        "content-security-policy": content_security_policy(),
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
    }
    return 200, headers, index.read_bytes()
