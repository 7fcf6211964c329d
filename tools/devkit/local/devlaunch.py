"""The dev launch page of `make run` (`make app-url` prints its link): /dev/launch frames the
Mini App at /app/ the way Telegram Web does and plays the Telegram client around it (theme,
viewport, safe areas, MainButton, BackButton), so any browser opens the app as a signed-in
member. Its files are here, under tools/: none of it is in miniapp/dist or in AWS."""

from pathlib import Path

PAGE = Path(__file__).resolve().parent / "launch_page"
FILES = {
    "/dev/launch": ("launch.html", "text/html; charset=utf-8"),
    "/dev/launch.js": ("launch.js", "text/javascript"),
    "/dev/launch.css": ("launch.css", "text/css"),
}
# Its own files and the app's frame only; nothing may frame it.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)

Reply = tuple[int, dict[str, str], bytes]


def is_launch_path(path: str) -> bool:
    return path in FILES


def serve(path: str) -> Reply:
    name, content_type = FILES[path]
    headers = {
        "content-type": content_type,
        "cache-control": "no-cache",
        "content-security-policy": POLICY,
        "x-content-type-options": "nosniff",
        # The launch data (a member's signed initData) is in the URL's fragment, which is never
        # sent; this keeps the page's address out of other requests' Referer too.
        "referrer-policy": "no-referrer",
    }
    return 200, headers, (PAGE / name).read_bytes()
