"""The functions under the real `sam local invoke` / `sam local start-api`.

A run gets its own Docker network with moto's server on it (network alias `moto`, so the
functions use DYNAMODB_ENDPOINT_URL=http://moto:5000) and published only on 127.0.0.1 for this
process, which creates the template's tables there and produces the values the fixtures'
`{{PLACEHOLDERS}}` need through the real handlers (devkit.handlers) against the same DynamoDB.
Nothing listens beyond loopback and that network; everything started is removed at the end.

The Docker engine and the images come from tools/sam-local/ (with-docker.sh, build-image.sh);
`.aws-sam/build` from `sam build`.

    python -m devkit.samlocal invoke GenerateCodeFunction [--event FILE]    (make invoke)
"""

import argparse
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from devkit.dynamo import DEFAULT_TABLE_NAMES, create_missing_tables
from devkit.fixtures import PLACEHOLDER, fixture_path
from devkit.placeholders import PRODUCERS, values_of
from devkit.template import ROOT, _CloudFormationLoader, resources, routes, table_env_vars

BUILD_DIR = ROOT / ".aws-sam" / "build"
BUILT_TEMPLATE = BUILD_DIR / "template.yaml"
# Next to the built template, so its relative CodeUri/ContentUri still resolve.
LOCAL_TEMPLATE = BUILD_DIR / "template.sam-local.yaml"
BUILD_IMAGE = ROOT / "tools" / "sam-local" / "build-image.sh"
REGION = "us-east-1"
MOTO_ALIAS = "moto"

# Local-only secrets (never used in AWS, where the ARNs point at Secrets Manager).
LOCAL_SECRETS = {
    "TELEGRAM_BOT_TOKEN": "123456:SAM-LOCAL-BOT-TOKEN",
    "JWT_SECRET": "sam-local-jwt-secret-0123456789abcdef0123456789abcdef",
    "TELEGRAM_WEBHOOK_SECRET": "sam-local-webhook-secret-0123456789",
}
# Variables the functions only get locally. `sam local` passes a function only the variables
# its template declares, so the local template declares these (empty) in Globals.
LOCAL_ONLY_VARIABLES = [
    "DYNAMODB_ENDPOINT_URL",
    "TELEGRAM_BOT_TOKEN",
    "JWT_SECRET",
    "TELEGRAM_WEBHOOK_SECRET",
    "TELEGRAM_API_BASE_URL",
    "POWERTOOLS_TRACE_DISABLED",
    "PUBLIC_BASE_URL",
    "SES_ENDPOINT_URL",
]
# Whatever AWS account the machine might be configured for, sam and the functions get dummies.
DUMMY_AWS = {
    "AWS_ACCESS_KEY_ID": "sam-local",
    "AWS_SECRET_ACCESS_KEY": "sam-local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


class SamLocalError(RuntimeError):
    pass


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, check=True, text=True, stdin=subprocess.DEVNULL, capture_output=True, **kwargs
    )


def images() -> dict[str, str]:
    """The image names build-image.sh builds (`lambda`, `moto`). SAM_LOCAL_LAMBDA_IMAGE
    replaces the emulation image, e.g. with AWS's public.ecr.aws/lambda/python:3.13 where the
    registry is reachable (sam then pulls it)."""
    printed = run([str(BUILD_IMAGE), "--print"]).stdout
    names = dict(line.split("=", 1) for line in printed.split())
    if os.environ.get("SAM_LOCAL_LAMBDA_IMAGE"):
        names["lambda"] = os.environ["SAM_LOCAL_LAMBDA_IMAGE"]
    return names


def pulls_lambda_image() -> bool:
    return bool(os.environ.get("SAM_LOCAL_LAMBDA_IMAGE"))


def write_local_template() -> Path:
    """The built template, unchanged but for declaring LOCAL_ONLY_VARIABLES in Globals."""
    if not BUILT_TEMPLATE.exists():
        raise SamLocalError(f"{BUILT_TEMPLATE} is missing: run `make build` (sam build) first")
    with BUILT_TEMPLATE.open() as handle:
        template = yaml.load(handle, Loader=_CloudFormationLoader)  # noqa: S506 - safe subclass
    function_globals = template.setdefault("Globals", {}).setdefault("Function", {})
    variables = function_globals.setdefault("Environment", {}).setdefault("Variables", {})
    for name in LOCAL_ONLY_VARIABLES:
        variables.setdefault(name, "")
    LOCAL_TEMPLATE.write_text(yaml.safe_dump(template, sort_keys=False))
    return LOCAL_TEMPLATE


def functions() -> list[str]:
    return sorted(resources("AWS::Serverless::Function"))


def fixture_name(function: str) -> str:
    """A function's fixture is named after its CodeUri folder."""
    return Path(resources("AWS::Serverless::Function")[function]["Properties"]["CodeUri"]).name


def placeholders(fixture: str) -> set[str]:
    return set(PLACEHOLDER.findall(fixture_path(fixture).read_text()))


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(url: str, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            if process is not None and process.poll() is not None:
                raise SamLocalError(f"{url}: the process exited ({process.returncode})") from None
            if time.monotonic() > deadline:
                raise SamLocalError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.25)


@dataclass
class Stack:
    """One run's Docker network, moto container and settings."""

    network: str
    moto_container: str
    dynamodb_url: str  # moto as this process reaches it (127.0.0.1)
    work_dir: Path
    lambda_image: str
    template: Path
    table_names: dict[str, str]  # environment variable -> table name
    secrets: dict[str, str] = field(default_factory=lambda: dict(LOCAL_SECRETS))

    @property
    def function_environment(self) -> dict[str, str]:
        return {
            **self.table_names,
            **self.secrets,
            "TELEGRAM_BOT_TOKEN_SECRET_ARN": "",
            "JWT_SECRET_ARN": "",
            "TELEGRAM_WEBHOOK_SECRET_ARN": "",
            # Nothing answers there: a sweep invoked under sam local finds no reminder due.
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
            "DYNAMODB_ENDPOINT_URL": f"http://{MOTO_ALIAS}:5000",
            # moto's SES on the same server (no fixture sends a mail: nothing is verified).
            "SES_ENDPOINT_URL": f"http://{MOTO_ALIAS}:5000",
            "SES_SENDER": "community@example.com",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "PUBLIC_BASE_URL": "http://127.0.0.1:3000",
        }

    @property
    def env_vars_file(self) -> Path:
        path = self.work_dir / "env-vars.json"
        if not path.exists():
            path.write_text(json.dumps({"Parameters": self.function_environment}, indent=2))
        return path

    def sam_environment(self) -> dict[str, str]:
        # sam gives a function's declared variables the values of its own environment unless
        # the env-vars file overrides them, so it gets a clean one: nothing of this process's
        # settings (or AWS account) may leak into the functions.
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DOCKER_HOST", "DOCKER_CONFIG")
        env = {name: os.environ[name] for name in keep if name in os.environ}
        return {**env, **DUMMY_AWS, "SAM_CLI_TELEMETRY": "0"}

    def sam_local_args(self) -> list[str]:
        return [
            "--template",
            str(self.template),
            "--env-vars",
            str(self.env_vars_file),
            "--docker-network",
            self.network,
            "--invoke-image",
            self.lambda_image,
            *([] if pulls_lambda_image() else ["--skip-pull-image"]),
            "--region",
            REGION,
        ]

    def use_in_this_process(self) -> None:
        """Point this process's handlers (devkit.handlers) at the same DynamoDB and secrets."""
        os.environ.update(
            {
                **self.function_environment,
                **DUMMY_AWS,
                "DYNAMODB_ENDPOINT_URL": self.dynamodb_url,
                "SES_ENDPOINT_URL": self.dynamodb_url,
                "POWERTOOLS_LOG_LEVEL": "WARNING",  # the setup step's requests are not news
            }
        )
        from community.data import models
        from community.settings import get_settings

        get_settings.cache_clear()
        models.bind(get_settings())

    def invoke(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        """`sam local invoke` of one function with one event; returns the function's result."""
        event_file = self.work_dir / f"event-{function}-{secrets.token_hex(3)}.json"
        event_file.write_text(json.dumps(event))
        log_file = self.work_dir / f"invoke-{function}.log"
        command = ["sam", "local", "invoke", function, "--event", str(event_file)]
        completed = subprocess.run(
            [*command, *self.sam_local_args()],
            cwd=ROOT,
            env=self.sam_environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        log_file.write_text(
            f"$ {' '.join(command)}\n{completed.stderr}\n--- stdout\n{completed.stdout}"
        )
        lines = [line for line in completed.stdout.splitlines() if line.strip()]
        try:
            result: dict[str, Any] = json.loads(lines[-1])
        except (IndexError, json.JSONDecodeError):
            raise SamLocalError(
                f"sam local invoke {function} gave no result (exit {completed.returncode}):\n"
                f"{completed.stderr[-4000:]}\n{completed.stdout[-2000:]}"
            ) from None
        if "statusCode" not in result:
            raise SamLocalError(f"sam local invoke {function} failed:\n{completed.stderr[-4000:]}")
        return result


def dynamodb(url: str) -> Any:
    """A client for moto, with dummy credentials whatever the machine is configured with."""
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=DUMMY_AWS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_AWS["AWS_SECRET_ACCESS_KEY"],
    )


def docker(*args: str) -> str:
    try:
        return run(["docker", *args]).stdout.strip()
    except subprocess.CalledProcessError as error:
        raise SamLocalError(f"docker {' '.join(args)}: {error.stderr.strip()}") from None


def remove_network(network: str) -> None:
    with contextlib.suppress(SamLocalError):
        attached = docker("ps", "-aq", "--filter", f"network={network}").split()
        if attached:
            docker("rm", "-f", *attached)
        docker("network", "rm", network)


@contextlib.contextmanager
def sam_local_stack(work_dir: Path) -> Iterator[Stack]:
    """A Docker network of this run's own with moto's server on it, and the template's tables."""
    work_dir.mkdir(parents=True, exist_ok=True)
    names = images()
    template = write_local_template()
    for role, name in names.items():
        if not (role == "lambda" and pulls_lambda_image()):
            docker("image", "inspect", "--format", "{{.Id}}", name)  # built? (make sam-image)
    suffix = f"{os.getpid()}-{secrets.token_hex(3)}"
    network = f"community-sam-local-{suffix}"
    container = f"community-sam-local-moto-{suffix}"
    docker("network", "create", "--label", "community-sam-local", network)
    try:
        docker(
            "run",
            "--detach",
            "--name",
            container,
            "--network",
            network,
            "--network-alias",
            MOTO_ALIAS,
            "--publish",
            "127.0.0.1::5000",
            names["moto"],
        )
        published = docker("port", container, "5000/tcp").splitlines()[0]
        url = f"http://{published}"
        if not published.startswith("127.0.0.1:"):
            raise SamLocalError(f"moto is published on {published}, not only on loopback")
        wait_for_http(f"{url}/moto-api/", timeout=60)
        table_names = {variable: DEFAULT_TABLE_NAMES[variable] for variable in table_env_vars()}
        client = dynamodb(url)
        logical = {logical_id: table_names[var] for var, logical_id in table_env_vars().items()}
        create_missing_tables(client, logical)
        yield Stack(
            network=network,
            moto_container=container,
            dynamodb_url=url,
            work_dir=work_dir,
            lambda_image=names["lambda"],
            template=template,
            table_names=table_names,
        )
    finally:
        with contextlib.suppress(SamLocalError):
            (work_dir / "moto.log").write_text(docker("logs", container))
        remove_network(network)


def fixture_event(fixture: str) -> dict[str, Any]:
    """A fixture with fresh placeholder values (devkit.placeholders), made in this process
    against the run's DynamoDB: call `Stack.use_in_this_process()` first."""
    from devkit.fixtures import load_event
    from devkit.placeholders import values_for

    return load_event(fixture, **values_for(fixture))


# --- `sam local start-api` ---


@contextlib.contextmanager
def start_api(stack: Stack) -> Iterator[str]:
    """`sam local start-api` on 127.0.0.1 with warm containers, all created at start (EAGER):
    sam creates them side by side and builds the image with the layers once for all, where
    LAZY creates each on its route's first request and builds the image again for each.
    Yields its base URL. Its output goes to a log file; it and its containers are gone
    afterwards."""
    port = free_port()
    log_path = stack.work_dir / "start-api.log"
    command = [
        "sam",
        "local",
        "start-api",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--warm-containers",
        "EAGER",
        *stack.sam_local_args(),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=stack.sam_environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_http(f"http://127.0.0.1:{port}/", timeout=180, process=process)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_process_group(process)


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGINT, 30), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)


def http(
    method: str, url: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback
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
    from devkit.initdata import signed_init_data

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
            expect("events-upcoming", 200, http("GET", base + upcoming_path), contains=event_id)
        path = detail_path.format(event_id)
        if has_route("GET", path):
            expect("event-detail", 200, http("GET", base + path), contains=event_id)
        path = f"/api/v1/events/{event_id}/rsvp"
        if has_route("POST", path):
            expect("rsvp", 201, http("POST", base + path, bearer), contains=event_id)
            expect("rsvp-again", 200, http("POST", base + path, bearer), contains=event_id)
            if has_route("GET", "/api/users/me/events"):
                mine = http("GET", base + "/api/users/me/events", bearer)
                expect("my-events", 200, mine, contains=event_id)
            if has_route("DELETE", path):
                expect("rsvp-cancel", 204, http("DELETE", base + path, bearer))
    if has_route("POST", "/api/v1/events"):
        # A member is no admin: the route refuses them before reading the body.
        refused = http("POST", base + "/api/v1/events", {**json_headers, **bearer})
        expect("admin-route-refuses-a-member", 403, refused, contains="admin role required")
    return ran


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    invoke_parser = commands.add_parser("invoke", help="sam local invoke one function")
    invoke_parser.add_argument("function", help="the function's logical id in template.yaml")
    invoke_parser.add_argument("--event", help="an event file (default: the function's fixture)")
    args = parser.parse_args()

    if args.function not in functions():
        sys.exit(f"{args.function} is not a function of template.yaml: {', '.join(functions())}")
    work_dir = ROOT / ".local" / "sam-local" / "invoke"
    with sam_local_stack(work_dir) as stack:
        stack.use_in_this_process()
        if args.event:
            raw = Path(args.event).read_text()
            values = values_of(set(PLACEHOLDER.findall(raw)))
            event = json.loads(PLACEHOLDER.sub(lambda found: values[found.group(1)], raw))
        else:
            event = fixture_event(fixture_name(args.function))
        print(f"sam local invoke {args.function} (log: {work_dir})", file=sys.stderr)
        result = stack.invoke(args.function, event)
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
