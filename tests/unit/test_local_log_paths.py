"""`make run`'s one log line per request: never a calendar feed's token (the path is the
credential there), never a query string; other paths as they are."""

import pytest

from devkit.local.httpserver import StrictHandler

TOKEN = "4W-N8lWO38IDGEdo1yUhaRXysQWY9D9RSMWSIteyy10"


def logged(path: str, capsys: pytest.CaptureFixture[str]) -> str:
    handler = object.__new__(StrictHandler)
    handler.command, handler.path = "GET", path
    handler.log_request(200)
    return capsys.readouterr().err


def test_a_feed_path_is_logged_as_its_route(capsys: pytest.CaptureFixture[str]) -> None:
    line = logged(f"/api/calendar/{TOKEN}.ics?x=1", capsys)
    assert line == "GET /api/calendar/{file} 200\n"
    assert TOKEN not in line


def test_other_paths_are_logged_without_their_query(capsys: pytest.CaptureFixture[str]) -> None:
    line = logged("/api/users/me/calendar?code=secret", capsys)
    assert line == "GET /api/users/me/calendar 200\n"
