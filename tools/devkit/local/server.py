"""`make run`: the API on 127.0.0.1:$PORT, routed from template.yaml to the same handlers that
run in Lambda, with DynamoDB from moto's server embedded in this process (or the endpoint in
DYNAMODB_ENDPOINT_URL)."""

import argparse
import base64
import contextlib
import errno
import os
import sys
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from devkit.functions.apigw import http_api_event
from devkit.local import devlaunch, edge, static
from devkit.local.env import LOCAL_DEFAULTS, use_local_defaults
from devkit.local.httpserver import (
    NO_STORE,
    BadRequest,
    LocalHTTPServer,
    StrictHandler,
    json_error,
)
from devkit.local.processes import free_port
from devkit.local.runstate import RunInfo, announce
from devkit.template.dynamo import configured_table_names, create_missing_tables, dynamodb_client
from devkit.template.reader import Route, routes, table_env_vars


def start_embedded_dynamodb() -> str:
    from moto.server import ThreadedMotoServer

    port = free_port()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per DynamoDB call is noise
    ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
    return f"http://127.0.0.1:{port}"


def prepare_environment(port: int) -> None:
    use_local_defaults()
    if (
        "PUBLIC_BASE_URL" not in os.environ
        or os.environ["PUBLIC_BASE_URL"] == LOCAL_DEFAULTS["PUBLIC_BASE_URL"]
    ):
        os.environ["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    if not os.environ.get("DYNAMODB_ENDPOINT_URL"):
        os.environ["DYNAMODB_ENDPOINT_URL"] = start_embedded_dynamodb()
        # One moto server serves every service: its SES is the embedded DynamoDB's.
        os.environ.setdefault("SES_ENDPOINT_URL", os.environ["DYNAMODB_ENDPOINT_URL"])
    if not os.environ.get("SES_ENDPOINT_URL"):
        os.environ["SES_ENDPOINT_URL"] = start_embedded_dynamodb()
    verify_sender(os.environ["SES_ENDPOINT_URL"], os.environ["SES_SENDER"])
    print(f"SES at {os.environ['SES_ENDPOINT_URL']} (moto; sent mails: make mails)")
    if not os.environ.get("TELEGRAM_API_BASE_URL"):
        # The bot's messages go to a fake Bot API on loopback (GET <it>/messages lists them).
        from devkit.local.fakebot import FakeBotApi

        os.environ["TELEGRAM_API_BASE_URL"] = FakeBotApi().start().url
    print(f"Bot API at {os.environ['TELEGRAM_API_BASE_URL']} (messages: GET /messages)")
    names = configured_table_names()
    for variable, logical_id in table_env_vars().items():
        os.environ[variable] = names[logical_id]
    client = dynamodb_client(os.environ["DYNAMODB_ENDPOINT_URL"], os.environ["AWS_REGION"])
    created = create_missing_tables(client, names)
    # The environment is complete: start `community` on it (every function's create_app
    # would, but the samples below are loaded before any function is).
    from community import startup

    startup.start()
    print(f"DynamoDB at {os.environ['DYNAMODB_ENDPOINT_URL']}; created tables: {created or 'none'}")
    # Lambda's event source mapping, locally: notices are sent as they are written.
    from devkit.local.notices import follow_in_background

    follow_in_background(
        names["NotificationsTable"],
        endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"],
        region=os.environ["AWS_REGION"],
    )
    print("notices: following the notifications table's stream (NoticeSenderFunction)")
    if not client.scan(TableName=names["EventsTable"], Limit=1)["Items"]:
        # A new user sees the listing filter something: past, started and inactive samples.
        from devkit.ops.seed import load, sample_events

        loaded = load(sample_events(datetime.now(UTC)), allow_past=True)
        print(f"loaded {loaded} sample events")


def verify_sender(endpoint: str, sender: str) -> None:
    """What a deployer does once in SES: the sender becomes a verified identity (moto's SES
    answers a second time with AlreadyExists)."""
    import boto3
    from botocore.exceptions import ClientError

    client = boto3.client("sesv2", endpoint_url=endpoint, region_name=os.environ["AWS_REGION"])
    try:
        client.create_email_identity(EmailIdentity=sender)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "AlreadyExistsException":
            raise


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes():
        found = route.pattern.match(path)
        if found and route.method in (method, "ANY"):
            return route, found.groupdict()
    return None


class LocalApiHandler(StrictHandler):
    server_version = "community-local"

    def _handle(self) -> None:
        from devkit.functions.handlers import invoke

        url = urlsplit(self.path)
        try:
            body = self.read_body()
        except BadRequest as error:
            self.send_error(error.status, error.detail)
            return
        if self.command in ("GET", "HEAD"):
            local = local_only_response(url.path)
            if local is not None:
                self.reply(*local)
                return
            if edge.is_profile_path(url.path):
                location, origin_path = edge.profile_request(url.path)
                if location is not None:
                    cache = f"public, max-age={edge.REDIRECT_MAX_AGE}"
                    self.reply(301, {"location": location, "cache-control": cache}, b"")
                    return
                url = url._replace(path=origin_path)
        matched = match(self.command, url.path)
        if matched is None:
            # API Gateway's own answer is {"message": "Not Found"} (docs/api.md); make run
            # answers in the API's error shape.
            json_type = {"content-type": "application/json", **NO_STORE}
            self.reply(404, json_type, json_error("no route for this method and path"))
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
        reply_headers = {
            name: value
            for name, value in (response.get("headers") or {}).items()
            if name.lower() != "connection"  # the connection is this server's business
        }
        self.reply(response.get("statusCode", 200), reply_headers, payload, response.get("cookies"))
        if route.function == "TelegramWebhookFunction" and response.get("statusCode") == 200:
            # Telegram runs the Bot API call a webhook answers with (approve a join request,
            # send a reply): locally the fake Bot API gets it, and GET /calls shows it.
            from devkit.local.fakebot import relay_answer

            base_url = os.environ.get("TELEGRAM_API_BASE_URL", "")
            if base_url.startswith("http://127.0.0.1"):
                relay_answer(base_url, os.environ.get("TELEGRAM_BOT_TOKEN", ""), payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, QUERY...) reaches _handle too, so an unrouted one gets the
        # JSON 404, not http.server's HTML 501.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)


def local_only_response(path: str) -> tuple[int, dict[str, str], bytes] | None:
    """What `make run` serves besides the API (no function serves these in AWS): the combined
    OpenAPI document (schemathesis and /docs read it), Swagger UI at /docs, the Mini App
    (miniapp/dist) at /app/, which CloudFront serves from S3 in AWS, and its dev launch page
    (/dev/launch: `make app-url`), which exists nowhere else."""
    if static.is_app_path(path):
        return static.serve(path)
    if devlaunch.is_launch_path(path):
        return devlaunch.serve(path)
    if path == "/openapi.json":
        from devkit.template.openapi import render

        return 200, {"content-type": "application/json"}, render().encode()
    from devkit.local.docs import docs_response

    return docs_response(path)


def listen(host: str, port: int) -> LocalHTTPServer:
    """Bind first, before moto starts or a table is created: a busy port is one line."""
    try:
        return LocalHTTPServer((host, port), LocalApiHandler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            sys.exit(f"port {port} is in use; set PORT= to another one (make run PORT={port + 1})")
        sys.exit(f"cannot listen on {host}:{port}: {error.strerror or error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    args = parser.parse_args()
    server = listen(args.host, args.port)
    prepare_environment(args.port)
    for route in routes():
        print(f"  {route.method:6} {route.path}  -> {route.function}")
    endpoint = f"http://{args.host}:{args.port}"
    announce(
        RunInfo(
            port=args.port,
            endpoint=endpoint,
            dynamodb_endpoint=os.environ["DYNAMODB_ENDPOINT_URL"],
            tables={variable: os.environ[variable] for variable in table_env_vars()},
            pid=os.getpid(),
            telegram_api=os.environ["TELEGRAM_API_BASE_URL"],
            ses_endpoint=os.environ["SES_ENDPOINT_URL"],
        )
    )
    print(f"Mini App: {endpoint}/app/ (docs/miniapp.md)")
    print(f"Local API listening on {endpoint} (interactive docs: {endpoint}/docs)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
