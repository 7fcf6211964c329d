"""`make run`'s server at the HTTP level: malformed and hostile requests over a raw socket get
the status a real server gives, with a JSON body, and never a traceback in the server's log; a
busy port is one line, found before any DynamoDB work; /docs is Swagger UI served offline."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from support.environment import ROOT
from support.local_api import local_api, request
from support.telegram_updates import long_reply_update

from devkit.local.httpserver import MAX_BODY_BYTES


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """One server for the module, and its log (stdout and stderr)."""
    log_dir = tmp_path_factory.mktemp("protocol")
    with local_api(log_dir, DYNAMODB_ENDPOINT_URL=None) as base:
        yield base, log_dir / f"local-api-{urlsplit(base).port}.log"


def exchange(base: str, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes and half-close, as a client with nothing more to say does; read the
    reply until the server closes: status, headers, body."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    assert reply, "empty reply"
    head, _, body = reply.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("iso-8859-1").split("\r\n")
    assert re.fullmatch(r"HTTP/1\.1 \d{3} .+", status_line), status_line
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


POST = b"POST /api/auth/callback HTTP/1.1\r\nHost: local\r\n"
HOSTILE = {
    "request-line-over-64-kb": (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", {414}),
    "http-9.9": (b"GET / HTTP/9.9\r\nHost: local\r\n\r\n", {505}),
    "garbage-request-line": (b"\x16\x03\x01 garbage\x00\xff here now\r\n\r\n", {400}),
    "one-word-request-line": (b"HELLO\r\n\r\n", {400}),
    "no-http-version": (b"GET /\r\n\r\n", {400}),
    "bad-version-syntax": (b"GET / HTTP/1.x\r\n\r\n", {400}),
    "content-length-negative": (POST + b"Content-Length: -5\r\n\r\n", {400}),
    "content-length-not-a-number": (POST + b"Content-Length: abc\r\n\r\n", {400}),
    "content-length-conflicting": (
        POST + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        {400},
    ),
    "content-length-and-chunked": (
        POST + b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
        {400},
    ),
    "unknown-transfer-encoding": (POST + b"Transfer-Encoding: gzip\r\n\r\n", {501}),
    "invalid-chunk-size": (POST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", {400}),
    "body-over-the-limit": (POST + f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode(), {413}),
    "body-over-the-limit-with-expect-100": (
        POST + f"Content-Length: {MAX_BODY_BYTES + 1}\r\nExpect: 100-continue\r\n\r\n".encode(),
        {413},
    ),
    "body-shorter-than-declared": (
        POST + b"Content-Length: 10\r\n\r\n{}",
        {400},
    ),
    "header-line-over-64-kb": (POST + b"X-Big: " + b"b" * 70_000 + b"\r\n\r\n", {431}),
    "more-than-100-headers": (
        POST + b"".join(b"X-%d: 1\r\n" % i for i in range(101)) + b"\r\n",
        {431},
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_request_gets_a_json_error_and_no_traceback(
    server: tuple[str, Path], case: str
) -> None:
    # Given the running server
    base, log = server
    data, statuses = HOSTILE[case]

    # When the request is sent over a raw socket
    status, headers, body = exchange(base, data)

    # Then the answer is the status a real server gives, JSON, and the connection is closed
    assert status in statuses, (status, body)
    assert headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert answer["success"] is False, answer  # the API's error shape
    assert answer["detail"], answer
    assert headers["connection"] == "close"
    # And the server logged one line for it, no traceback, and still serves
    assert "Traceback" not in log.read_text(errors="replace")
    assert request("GET", f"{base}/api/v1/events/upcoming?limit=1")[0] == 200


def test_a_chunked_body_is_read_as_its_content(server: tuple[str, Path]) -> None:
    # Given a JSON body sent chunked (curl -H 'Transfer-Encoding: chunked' does so)
    base, log = server
    body = b'{"code": "' + b"x" * 32 + b'", "telegram_id": 42}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    data = POST + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"

    # When it is sent
    status, _, answer = exchange(base, data + b"Connection: close\r\n\r\n" + chunked)

    # Then the function got the body: an unknown code is a 401, not a validation error
    assert status == 401, answer
    assert "Traceback" not in log.read_text(errors="replace")


def test_a_busy_port_is_one_line_before_any_dynamodb_work(tmp_path: Path) -> None:
    # Given a port something else listens on, and a DynamoDB endpoint nothing answers on
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        port = occupant.getsockname()[1]
        env = {
            **os.environ,
            "PYTHONPATH": f"{ROOT / 'layers/shared'}:{ROOT / 'tools'}",
            "DYNAMODB_ENDPOINT_URL": "http://127.0.0.1:9",  # discard: creating tables would hang
            "DEVKIT_RUN_DIR": str(tmp_path),
        }

        # When the server is started on it
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "devkit.local.server", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    # Then it exits non-zero at once with one line saying what to do, and touched no table
    assert result.returncode == 1
    assert (
        result.stderr
        == f"port {port} is in use; set PORT= to another one (make run PORT={port + 1})\n"
    )
    assert "Traceback" not in result.stderr
    assert result.stdout == ""  # "DynamoDB at ...; created tables" comes after the bind
    assert time.monotonic() - started < 30
    assert not list(tmp_path.iterdir())  # no run file


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def test_docs_is_swagger_ui_over_the_openapi_document_with_local_assets_only(
    server: tuple[str, Path],
) -> None:
    # Given the running server
    base, _ = server

    # When /docs is opened
    status, headers, page = request("GET", f"{base}/docs")

    # Then it is an HTML page whose every script, stylesheet and icon the server itself serves
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    html = page.decode()
    assert "SwaggerUIBundle" in html
    assert 'url: "/openapi.json"' in html
    parser = References()
    parser.feed(html)
    assert {"/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js"} <= set(parser.urls)
    for reference in parser.urls:
        url = urljoin(f"{base}/docs", reference)
        assert urlsplit(url).netloc == urlsplit(base).netloc, reference
        status, headers, asset = request("GET", url)
        assert status == 200, reference
        assert asset
    # And no absolute URL to another host anywhere in the page (offline, no CDN)
    assert not re.findall(r"(?:https?:)?//[\w.-]+", html)
    # And the document it loads is the combined one
    status, _, document = request("GET", f"{base}/openapi.json")
    assert status == 200
    assert json.loads(document)["paths"]
    # And a name outside the package's files is not served
    assert request("GET", f"{base}/docs/..%2f..%2fserver.py")[0] == 404
    assert request("GET", f"{base}/docs/missing.js")[0] == 404


def test_a_67_kb_telegram_update_reaches_the_webhook_and_is_a_200(
    server: tuple[str, Path],
) -> None:
    # Given a realistic update over 64 KB (a long Cyrillic reply quoting another one)
    base, _ = server
    update = long_reply_update(901)
    assert len(json.dumps(update).encode()) > 64 * 1024

    # When Telegram posts it to make run's webhook with the secret
    secret = os.environ["TELEGRAM_WEBHOOK_SECRET"]  # the server has the tests' environment
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    status, _, body = request("POST", f"{base}/api/telegram/webhook", update, headers)

    # Then neither the server nor the function refuses it
    assert (status, json.loads(body)) == (200, {"ok": True})
