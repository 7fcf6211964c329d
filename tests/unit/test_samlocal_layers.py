"""The template `sam local` runs (devkit.samlocal.layers): its functions get the built layers
by an ARN of their content, from a layer cache that holds exactly what `sam build` made, and
SAM CLI's own code finds them there without asking AWS. No Docker."""

import os
from pathlib import Path
from typing import Any

import pytest
from samcli.lib.providers.provider import LayerVersion
from samcli.local.docker.lambda_image import LambdaImage
from samcli.local.layers.layer_downloader import LayerDownloader

from devkit.samlocal.layers import cache_name, layer_digest, use_cached_layers

SALT = "sha256:emulation-image aws-sam-cli 1.0"


def files_of(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path.relative_to(directory).as_posix(): (path.read_bytes(), path.stat().st_mode & 0o777)
        for path in directory.rglob("*")
        if path.is_file()
    }


def built(tmp_path: Path) -> Path:
    """A build dir as `sam build` lays out this project's layers (python/ inside each)."""
    build = tmp_path / "build"
    shared = build / "SharedLayer" / "python" / "community"
    shared.mkdir(parents=True)
    (shared / "__init__.py").write_text("")
    (shared / "settings.py").write_text("VALUE = 1\n")
    (shared / "__pycache__").mkdir()
    (shared / "__pycache__" / "settings.cpython-313.pyc").write_bytes(b"\x00pyc")
    dependencies = build / "DependenciesLayer" / "python" / "pkg"
    dependencies.mkdir(parents=True)
    (dependencies / "__init__.py").write_text("X = 2\n")
    (dependencies / "tool").write_text("#!/bin/sh\n")
    (dependencies / "tool").chmod(0o755)
    return build


def template() -> dict[str, Any]:
    """The shape of .aws-sam/build/template.yaml, as devkit.template.reader's loader reads it."""
    layer = {"Type": "AWS::Serverless::LayerVersion", "Properties": {}}
    return {
        "Globals": {"Function": {"Layers": [{"Ref": "DependenciesLayer"}, {"Ref": "SharedLayer"}]}},
        "Resources": {
            "DependenciesLayer": {
                **layer,
                "Properties": {"ContentUri": "DependenciesLayer"},
            },
            "SharedLayer": {**layer, "Properties": {"ContentUri": "SharedLayer"}},
            "OneFunction": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": "OneFunction", "Layers": [{"Ref": "SharedLayer"}]},
            },
            "OtherFunction": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": "OtherFunction"},
            },
        },
    }


class NoAws:
    """A Lambda client that fails the test if sam ever asks AWS for a layer."""

    def get_layer_version(self, **kwargs: Any) -> Any:
        raise AssertionError(f"sam asked AWS for a layer: {kwargs}")


def test_the_functions_get_the_layers_by_arn_in_order_from_a_cache_of_the_built_files(
    tmp_path: Path,
) -> None:
    # Given a build with two layers, and functions that reference them (Globals and their own)
    build, cache = built(tmp_path), tmp_path / "cache"
    derived = template()

    # When the template sam local runs is derived from it
    arns = use_cached_layers(derived, build, cache, SALT)

    # Then every Ref to a built layer is now its ARN, in the template's order
    function_layers = derived["Globals"]["Function"]["Layers"]
    assert function_layers == [arns["DependenciesLayer"], arns["SharedLayer"]]
    assert derived["Resources"]["OneFunction"]["Properties"]["Layers"] == [arns["SharedLayer"]]
    assert "Layers" not in derived["Resources"]["OtherFunction"]["Properties"]
    # and the cache holds each layer exactly as built (files, bytes, permission bits), under
    # the name SAM CLI itself derives from the ARN, and nothing else
    assert sorted(path.name for path in cache.iterdir()) == sorted(
        LayerVersion(arn, None).name for arn in arns.values()
    )
    for logical_id, arn in arns.items():
        assert cache_name(arn) == LayerVersion(arn, None).name
        assert files_of(cache / cache_name(arn)) == files_of(build / logical_id)
        assert files_of(build / logical_id)


def test_sam_takes_the_layers_from_the_cache_without_asking_aws(tmp_path: Path) -> None:
    # Given the derived template's layers, as SAM CLI reads a layer given by ARN
    build, cache = built(tmp_path), tmp_path / "cache"
    derived = template()
    use_cached_layers(derived, build, cache, SALT)
    layers = [LayerVersion(arn, None) for arn in derived["Globals"]["Function"]["Layers"]]

    # When SAM CLI's own downloader resolves them, with a Lambda client that must not be used
    downloader = LayerDownloader(str(cache), str(tmp_path), [], lambda_client=NoAws())
    resolved = downloader.download_all(layers)

    # Then they come from the cache, and none counts as defined in the template: the one case
    # in which sam rebuilds its image with the layers before every container
    assert [Path(layer.codeuri) for layer in resolved] == [
        (cache / layer.name).resolve() for layer in layers
    ]
    assert not any(layer.is_defined_within_template for layer in resolved)


def image_tag(build: Path, cache: Path, salt: str = SALT) -> str:
    derived = template()
    use_cached_layers(derived, build, cache, salt)
    layers = [LayerVersion(arn, None) for arn in derived["Globals"]["Function"]["Layers"]]
    return str(LambdaImage._generate_docker_image_version(layers, "python:3.13-x86_64"))


@pytest.mark.parametrize(
    "change",
    [
        "content",
        "new file",
        "permission bits",
        "emulation image",
    ],
)
def test_anything_that_goes_into_sams_image_changes_its_tag(tmp_path: Path, change: str) -> None:
    # Given the tag sam gives its image with the layers of one build
    build, cache = built(tmp_path), tmp_path / "cache"
    before = image_tag(build, cache)
    settings = build / "SharedLayer" / "python" / "community" / "settings.py"

    # When what sam would put in that image changes
    salt = SALT
    if change == "content":
        settings.write_text("VALUE = 2\n")
    elif change == "new file":
        (settings.parent / "extra.py").write_text("")
    elif change == "permission bits":
        settings.chmod(0o755)
    else:
        salt = SALT.replace("emulation-image", "rebuilt-emulation-image")
    after = image_tag(build, cache, salt)

    # Then the tag changes (sam builds a new image, never reuses a stale one), and the cache
    # keeps only the layers' current versions, with the changed content
    assert after != before
    assert len(list(cache.iterdir())) == 2
    shared = next(path for path in cache.iterdir() if path.name.startswith("SharedLayer-"))
    assert files_of(shared) == files_of(build / "SharedLayer")


def test_the_same_content_rebuilt_keeps_its_tag(tmp_path: Path) -> None:
    # Given the tag of one build
    build, cache = built(tmp_path), tmp_path / "cache"
    before = image_tag(build, cache)

    # When sam build writes the same files again (new timestamps)
    for path in build.rglob("*"):
        os.utime(path, (1, 1))

    # Then sam reuses its image
    assert image_tag(build, cache) == before
    assert layer_digest(build / "SharedLayer", SALT) != layer_digest(build / "SharedLayer", "")
