"""The Docker side of a `sam local` run (devkit.samlocal): the images tools/sam-local/
build-image.sh builds, and a Docker network of the run's own with moto's server on it,
published only on 127.0.0.1 for this process. Everything started is removed at the end."""

import contextlib
import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devkit.local.processes import wait_for_http
from devkit.template.reader import ROOT

BUILD_IMAGE = ROOT / "tools" / "sam-local" / "build-image.sh"
# moto's name on the network: the functions reach it at http://moto:5000.
MOTO_ALIAS = "moto"


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


@dataclass(frozen=True)
class MotoNetwork:
    network: str
    moto_container: str
    dynamodb_url: str  # moto as this process reaches it (127.0.0.1)
    lambda_image: str


@contextlib.contextmanager
def moto_network(work_dir: Path) -> Iterator[MotoNetwork]:
    """A Docker network of this run's own with moto's server on it, answering; moto's log
    goes to work_dir at the end."""
    names = images()
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
        yield MotoNetwork(network, container, url, names["lambda"])
    finally:
        with contextlib.suppress(SamLocalError):
            (work_dir / "moto.log").write_text(docker("logs", container))
        remove_network(network)
