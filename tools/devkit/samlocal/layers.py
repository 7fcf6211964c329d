"""The template's layers as `sam local` gets them (devkit.samlocal.sam): by an ARN that names
their built content, from a layer cache this module fills with `.aws-sam/build/<layer>`.

Why: SAM CLI rebuilds the image with the layers (the emulation image, its Runtime Interface
Emulator and /opt) before every container it starts whenever a layer is defined in the
template (samcli/local/docker/lambda_image.py, `is_defined_within_template`): once per
`sam local invoke` and once per function at `start-api --warm-containers EAGER`, about 10 s
each here. A layer given by ARN is looked up in `--layer-cache-basedir` first
(samcli/local/layers/layer_downloader.py) and the image is tagged after the layers' names, so
it is built once and reused. The ARN carries a hash of the built content (and of what else
goes into the image: the emulation image, SAM CLI's version), so a changed layer gets a new
name and a new image, never a stale one. Nothing asks AWS: the cache already holds every
layer (and sam's AWS endpoint is a closed local port: devkit.samlocal.sam.OFFLINE_AWS).

The cache holds each layer exactly as `sam build` laid it out, and the functions still run
from the built artifacts with the layers at /opt, in the template's order."""

import contextlib
import hashlib
import os
import shutil
import stat
from pathlib import Path
from typing import Any

from devkit.local.env import REGION

LAYER_TYPES = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")
# No account owns these layers: sam finds them in the cache and never asks for them.
ACCOUNT = "000000000000"
DIGEST_CHARS = 20


def layer_digest(directory: Path, salt: str = "") -> str:
    """A hash of what `sam local` puts at /opt from this directory: every path, its kind,
    its permission bits and its bytes (symlinks followed, as sam's tarball follows them).
    Timestamps are left out: `sam build` rewrites identical files, and identical content
    must keep its image."""
    digest = hashlib.sha256(salt.encode())
    for current, dirs, files in os.walk(directory, followlinks=True):
        dirs.sort()
        base = Path(current)
        for name in dirs:
            relative = (base / name).relative_to(directory).as_posix()
            digest.update(f"d {relative} {stat.S_IMODE((base / name).stat().st_mode):o}\n".encode())
        for name in sorted(files):
            path = base / name
            relative = path.relative_to(directory).as_posix()
            digest.update(f"f {relative} {stat.S_IMODE(path.stat().st_mode):o}\n".encode())
            with path.open("rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:DIGEST_CHARS]


def layer_arn(logical_id: str, digest: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{logical_id}-{digest}:1"


def cache_name(arn: str) -> str:
    """The folder sam looks for a layer in under --layer-cache-basedir: `<name>-<version>-`
    and the start of the ARN's sha256 (samcli.lib.providers.provider.LayerVersion.name;
    tests/unit/test_samlocal_layers.py holds this to SAM's own)."""
    _, name, version = arn.rsplit(":", 2)
    return f"{name}-{version}-{hashlib.sha256(arn.encode()).hexdigest()[:10]}"


def fill_cache(source: Path, cache_dir: Path, name: str) -> Path:
    """`source` copied to cache_dir/name, whole or not at all: a copy cut short is never
    taken for the layer, since sam treats any folder of that name as the layer. Other versions
    of the same layer (its name up to the digest) are removed: they only take disk."""
    target = cache_dir / name
    if not target.is_dir():
        cache_dir.mkdir(parents=True, exist_ok=True)
        staged = cache_dir / f".{name}.{os.getpid()}.tmp"
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(source, staged, symlinks=False)
        try:
            staged.rename(target)
        except OSError:
            # Another run (same checkout, same build) put it there first.
            shutil.rmtree(staged, ignore_errors=True)
            if not target.is_dir():
                raise
    layer_prefix = name.rsplit("-", 3)[0] + "-"
    for other in cache_dir.iterdir():
        if other.name.startswith(layer_prefix) and other.name != name and other.is_dir():
            with contextlib.suppress(OSError):
                shutil.rmtree(other)
    return target


def _replace_refs(layers: list[Any], arns: dict[str, str]) -> list[Any]:
    return [
        arns[layer["Ref"]] if isinstance(layer, dict) and layer.get("Ref") in arns else layer
        for layer in layers
    ]


def use_cached_layers(
    template: dict[str, Any], build_dir: Path, cache_dir: Path, salt: str
) -> dict[str, str]:
    """Points every function's layers (Globals and its own) of the built `template` at an
    ARN of their content and puts that content in `cache_dir` under the name sam looks for.
    Changes `template` in place; returns logical id -> ARN."""
    arns: dict[str, str] = {}
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") not in LAYER_TYPES:
            continue
        properties = resource.get("Properties", {})
        content = properties.get("ContentUri") or properties.get("Content")
        if not isinstance(content, str):
            continue  # not built locally (S3): left as it is
        source = build_dir / content
        arn = layer_arn(logical_id, layer_digest(source, salt))
        fill_cache(source, cache_dir, cache_name(arn))
        arns[logical_id] = arn
    function_globals = template.get("Globals", {}).get("Function", {})
    if "Layers" in function_globals:
        function_globals["Layers"] = _replace_refs(function_globals["Layers"], arns)
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function" and "Layers" in properties:
            properties["Layers"] = _replace_refs(properties["Layers"], arns)
    return arns
