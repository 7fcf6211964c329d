"""`make run`: the API on 127.0.0.1:$PORT, routed from template.yaml to the same handlers that
run in Lambda, with DynamoDB from moto's server embedded in this process (or the endpoint in
DYNAMODB_ENDPOINT_URL)."""

import argparse
import atexit
import base64
import contextlib
import os
import signal
import socket
import sys
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from devkit import static
from devkit.apigw import http_api_event
from devkit.dynamo import configured_table_names, create_missing_tables, dynamodb_client
from devkit.template import Route, routes

# Local-only defaults, documented in the README. Lambda never sees them: there the secrets
# come from Secrets Manager and the settings refuse to start without them.
LOCAL_DEFAULTS = {
    "TELEGRAM_BOT_TOKEN": "123456:LOCAL-DEV-BOT-TOKEN",
    "JWT_SECRET": "local-dev-jwt-secret-change-me-0123456789abcdef",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "Community",
    "POWERTOOLS_SERVICE_NAME": "community-api",
    "PUBLIC_BASE_URL": "http://127.0.0.1:3000",
}
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_embedded_dynamodb() -> str:
    from moto.server import ThreadedMotoServer

    port = free_port()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per DynamoDB call is noise
    ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
    return f"http://127.0.0.1:{port}"


def prepare_environment(port: int) -> None:
    for name, value in LOCAL_DEFAULTS.items():
        os.environ.setdefault(name, value)
    if (
        "PUBLIC_BASE_URL" not in os.environ
        or os.environ["PUBLIC_BASE_URL"] == LOCAL_DEFAULTS["PUBLIC_BASE_URL"]
    ):
        os.environ["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    if not os.environ.get("DYNAMODB_ENDPOINT_URL"):
        os.environ["DYNAMODB_ENDPOINT_URL"] = start_embedded_dynamodb()
        announce_embedded_endpoint(port, os.environ["DYNAMODB_ENDPOINT_URL"])
    names = configured_table_names()
    from devkit.template import table_env_vars

    for variable, logical_id in table_env_vars().items():
        os.environ[variable] = names[logical_id]
    client = dynamodb_client(os.environ["DYNAMODB_ENDPOINT_URL"], os.environ["AWS_REGION"])
    created = create_missing_tables(client, names)
    print(f"DynamoDB at {os.environ['DYNAMODB_ENDPOINT_URL']}; created tables: {created or 'none'}")
    if not client.scan(TableName=names["EventsTable"], Limit=1)["Items"]:
        # A new user sees the listing filter something: past, started and inactive samples.
        from devkit.seed import load, sample_events

        print(f"loaded {load(sample_events(datetime.now(UTC)))} sample events")


def announce_embedded_endpoint(port: int, endpoint: str) -> None:
    """Tell `make seed-events` where this server's embedded DynamoDB is, until it stops."""
    from devkit.seed import endpoint_file

    path = endpoint_file(port)
    path.parent.mkdir(exist_ok=True)
    path.write_text(endpoint)
    atexit.register(path.unlink, missing_ok=True)

    def remove_then_terminate(signum: int, _: Any) -> None:
        # atexit does not run on SIGTERM; remove the file, then terminate as before.
        path.unlink(missing_ok=True)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, remove_then_terminate)


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes():
        found = route.pattern.match(path)
        if found and route.method in (method, "ANY"):
            return route, found.groupdict()
    return None


class LocalApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "community-local"

    def _handle(self) -> None:
        from devkit.handlers import invoke

        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._reply(
                413, {"content-type": "application/json"}, b'{"message":"Request Entity Too Large"}'
            )
            return
        body = self.rfile.read(length) if length else None
        if self.command == "GET" and url.path == "/openapi.json":
            # Local only (schemathesis reads it): in AWS no route serves the document.
            from devkit.openapi import render

            self._reply(200, {"content-type": "application/json"}, render().encode())
            return
        if self.command in ("GET", "HEAD") and static.is_app_path(url.path):
            self._reply(*static.serve(url.path))  # the Mini App (miniapp/dist)
            return
        matched = match(self.command, url.path)
        if matched is None:
            # What an HTTP API answers for a route it does not have.
            self._reply(404, {"content-type": "application/json"}, b'{"message":"Not Found"}')
            return
        route, parameters = matched
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        event = http_api_event(
            self.command,
            url.path,
            route_key=f"{route.method} {route.path}",
            path_parameters=parameters or None,
            query=url.query,
            headers=headers,
            body=body,
            source_ip=self.client_address[0],
        )
        response = invoke(route.function, event)
        raw = response.get("body") or ""
        payload = base64.b64decode(raw) if response.get("isBase64Encoded") else raw.encode()
        reply_headers = dict(response.get("headers") or {})
        self._reply(
            response.get("statusCode", 200), reply_headers, payload, response.get("cookies")
        )

    def _reply(
        self, status: int, headers: dict[str, Any], payload: bytes, cookies: list[str] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, str(value))
        for cookie in cookies or []:
            self.send_header("Set-Cookie", cookie)
        if status != 304:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, QUERY...) reaches _handle too, so an unrouted one gets API
        # Gateway's JSON 404, not http.server's HTML 501.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        # Path without the query string: it can carry login codes.
        sys.stderr.write(
            f"{self.command} {urlsplit(self.path).path} {args[1] if len(args) > 1 else ''}\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    args = parser.parse_args()
    prepare_environment(args.port)
    server = ThreadingHTTPServer((args.host, args.port), LocalApiHandler)
    server.daemon_threads = True
    for route in routes():
        print(f"  {route.method:6} {route.path}  -> {route.function}")
    print(f'Mini App: http://{args.host}:{args.port}/app/ (README "The Mini App")')
    print(f"Local API listening on http://{args.host}:{args.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
