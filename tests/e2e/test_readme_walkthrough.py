"""The README's walk-through, as a new user pastes it: its `<!-- walkthrough -->` bash blocks, in
order, in one `bash -e` shell, in a copy of the checkout with no .local/ (the venv is shared:
tests/e2e/test_makefile.py covers its set-up), on a free port. Every answer is checked through
the server's own log, and every route of template.yaml must be exercised."""

import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.environment import ROOT
from support.processes import free_port

from devkit.local.runstate import alive
from devkit.local.server import match
from devkit.template.reader import routes

# Routes the walk-through deliberately leaves out, with the reason. None today.
NOT_WALKED: dict[tuple[str, str], str] = {}

# What each route must have answered in the walk-through (all of them, in any order).
EXPECTED = {
    ("POST", "/api/auth/generate-code"): {200},
    ("POST", "/api/auth/callback"): {200},
    ("GET", "/api/users/me"): {200, 304},
    ("POST", "/api/users/me/refresh"): {200},
    ("PATCH", "/api/users/me"): {200, 429},
    ("GET", "/api/users/me/email/verify"): {200, 410},
    ("GET", "/api/users/u/{referral_code}"): {200},
    ("GET", "/u/{referral_code}"): {200},
    ("GET", "/api/v1/events/upcoming"): {200},
    ("GET", "/api/v1/events/{event_id}"): {200},
    ("GET", "/api/v1/events/{event_id}/calendar.ics"): {200},
    ("POST", "/api/v1/events/{event_id}/rsvp"): {201},
    ("GET", "/api/v1/events/{event_id}/rsvp"): {200},
    ("DELETE", "/api/v1/events/{event_id}/rsvp"): {200},
    # The sample event has spots left: RSVP instead (tests/integration/test_waitlist.py: 201).
    ("POST", "/api/v1/events/{event_id}/waitlist"): {409},
    ("DELETE", "/api/v1/events/{event_id}/waitlist"): {204},
    ("GET", "/api/users/me/events"): {200},
    ("GET", "/api/users/me/calendar"): {200},
    ("POST", "/api/users/me/calendar/reset"): {200},
    # The feed, then its old address after the reset (make run logs the route, not the token).
    ("GET", "/api/calendar/{file}"): {200, 404},
    ("POST", "/api/v1/events"): {201},
    ("PATCH", "/api/v1/events/{event_id}"): {200},
    ("DELETE", "/api/v1/events/{event_id}"): {204},
    ("POST", "/api/telegram/webhook"): {200, 401},
    # The walk-through's member, admin by make make-admin: admin again changes nothing (200),
    # member would leave no admin (409).
    ("PUT", "/api/v1/members/{referral_code}/role"): {200, 409},
    ("GET", "/api/v1/members/roles"): {200},
    ("POST", "/api/v1/events/{event_id}/share"): {200},
    ("GET", "/api/v1/referrals/top"): {200},
    # The door, at an event starting within the hour that the (admin) member is going to: the
    # ticket, its scan (201; scanned again with another Idempotency-Key, 409), the attendees.
    ("GET", "/api/v1/events/{event_id}/ticket"): {200},
    ("POST", "/api/v1/events/{event_id}/checkins"): {201, 409},
    ("GET", "/api/v1/events/{event_id}/attendees"): {200},
}
REQUEST_LINE = re.compile(r"^([A-Z]+) (/\S*) (\d{3})$", re.MULTILINE)


def walkthrough_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"<!-- walkthrough -->\n```bash\n(.*?)```", readme, re.DOTALL)


def copy_of_checkout(destination: Path) -> Path:
    """The files a clone would have (tracked, plus new ones not ignored), the venv linked."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if name == ".venv" or not source.is_file():
            continue  # the venv (a link in a worktree) is linked below; deleted files skipped
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)  # keeps mtimes: make must find the venv's stamp current
    (destination / ".venv").symlink_to((ROOT / ".venv").resolve())
    return destination


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[Path]:
    copy = copy_of_checkout(tmp_path / "fresh")
    yield copy
    # Whatever the walk-through left running (it fails before `make stop`): stop it.
    for run_file in (copy / ".local").glob("run-*.json"):
        pid = int(re.search(r'"pid": (\d+)', run_file.read_text()).group(1))  # type: ignore[union-attr]
        if alive(pid):
            os.kill(pid, signal.SIGTERM)


def test_the_readme_walkthrough_runs_as_pasted_and_covers_every_route(checkout: Path) -> None:
    # Given the README's walk-through blocks, a copy of the checkout and a free port
    blocks = walkthrough_blocks()
    assert len(blocks) >= 5, "the walk-through blocks are marked <!-- walkthrough -->"
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "PORT": str(port),  # as a user who exported PORT=... before `make start`
    }

    # When they run in one shell, echoed as they run (-v) for the transcript
    result = subprocess.run(
        ["bash", "-ev"],
        input="".join(blocks),
        cwd=checkout,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    transcript = result.stdout
    (checkout.parent / "transcript.txt").write_text(transcript)

    # Then every step succeeded, the values were extracted, and the server was stopped
    assert result.returncode == 0, transcript[-4000:]
    assert f"API on http://127.0.0.1:{port}" in transcript
    assert '"token"' in transcript
    assert re.search(r'"referral_code":\s*"UP-[A-Z0-9]{6}"', transcript), transcript[-4000:]
    assert "HTTP/1.1 304" in transcript
    assert "loaded 1 events into community-events" in transcript
    assert "Seeded workshop" in transcript
    assert re.search(r'"rsvp":\s*\{"status":\s*"going"', transcript), transcript[-4000:]
    assert "Telegram id 42 is now admin" in transcript
    assert re.search(r'"method":\s*"sendMessage".*startapp=UP-[A-Z0-9]{6}', transcript)
    assert re.search(r'"sent": 1,', transcript), transcript[-4000:]
    assert re.search(r'"sent": 0, "already_claimed": 1,', transcript), transcript[-4000:]
    # The webhook's answer to /start (chat 7, relayed to the fake as Telegram runs it), then
    # the reminder to Alice.
    assert re.search(
        r'"messages": \[\{"chat_id": 7, .*\{"chat_id": 42, "text": "Reminder: ', transcript
    )
    # Email: the link verified the address once, and the sweep emailed the reminder, once
    assert re.search(r'"email":\s*"alice@example.com",\s*"email_verified":\s*true', transcript)
    assert "this verification link has already been used" in transcript
    assert re.search(r'"email": \{"recipients": 1, "sent": 1,', transcript), transcript[-4000:]
    assert re.search(r'"email": \{"recipients": 1, "sent": 0, "already_claimed": 1,', transcript)
    assert "starts in 30 minutes" in transcript
    assert f"stopped the API on port {port}" in transcript
    assert not list((checkout / ".local").glob("run-*.json"))
    assert "Traceback" not in transcript

    # And the server's log shows each route answering as the walk-through expects
    log = (checkout / ".local/run.log").read_text()
    answered: dict[tuple[str, str], set[int]] = {}
    for method, path, status in REQUEST_LINE.findall(log):
        matched = match(method, path.split("?", 1)[0])
        assert matched is not None, f"{method} {path}: no such route"
        answered.setdefault((method, matched[0].path), set()).add(int(status))
    template_routes = {(route.method, route.path) for route in routes()}
    assert set(EXPECTED) == template_routes - set(NOT_WALKED), "update EXPECTED for new routes"
    for route, statuses in EXPECTED.items():
        assert answered.get(route) == statuses, (route, answered.get(route))
