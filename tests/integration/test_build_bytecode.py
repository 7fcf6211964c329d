"""What `sam build` ships: bytecode for every module of both layers and every function, in
the form Lambda can use. Its file system is read-only, so a module without a usable .pyc is
compiled from source at every cold start that is not a SnapStart restore."""

import importlib.util
import marshal
import sys
from pathlib import Path

import pytest

from devkit.template.reader import ROOT, load_template, resources

BUILD = ROOT / ".aws-sam" / "build"
# PEP 552 flags: bit 0 = hash-based, bit 1 = check the source. Unchecked-hash is 0b01: valid
# whatever timestamps the deployment zip gives the files, and never re-read against the source.
UNCHECKED_HASH = 0b01
BUILT = sorted(
    [*resources("AWS::Serverless::Function"), *resources("AWS::Serverless::LayerVersion")]
)
LAYERS = set(resources("AWS::Serverless::LayerVersion"))


def lambda_path(resource: str, source: Path) -> str:
    """Where Lambda puts a built file: a layer's under /opt, a function's under /var/task."""
    relative = source.relative_to(BUILD / resource).as_posix()
    return f"/opt/{relative}" if resource in LAYERS else f"/var/task/{relative}"


def sources(resource: str) -> list[Path]:
    built = BUILD / resource
    if not built.is_dir():
        pytest.fail(f"{built} is missing: run `make build` (make test and make pytest do)")
    return sorted(built.rglob("*.py"))


def cached(source: Path) -> Path:
    return Path(importlib.util.cache_from_source(str(source)))


@pytest.mark.parametrize("resource", BUILT)
def test_every_module_of_the_build_has_its_unchecked_hash_bytecode(resource: str) -> None:
    # Given what sam build made of a function or layer
    modules = sources(resource)
    assert modules, f"{resource} has no Python modules"

    # Then each module has a .pyc for this Python (the runtime's: python3.13), hash-based and
    # never checked against the source, whose hash is this very source's, and which names the
    # file where Lambda puts it (not this checkout: the same bytes from any checkout)
    problems = []
    for source in modules:
        pyc = cached(source)
        if not pyc.exists():
            problems.append(f"{source.relative_to(BUILD)}: no {pyc.name}")
            continue
        header = pyc.read_bytes()[:16]
        if header[:4] != importlib.util.MAGIC_NUMBER:
            problems.append(f"{pyc.relative_to(BUILD)}: magic {header[:4]!r}")
        if int.from_bytes(header[4:8], "little") != UNCHECKED_HASH:
            problems.append(f"{pyc.relative_to(BUILD)}: flags {header[4:8]!r}")
        if header[8:16] != importlib.util.source_hash(source.read_bytes()):
            problems.append(f"{pyc.relative_to(BUILD)}: compiled from another source")
        named = marshal.loads(pyc.read_bytes()[16:]).co_filename  # noqa: S302 - our own build
        if named != lambda_path(resource, source):
            problems.append(f"{pyc.relative_to(BUILD)}: names {named}")
    assert problems == [], problems[:20]


def test_the_tests_python_is_the_runtime_the_template_names() -> None:
    # The magic number checked above is this interpreter's: it must be the runtime's version.
    runtime = load_template()["Globals"]["Function"]["Runtime"]
    assert runtime == f"python{sys.version_info.major}.{sys.version_info.minor}"


def test_nothing_built_names_this_checkout() -> None:
    # Given every file sam build made
    checkout = str(ROOT).encode()
    files = [path for path in BUILD.rglob("*") if path.is_file()]
    assert len(files) > 1000, len(files)

    # Then none holds this checkout's path (bytecode names Lambda's paths, no console script's
    # shebang names the build's interpreter): the same sources build the same bytes anywhere
    naming = [str(path.relative_to(BUILD)) for path in files if checkout in path.read_bytes()]
    assert naming == [], naming[:20]
