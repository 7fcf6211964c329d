"""What `sam build` made, laid out as Lambda runs it (the function's folder, then the layers'
python/ folders), with or without its bytecode, and how big it is."""

import compileall
import py_compile
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
BUILD = ROOT / ".aws-sam" / "build"

# Isolated (no site-packages, no PYTHONPATH), no bytecode writes: as in a Lambda sandbox.
LAMBDA_FLAGS = ("-I", "-S", "-B")


@dataclass(frozen=True)
class LambdaLayout:
    """Module paths and sys.path of a build, as Lambda would see them."""

    build: Path
    extras: Path

    @property
    def layers(self) -> list[str]:
        return [
            str(self.build / layer / "python") for layer in ("SharedLayer", "DependenciesLayer")
        ]

    def function(self, name: str) -> tuple[str, list[str]]:
        return str(self.build / name / "app.py"), [str(self.build / name), *self.layers]

    def target(self, script: str) -> tuple[str, list[str]]:
        """A bench module (floor, lambdalith) run on the same layers, compiled the same way."""
        return str(self.extras / script), [str(self.extras), *self.layers]


def lambda_layout(build: Path, extras: Path) -> LambdaLayout:
    if not (build / "DependenciesLayer").is_dir():
        raise SystemExit(f"{build} has no DependenciesLayer: run `make build` first")
    extras.mkdir(parents=True, exist_ok=True)
    for script in ("floor_app.py", "lambdalith.py"):
        shutil.copy2(BENCH / script, extras / script)
    if any(build.rglob("__pycache__")):
        compileall.compile_dir(
            extras, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
        )
    return LambdaLayout(build, extras)


def without_bytecode(build: Path, copy: Path) -> Path:
    shutil.copytree(build, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def sizes() -> dict[str, Any]:
    if not BUILD.exists():
        return {}
    built = {d.name: directory_size(d) for d in BUILD.iterdir() if d.is_dir()}
    contributors: dict[str, int] = {}
    for layer in ("DependenciesLayer", "SharedLayer"):
        packages = BUILD / layer / "python"
        for entry in packages.iterdir() if packages.exists() else []:
            size = directory_size(entry) if entry.is_dir() else entry.stat().st_size
            contributors[f"{layer}/{entry.name}"] = size
    largest = dict(sorted(contributors.items(), key=lambda item: -item[1])[:8])
    botocore_copies = sum(1 for name in contributors if name.endswith("/botocore"))
    return {
        "unzipped_bytes": built,
        "total_bytes": sum(built.values()),
        "largest": largest,
        "botocore_copies": botocore_copies,
    }
