"""The member journey over HTTP against `sam local start-api` (tests/e2e/test_sam_local.py):
login, profile, events and RSVPs, each step run only if its route is in template.yaml."""

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from devkit.functions.placeholders import PRODUCERS
from devkit.local.initdata import signed_init_data
from devkit.samlocal.docker import SamLocalError
from devkit.samlocal.sam import Stack
from devkit.template.reader import routes


def http(
    method: str, url: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def has_route(method: str, path: str) -> bool:
    return any(route.method in (method, "ANY") and route.pattern.match(path) for route in routes())


def walk_through(base: str, stack: Stack, telegram_id: int = 4343) -> list[str]:
    """The member journey over HTTP against `sam local start-api`: each step runs if its route
    is in template.yaml. Returns the steps that ran; raises on the first wrong answer."""
    ran: list[str] = []

    def expect(
        step: str, status: int, answer: tuple[int, dict[str, str], bytes], contains: str = ""
    ) -> Any:
        """The answer's JSON (or raw body). Fails the step on a wrong status, on a Lambda
        error body (start-api answers 200 with the runtime's error JSON when a function
        crashes, so the status alone proves little), or when `contains` is not in the body."""
        got, headers, body = answer
        if got != status:
            raise SamLocalError(f"{step}: expected {status}, got {got} {headers} {body[:2000]!r}")
        parsed: Any = body
        if headers.get("content-type", "").startswith("application/json") and body:
            parsed = json.loads(body)
            if isinstance(parsed, dict) and {"errorMessage", "errorType"} & parsed.keys():
                raise SamLocalError(f"{step}: the function failed: {body[:2000]!r}")
        if contains and contains.encode() not in body:
            raise SamLocalError(f"{step}: {contains!r} not in {body[:2000]!r}")
        ran.append(step)
        return parsed

    json_headers = {"content-type": "application/json"}
    name = "Walker"
    init_data = signed_init_data(stack.secrets["TELEGRAM_BOT_TOKEN"], telegram_id, name)
    path = "/api/auth/generate-code"
    if not has_route("POST", path):
        return ran
    issued = expect(
        "generate-code",
        200,
        http("POST", base + path, {**json_headers, "authorization": f"tma {init_data}"}),
    )
    path = "/api/auth/callback"
    if not has_route("POST", path):
        return ran
    query = f"?code={quote(issued['code'])}&telegram_id={telegram_id}"
    session = expect("callback", 200, http("POST", base + path + query, json_headers))
    bearer = {"authorization": f"Bearer {session['token']}"}
    referral_code = session["user"]["referral_code"]

    path = "/api/users/me"
    if has_route("GET", path):
        me = http("GET", base + path, bearer)
        expect("me", 200, me, contains=referral_code)
        etag = me[1].get("etag")
        if not etag:
            raise SamLocalError(f"me: no ETag in {me[1]}")
        expect("me-304", 304, http("GET", base + path, {**bearer, "if-none-match": etag}))

    path = f"/api/users/u/{quote(referral_code)}"
    if has_route("GET", path):
        expect("public-profile-json", 200, http("GET", base + path), contains=name)
    path = f"/u/{quote(referral_code)}"
    if has_route("GET", path):
        status, headers, body = http("GET", base + path, {"accept": "text/html"})
        html = headers.get("content-type", "").startswith("text/html")
        if status != 200 or not html or name.encode() not in body:
            raise SamLocalError(f"public-profile-html: {status} {headers} {body[:500]!r}")
        ran.append("public-profile-html")

    upcoming_path, detail_path = "/api/v1/events/upcoming", "/api/v1/events/{}"
    if has_route("GET", upcoming_path) or has_route("GET", detail_path.format("evt-x")):
        event_id = PRODUCERS["EVENT_ID"]()
        if has_route("GET", upcoming_path):
            # The fixtures run before this seed events of their own (some starting sooner, some
            # at the same time as this one and made earlier): follow the cursor to it.
            page = expect("events-upcoming", 200, http("GET", f"{base}{upcoming_path}?limit=50"))
            for _ in range(20):
                if event_id in {event["id"] for event in page["events"]} or not page["next_cursor"]:
                    break
                url = f"{base}{upcoming_path}?limit=50&cursor={quote(page['next_cursor'])}"
                page = expect("events-upcoming-next", 200, http("GET", url))
            if event_id not in {event["id"] for event in page["events"]}:
                raise SamLocalError(f"events-upcoming: {event_id} on no page")
        path = detail_path.format(event_id)
        if has_route("GET", path):
            expect("event-detail", 200, http("GET", base + path), contains=event_id)
        path = f"/api/v1/events/{event_id}/rsvp"
        has_state = has_route("GET", path)
        if has_state:
            expect("rsvp-state-none", 200, http("GET", base + path, bearer), contains='"none"')
        if has_route("POST", path):
            expect("rsvp", 201, http("POST", base + path, bearer), contains=event_id)
            expect("rsvp-again", 200, http("POST", base + path, bearer), contains=event_id)
            if has_state:
                going = http("GET", base + path, bearer)
                expect("rsvp-state-going", 200, going, contains='"going"')
                etag = going[1].get("etag")
                if not etag:
                    raise SamLocalError(f"rsvp-state-going: no ETag in {going[1]}")
                revalidated = http("GET", base + path, {**bearer, "if-none-match": etag})
                expect("rsvp-state-304", 304, revalidated)
            if has_route("GET", "/api/users/me/events"):
                mine = http("GET", base + "/api/users/me/events", bearer)
                expect("my-events", 200, mine, contains=event_id)
            if has_route("DELETE", path):
                shown = http("DELETE", base + path, {**bearer, "prefer": "return=representation"})
                expect("rsvp-cancel-shown", 200, shown, contains=event_id)
                expect("rsvp-cancel", 204, http("DELETE", base + path, bearer))
    if has_route("POST", "/api/v1/events"):
        # A member is no admin: the route refuses them before reading the body.
        refused = http("POST", base + "/api/v1/events", {**json_headers, **bearer})
        expect("admin-route-refuses-a-member", 403, refused, contains="admin role required")
    return ran
