"""The sam side of a `sam local` run (devkit.samlocal): the built template with the local-only
variables declared, the functions' environment (devkit.local.env's, with DynamoDB at moto on the
run's network), `sam local invoke` and `sam local start-api`. The network comes from
devkit.samlocal.docker; `.aws-sam/build` from `sam build`."""

import contextlib
import importlib.metadata
import json
import os
import secrets
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import yaml

from devkit.local.env import DUMMY_AWS, LOCAL_DEFAULTS, LOCAL_SECRETS, REGION, table_names
from devkit.local.processes import free_port, running
from devkit.samlocal.docker import (
    MOTO_ALIAS,
    SamLocalError,
    docker,
    moto_network,
    pulls_lambda_image,
)
from devkit.samlocal.layers import use_cached_layers
from devkit.template.dynamo import create_missing_tables
from devkit.template.reader import ROOT, _CloudFormationLoader, table_env_vars

BUILD_DIR = ROOT / ".aws-sam" / "build"
BUILT_TEMPLATE = BUILD_DIR / "template.yaml"
# Next to the built template, so its relative CodeUri/ContentUri still resolve.
LOCAL_TEMPLATE = BUILD_DIR / "template.sam-local.yaml"
# sam's --layer-cache-basedir: the built layers under the names their ARNs give them
# (devkit.samlocal.layers).
LAYER_CACHE = ROOT / ".local" / "sam-local" / "layer-cache"
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
# sam's own AWS calls go to a closed port on this machine and are not retried: nothing of a
# local run may reach AWS. sam asks STS for the account id before every invoke (and falls back
# to a default one when that fails): towards the real endpoint, with retries, that failure took
# about 7 s an invoke here. It would also be where a layer missing from the cache is fetched
# (devkit.samlocal.layers). The functions do not get these: sam passes them only the
# variables the template declares.
OFFLINE_AWS = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}
# sam removes its containers on SIGINT; the rest are for a sam that hangs.
SAM_STOP_STEPS = ((signal.SIGINT, 30.0), (signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0))


def check_built() -> None:
    if not BUILT_TEMPLATE.exists():
        raise SamLocalError(f"{BUILT_TEMPLATE} is missing: run `make build` (sam build) first")


def image_inputs(lambda_image: str) -> str:
    """What goes into sam's image with the layers besides them, part of the layers' ARNs
    (devkit.samlocal.layers): sam names that image after the layers alone, so a rebuilt
    emulation image or another SAM CLI (its Runtime Interface Emulator) must change them."""
    # A pulled image: sam compares its digest with the registry's and rebuilds on a change.
    image = (
        lambda_image
        if pulls_lambda_image()
        else docker("image", "inspect", "--format", "{{.Id}}", lambda_image)
    )
    return f"{image} aws-sam-cli {importlib.metadata.version('aws-sam-cli')}"


def write_local_template(lambda_image: str) -> Path:
    """The built template, unchanged but for declaring LOCAL_ONLY_VARIABLES in Globals and
    giving the functions their layers by ARN, from LAYER_CACHE (devkit.samlocal.layers)."""
    check_built()
    with BUILT_TEMPLATE.open() as handle:
        template = yaml.load(handle, Loader=_CloudFormationLoader)  # noqa: S506 - safe subclass
    use_cached_layers(template, BUILD_DIR, LAYER_CACHE, image_inputs(lambda_image))
    function_globals = template.setdefault("Globals", {}).setdefault("Function", {})
    variables = function_globals.setdefault("Environment", {}).setdefault("Variables", {})
    for name in LOCAL_ONLY_VARIABLES:
        variables.setdefault(name, "")
    LOCAL_TEMPLATE.write_text(yaml.safe_dump(template, sort_keys=False))
    return LOCAL_TEMPLATE


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
        local = {
            name: value for name, value in LOCAL_DEFAULTS.items() if name in LOCAL_ONLY_VARIABLES
        }
        return {
            **self.table_names,
            **local,
            **self.secrets,
            "TELEGRAM_BOT_TOKEN_SECRET_ARN": "",
            "JWT_SECRET_ARN": "",
            "TELEGRAM_WEBHOOK_SECRET_ARN": "",
            # No distribution to invalidate (a role change's profile paths): no SSM look-up
            # from the container, which would wait on AWS for its timeouts.
            "DISTRIBUTION_ID_PARAMETER": "",
            # Nothing answers there: a sweep invoked under sam local finds no reminder due.
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
            "DYNAMODB_ENDPOINT_URL": f"http://{MOTO_ALIAS}:5000",
            # moto's SES on the same server (no fixture sends a mail: nothing is verified).
            "SES_ENDPOINT_URL": f"http://{MOTO_ALIAS}:5000",
            "SES_SENDER": LOCAL_DEFAULTS["SES_SENDER"],
        }

    @property
    def env_vars_file(self) -> Path:
        # Rewritten when it differs: the work dir outlives a run, and a file left by an older
        # checkout (other secrets) made every invoke answer 401.
        path = self.work_dir / "env-vars.json"
        content = json.dumps({"Parameters": self.function_environment}, indent=2)
        if not path.exists() or path.read_text() != content:
            # A staged file of its own per call: the invokes run in threads of one process, and
            # on a fresh work dir each of them writes it (a name from the pid alone was renamed
            # away by one thread under another: FileNotFoundError).
            handle, staged = tempfile.mkstemp(dir=self.work_dir, suffix=".env-vars.tmp")
            with os.fdopen(handle, "w") as staged_file:
                staged_file.write(content)
            Path(staged).replace(path)
        return path

    def sam_environment(self) -> dict[str, str]:
        # sam gives a function's declared variables the values of its own environment unless
        # the env-vars file overrides them, so it gets a clean one: nothing of this process's
        # settings (or AWS account) may leak into the functions.
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "DOCKER_HOST", "DOCKER_CONFIG")
        env = {name: os.environ[name] for name in keep if name in os.environ}
        return {**env, **DUMMY_AWS, **OFFLINE_AWS, "SAM_CLI_TELEMETRY": "0"}

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
            "--layer-cache-basedir",
            str(LAYER_CACHE),
            "--region",
            REGION,
        ]

    def use_in_this_process(self) -> None:
        """Point this process's handlers (devkit.functions.handlers) at the same DynamoDB and
        secrets."""
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
        started = time.monotonic()
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
        took = time.monotonic() - started
        log_file.write_text(
            f"$ {' '.join(command)}\n# took {took:.1f} s (exit {completed.returncode})\n"
            f"{completed.stderr}\n--- stdout\n{completed.stdout}"
        )
        lines = [line for line in completed.stdout.splitlines() if line.strip()]
        try:
            result: dict[str, Any] = json.loads(lines[-1])
        except (IndexError, json.JSONDecodeError):
            raise SamLocalError(
                f"sam local invoke {function} gave no result (exit {completed.returncode}):\n"
                f"{completed.stderr[-4000:]}\n{completed.stdout[-2000:]}"
            ) from None
        if "statusCode" not in result and "batchItemFailures" not in result:
            raise SamLocalError(f"sam local invoke {function} failed:\n{completed.stderr[-4000:]}")
        return result


@contextlib.contextmanager
def sam_local_stack(work_dir: Path) -> Iterator[Stack]:
    """A Docker network of this run's own with moto's server on it, and the template's tables."""
    work_dir.mkdir(parents=True, exist_ok=True)
    check_built()
    with moto_network(work_dir) as moto:
        template = write_local_template(moto.lambda_image)
        names = table_names()
        # A client with dummy credentials, whatever the machine is configured with.
        client = boto3.client(
            "dynamodb",
            endpoint_url=moto.dynamodb_url,
            region_name=REGION,
            aws_access_key_id=DUMMY_AWS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_AWS["AWS_SECRET_ACCESS_KEY"],
        )
        logical = {logical_id: names[var] for var, logical_id in table_env_vars().items()}
        create_missing_tables(client, logical)
        yield Stack(
            network=moto.network,
            moto_container=moto.moto_container,
            dynamodb_url=moto.dynamodb_url,
            work_dir=work_dir,
            lambda_image=moto.lambda_image,
            template=template,
            table_names=names,
        )


@contextlib.contextmanager
def start_api(stack: Stack) -> Iterator[str]:
    """`sam local start-api` on 127.0.0.1 with warm containers, each created on its route's
    first request (LAZY): the walk-through calls only some of the functions (every one is
    invoked by `sam local invoke` anyway), and with the layers from the cache
    (devkit.samlocal.layers) sam builds its image with them at most once, so creating the
    others up front (EAGER) only cost time. Yields its base URL. Its output goes to a log
    file; it and its containers are gone afterwards."""
    port = free_port()
    command = [
        "sam",
        "local",
        "start-api",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--warm-containers",
        "LAZY",
        *stack.sam_local_args(),
    ]
    base = f"http://127.0.0.1:{port}"
    with running(
        command,
        stack.work_dir / "start-api.log",
        f"{base}/",
        # LAZY: sam listens once it has read the template (about 5 s on a loaded 2-core
        # machine); a missing image with the layers is built on the first request instead.
        timeout=120,
        steps=SAM_STOP_STEPS,
        cwd=ROOT,
        env=stack.sam_environment(),
    ):
        yield base
