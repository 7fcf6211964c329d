"""What `make run` itself answers when no function does: an API error is the API's JSON
(`{"success": false, "detail": ...}`), whether the server refused the request (414, 431, 413...)
or no route matched; a page path (/app/..., /u/...) is always HTML; and /u/<code>/ is the same
301 to /u/<code> that CloudFront's viewer-request function gives in AWS (the template's code run
in Node beside the local mirror on the same paths)."""

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.local_api import local_api
from support.template_facts import RESOURCES, behavior

from devkit.local import edge


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with local_api(tmp_path_factory.mktemp("errors"), DYNAMODB_ENDPOINT_URL=None) as url:
        yield url


def raw_get(base: str, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request as written (no client normalises `..` or `%2e`), read to the end."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=30) as connection:
        request = f"{method} {target} HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n"
        connection.sendall(request.encode("latin-1"))
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def api_error(headers: dict[str, str], body: bytes) -> str:
    """The detail of an error in the API's shape; fails on any other shape."""
    assert headers["content-type"] == "application/json", headers
    answer = json.loads(body)
    assert set(answer) == {"success", "detail"}, answer
    assert answer["success"] is False
    detail = answer["detail"]
    assert isinstance(detail, str)
    assert detail
    return detail


API_ERRORS = {
    "unknown-route": ("GET", "/no/such/route", 404),
    "root": ("GET", "/", 404),
    "unknown-method": ("TRACE", "/api/v1/events/upcoming", 404),
    "u-without-slash": ("GET", "/u", 404),
    "uri-too-long": ("GET", "/" + "a" * 70_000, 414),
}


@pytest.mark.parametrize("case", sorted(API_ERRORS))
def test_every_error_make_run_gives_itself_is_the_apis_json(base: str, case: str) -> None:
    method, target, status = API_ERRORS[case]

    answer_status, headers, body = raw_get(base, target, method)

    assert answer_status == status, body[:200]
    api_error(headers, body)
    assert headers["cache-control"] == "no-store"


PAGES = {
    # path: (status, what the page says)
    "/app/%2e%2e/x": (200, b'<div id="app">'),
    "/app/../x": (200, b'<div id="app">'),
    "/app/x.y/": (200, b'<div id="app">'),  # CloudFront's rule: no dot in the last segment
    "/app/events/01HZX3K9Q7M2N4P6R8S0T1V3W5": (200, b'<div id="app">'),
    "/app/assets/missing.js": (404, b"no such file"),
    "/app/%2e%2e/x.js": (404, b"no such file"),
    "/u/UP-ZZZZZZ": (404, b"Profile not found"),
    "/u/": (404, b"Profile not found"),
    "/u/UP-ZZZZZZ/more": (404, b"Profile not found"),
    "/u/%2e%2e/%2e%2e/etc": (404, b"Profile not found"),
}


@pytest.mark.parametrize("path", sorted(PAGES))
def test_a_page_path_is_always_html(base: str, path: str) -> None:
    status, headers, body = raw_get(base, path)

    assert (status, PAGES[path][1] in body) == (PAGES[path][0], True), body[:300]
    assert headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("path", ["/u/UP-ZZZZZZ/", "/u/UP-ZZZZZZ//", "/u/up-zzzzzz/"])
def test_a_profile_link_with_a_trailing_slash_moves_to_the_page(base: str, path: str) -> None:
    status, headers, _ = raw_get(base, path)

    assert status == 301
    assert headers["location"] == path.rstrip("/")
    status, headers, body = raw_get(base, headers["location"])
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b"Profile not found" in body  # the page itself (no member has this code)


EDGE_CASES = [
    "/u/UP-ABC123",
    "/u/UP-ABC123/",
    "/u/UP-ABC123///",
    "/u/up-abc123/",
    "/u/",
    "/u/a/b",
    "/u/a/b/",
    "/u//",
    "/u/%2e%2e/x",
]


def cloudfront_function(code: str, uris: list[str]) -> list[dict[str, object]]:
    """The template's function run in Node on a viewer-request event per URI."""
    script = (
        code
        + "\nconst uris = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        + "\nconsole.log(JSON.stringify(uris.map((uri) => handler({request: {uri,"
        + " method: 'GET', querystring: {}, headers: {}, cookies: {}}}))));"
    )
    result = subprocess.run(
        ["node", "-e", script],
        input=json.dumps(uris),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    answers: list[dict[str, object]] = json.loads(result.stdout)
    return answers


def test_cloudfront_and_make_run_treat_profile_paths_alike() -> None:
    # Given the viewer-request function the template puts on /u/*
    function = RESOURCES["ProfilePageRoutesFunction"]["Properties"]
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    (association,) = behavior("/u/*")["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    arn = association["FunctionARN"]
    assert arn == {"Fn::GetAtt": ["ProfilePageRoutesFunction", "FunctionMetadata.FunctionARN"]}

    # When it and make run's mirror see the same paths
    answers = cloudfront_function(function["FunctionCode"], EDGE_CASES)

    # Then both redirect the same ones to the same place, and pass the rest on alike
    for path, answer in zip(EDGE_CASES, answers, strict=True):
        location, origin_path = edge.profile_request(path)
        if location is None:
            assert answer.get("uri") == origin_path, (path, answer)
        else:
            assert answer.get("statusCode") == 301, (path, answer)
            headers = answer["headers"]
            assert isinstance(headers, dict)
            assert headers["location"] == {"value": location}, (path, answer)


def test_the_mini_app_not_built_is_a_page(tmp_path: Path) -> None:
    from devkit.local import static

    status, headers, body = static.serve("/app/events/x", dist=tmp_path)

    assert status == 503
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b"make miniapp" in body
