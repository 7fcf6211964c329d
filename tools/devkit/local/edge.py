"""What CloudFront does to a profile page request before the API sees it, for `make run`: the
viewer-request function ProfilePageRoutesFunction of template.yaml, mirrored (a test runs the
template's code in Node beside this one on the same paths).

`/u/<code>/` (a trailing slash a chat app or a person added) is a 301 to `/u/<code>`, the one
address of the page; any other path under /u/ that is not one segment (`/u/`, `/u/a/b`) goes to
the profile function as `/u/-`, a code no member has, so it gets the page's own HTML 404 rather
than API Gateway's JSON one."""

import re

TRAILING_SLASH = re.compile(r"^(/u/[^/]+)/+$")
ONE_SEGMENT = re.compile(r"^/u/[^/]+$")
NO_SUCH_PROFILE = "/u/-"
# CloudFront caches nothing a viewer-request function answers; browsers keep it this long.
REDIRECT_MAX_AGE = 86_400


def profile_request(path: str) -> tuple[str | None, str]:
    """For a path under /u/: (where to redirect, or None; the path the origin is asked)."""
    trailing = TRAILING_SLASH.match(path)
    if trailing:
        return trailing.group(1), path
    if ONE_SEGMENT.match(path):
        return None, path
    return None, NO_SUCH_PROFILE


def is_profile_path(path: str) -> bool:
    return path.startswith("/u/")
