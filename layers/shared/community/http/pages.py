"""The shareable profile page: server-rendered HTML, self-contained (inline styles, no
scripts), so Telegram's link preview and a phone browser both get everything in one response.
Every user-supplied string passes through `escape` before it reaches the page, in an element
with `dir="auto"`: a name in a right-to-left script sets its own direction."""

from datetime import datetime
from html import escape

STYLE = """
*{box-sizing:border-box;margin:0;padding:0}
body{min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px;
background:radial-gradient(circle at 20% 10%,#2b0a4d 0,#0a0a1a 55%) #0a0a1a;color:#e6f7ff;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.card{width:100%;max-width:380px;min-width:0;padding:32px 24px;border-radius:18px;text-align:center;
background:rgba(14,14,34,.92);border:1px solid #00f0ff55;
box-shadow:0 0 24px #00f0ff33,inset 0 0 24px #ff00e51a}
.avatar{width:112px;height:112px;border-radius:50%;object-fit:cover;margin:0 auto 18px;
display:block;border:3px solid #00f0ff;box-shadow:0 0 18px #00f0ff88}
.initial{display:flex;align-items:center;justify-content:center;font-size:48px;font-weight:700;
background:linear-gradient(135deg,#ff00e5,#00f0ff);color:#0a0a1a}
h1{font-size:26px;line-height:1.2;overflow-wrap:anywhere;text-shadow:0 0 10px #00f0ff99}
.role{display:inline-block;margin:12px 0 6px;padding:4px 12px;border-radius:999px;
font:600 12px/1.4 ui-monospace,Menlo,monospace;letter-spacing:.12em;text-transform:uppercase;
color:#ff4df0;border:1px solid #ff4df0}
.meta{color:#8fa3c0;font-size:14px;margin-top:8px}
.code{font:600 15px ui-monospace,Menlo,monospace;color:#00f0ff;margin-top:4px}
.join{display:block;margin-top:26px;padding:15px 20px;border-radius:12px;font-weight:700;
font-size:17px;text-decoration:none;color:#0a0a1a;
background:linear-gradient(90deg,#00f0ff,#ff00e5);box-shadow:0 0 20px #ff00e566}
"""


def _document(title: str, head: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title>{head}<style>{STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def profile_page(
    *,
    name: str,
    role: str,
    photo_url: str | None,
    referral_code: str,
    created_at: datetime,
    page_url: str,
    join_url: str,
    fallback_image_url: str,
) -> str:
    title = f"{name} on Community"
    description = (
        f"{name} ({role}) invites you to join the community. Referral code {referral_code}."
    )
    image = photo_url or fallback_image_url
    meta = {
        "og:type": "profile",
        "og:title": title,
        "og:description": description,
        "og:image": image,
        "og:url": page_url,
        "twitter:card": "summary",
        "twitter:title": title,
        "twitter:description": description,
        "twitter:image": image,
    }
    head = f'<meta name="description" content="{escape(description)}">' + "".join(
        f'<meta {"name" if key.startswith("twitter:") else "property"}="{key}" '
        f'content="{escape(value)}">'
        for key, value in meta.items()
    )
    avatar = (
        f'<img class="avatar" src="{escape(photo_url)}" alt="">'
        if photo_url
        else (
            '<div class="avatar initial" aria-hidden="true" dir="auto">'
            f"{escape(name[:1].upper())}</div>"
        )
    )
    body = (
        '<main class="card">'
        f'{avatar}<h1 dir="auto">{escape(name)}</h1>'
        f'<div class="role">{escape(role)}</div>'
        f'<p class="meta">Member since {created_at:%B %Y}</p>'
        f'<p class="code">{escape(referral_code)}</p>'
        f'<a class="join" href="{escape(join_url)}">Join on Telegram</a>'
        "</main>"
    )
    return _document(title, head, body)


def not_found_page() -> str:
    body = (
        '<main class="card"><h1>Profile not found</h1>'
        '<p class="meta">This link does not belong to any member. Check the code and try again.</p>'
        "</main>"
    )
    return _document("Profile not found", '<meta name="robots" content="noindex">', body)


def message_page(title: str, text: str, *, link_url: str | None, link_text: str) -> str:
    """A one-message page (the answer to an email verification link): a title, a sentence and
    optionally a button, in the profile page's style; noindex."""
    button = (
        f'<a class="join" href="{escape(link_url)}">{escape(link_text)}</a>' if link_url else ""
    )
    body = (
        f'<main class="card"><h1>{escape(title)}</h1>'
        f'<p class="meta">{escape(text)}</p>{button}</main>'
    )
    return _document(title, '<meta name="robots" content="noindex">', body)
