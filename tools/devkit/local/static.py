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


def serve(path: str, dist: Path = DIST) -> Reply:
    if path == "/app":
        return 301, {"location": PREFIX}, b""
    index = dist / "index.html"
    if not index.is_file():
        message = b"The Mini App is not built: run `make miniapp` (make run builds it).\n"
        headers = {"content-type": "text/plain; charset=utf-8", "cache-control": "no-store"}
        return 503, headers, message
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
    if Path(relative).suffix:  # a missing file, not a route
        return 404, {"content-type": "text/plain; charset=utf-8"}, b"Not Found\n"
    headers = {
        "content-type": TYPES[".html"],
        "cache-control": "no-cache",
        "content-security-policy": content_security_policy(),
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
    }
    return 200, headers, index.read_bytes()
