"""The HTTP/1.1 layer of `make run`: http.server, made to answer hostile or malformed requests
as a real server does (a JSON 400/411/413/414/431/505 and a one-line log entry) instead of
http.server's defaults (no status line before the request version is known, an HTML body, a
traceback from our own logging, `int()` on any Content-Length)."""

import contextlib
import json
import re
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
# A Content-Length is digits only: int() would also take "-5", "+5", " 5 " and "5_0".
CONTENT_LENGTH = re.compile(r"[0-9]{1,19}")
CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
MAX_LINE = 65536  # the request line limit http.server applies (414 beyond it)
NO_STORE = {"cache-control": "no-store"}
# Paths whose last part is a credential (a calendar feed's token): logged as the route.
SECRET_PATHS = {"/api/calendar/": "/api/calendar/{file}"}


def json_error(detail: str) -> bytes:
    """The body of every error the API answers (community.http.app.error_response)."""
    return json.dumps({"success": False, "detail": detail}).encode()


class BadRequest(Exception):
    def __init__(self, status: HTTPStatus, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class LocalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-reply is not the server's error: one line, no traceback.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            sys.stderr.write(f"client {client_address[0]} went away: {error!r}\n")
            return
        super().handle_error(request, client_address)


class StrictHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Errors found before the version is parsed get a status line (http.server's default,
    # HTTP/0.9, sends a bare body).
    default_request_version = "HTTP/1.0"
    # An idle keep-alive connection (or a client that stops mid-body) is dropped after this.
    timeout = 60
    # TCP_NODELAY: a reply is two writes (headers, then body), and on a keep-alive connection
    # Nagle holds the body until the client ACKs the headers, which it delays by ~40 ms: every
    # request took 40 ms more than its handler (schemathesis: 2,000 requests, 80 s of waiting).
    disable_nagle_algorithm = True

    def parse_request(self) -> bool:
        self.path = ""  # a keep-alive connection's previous path must not be logged for this one
        if not super().parse_request():
            return False
        if len(self.requestline.split()) == 2:
            # HTTP/0.9 ("GET /" without a version): API Gateway does not speak it either.
            self.send_error(HTTPStatus.BAD_REQUEST, "a request line needs an HTTP version")
            return False
        return True

    def handle_expect_100(self) -> bool:
        # Refuse a body we would refuse anyway before the client sends it.
        try:
            self.body_length()
        except BadRequest as error:
            self.send_error(error.status, error.detail)
            return False
        return bool(super().handle_expect_100())

    def body_length(self) -> int | None:
        """The declared body length; None for a chunked body. Raises BadRequest."""
        lengths = self.headers.get_all("Content-Length") or []
        encoding = ",".join(self.headers.get_all("Transfer-Encoding") or []).strip().lower()
        if encoding:
            if lengths:
                # Both at once is how requests are smuggled past proxies: RFC 9112 lets us refuse.
                raise BadRequest(
                    HTTPStatus.BAD_REQUEST, "Content-Length and Transfer-Encoding together"
                )
            if encoding != "chunked":
                raise BadRequest(HTTPStatus.NOT_IMPLEMENTED, f"Transfer-Encoding {encoding!r}")
            return None
        values = {value.strip() for value in lengths}
        if len(values) > 1:
            raise BadRequest(HTTPStatus.BAD_REQUEST, "conflicting Content-Length headers")
        if not values:
            return 0
        value = values.pop()
        if not CONTENT_LENGTH.fullmatch(value):
            raise BadRequest(HTTPStatus.BAD_REQUEST, f"invalid Content-Length {value[:40]!r}")
        if int(value) > MAX_BODY_BYTES:
            raise BadRequest(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body limit is {MAX_BODY_BYTES} bytes"
            )
        return int(value)

    def read_body(self) -> bytes | None:
        """The request body (None when there is none). Raises BadRequest."""
        length = self.body_length()
        if length is None:
            return self._read_chunked()
        if not length:
            return None
        body = self.rfile.read(length)
        if len(body) != length:
            raise BadRequest(HTTPStatus.BAD_REQUEST, "the body is shorter than Content-Length")
        return body

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            line = self.rfile.readline(MAX_LINE + 1)
            size = line.split(b";", 1)[0].strip()
            if len(line) > MAX_LINE or not CHUNK_SIZE.fullmatch(size):
                raise BadRequest(HTTPStatus.BAD_REQUEST, "invalid chunked body")
            if len(body) + int(size, 16) > MAX_BODY_BYTES:
                raise BadRequest(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"the body limit is {MAX_BODY_BYTES} bytes",
                )
            if int(size, 16) == 0:
                break
            chunk = self.rfile.read(int(size, 16))
            if len(chunk) != int(size, 16) or self.rfile.read(2) != b"\r\n":
                raise BadRequest(HTTPStatus.BAD_REQUEST, "invalid chunked body")
            body += chunk
        for _ in range(100):  # trailer fields, up to the empty line; http.server's header limit
            line = self.rfile.readline(MAX_LINE + 1)
            if line in (b"\r\n", b"\n", b""):
                return bytes(body)
        raise BadRequest(HTTPStatus.BAD_REQUEST, "invalid chunked body")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Every protocol error as the API's JSON error (`{"success": false, "detail": ...}`;
        in AWS, CloudFront and API Gateway answer these in their own shapes: docs/api.md),
        closing the connection: an unread body must not be taken for the next request."""
        status = HTTPStatus(code)
        self.close_connection = True
        self.lingering_close = True
        self.reply(
            code,
            {"content-type": "application/json", "connection": "close", **NO_STORE},
            json_error(message or status.phrase),
        )

    def finish(self) -> None:
        super().finish()
        if getattr(self, "lingering_close", False):
            # The client may still be sending what we refused (a 64 KB request line, a body
            # over the limit): closing now would reset the connection and could destroy our
            # answer before it is read. Read (and drop) a bounded amount first, as servers do.
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_WR)
                self.connection.settimeout(1)
                for _ in range(64):
                    if not self.connection.recv(65536):
                        break

    def reply(
        self, status: int, headers: dict[str, Any], payload: bytes, cookies: list[str] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, str(value))
        for cookie in cookies or []:
            self.send_header("Set-Cookie", cookie)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(payload)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Path without the query string (it can carry login codes), cut short: a hostile path
        # may be 64 KB long.
        path = urlsplit(getattr(self, "path", "")).path or "-"  # unset before a 414
        path = path if len(path) <= 200 else f"{path[:200]}..."
        path = next((route for p, route in SECRET_PATHS.items() if path.startswith(p)), path)
        sys.stderr.write(f"{self.command or '-'} {path} {int(code)}\n")

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        sys.stderr.write(f"{format % args}\n")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        sys.stderr.write(f"{format % args}\n")
