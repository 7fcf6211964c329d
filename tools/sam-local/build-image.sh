#!/usr/bin/env bash
# `make sam-image`: builds, when missing, the two local images the sam-local tooling uses,
# from Debian packages and PyPI only (no container registry needed):
#
#   LAMBDA image  a Lambda emulation image for the template's runtime (python3.13): a Debian
#                 rootfs, the Python 3.13 interpreter at /var/lang (where Lambda has it),
#                 awslambdaric (the real runtime interface client) and boto3 in /var/runtime,
#                 and /var/runtime/bootstrap with Lambda's module search path
#                 (/var/task, /opt/python/lib/python3.13/site-packages, /opt/python, /var/runtime).
#                 `sam local invoke --invoke-image` adds its Runtime Interface Emulator and the
#                 function's layers on top.
#   MOTO image    the same rootfs with moto's server: DynamoDB for the functions, on the test's
#                 own docker network.
#
# The tags carry a hash of this script and the pins it installs, so an image is rebuilt exactly
# when its recipe changes and is otherwise reused (a no-op when both exist). Needs a Docker
# engine (run it through with-docker.sh) and root (debootstrap).
#
#   build-image.sh            build what is missing
#   build-image.sh --print    print lambda=<image> and moto=<image>, build nothing
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/tools/sam-local"
PY_VERSION=3.13
AWSLAMBDARIC=awslambdaric==4.2.2
# The versions the project pins (requirements-dev.txt), so the images match the host tools.
BOTO3=$(grep -E '^boto3==' "$ROOT/requirements-dev.txt")
MOTO=$(grep -E '^moto\[' "$ROOT/requirements-dev.txt" | sed 's/\[[^]]*\]/[server]/')

# Only the pins the images use: another dev tool's pin (ruff, mypy stubs...) rebuilds nothing.
recipe=$({ cat "$0"; echo "$BOTO3 $MOTO"; } | sha256sum | cut -c1-10)
LAMBDA_IMAGE="community-sam-local/lambda-python:$PY_VERSION-$recipe"
MOTO_IMAGE="community-sam-local/moto:$recipe"

if [ "${1:-}" = "--print" ]; then
  echo "lambda=$LAMBDA_IMAGE"
  echo "moto=$MOTO_IMAGE"
  exit 0
fi

have() { docker image inspect "$1" >/dev/null 2>&1; }
if have "$LAMBDA_IMAGE" && have "$MOTO_IMAGE"; then
  echo "sam-image: $LAMBDA_IMAGE and $MOTO_IMAGE exist; nothing to do" >&2
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "sam-image: building the images needs root (debootstrap)" >&2; exit 1; }
"$HERE/install-packages.sh"

# The machine's own Debian mirror and release (deb822 or one-line sources).
. /etc/os-release
SUITE=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}
MIRROR=$(
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'
  } | grep -v -- '-security' | grep -m1 '/debian/*$' || true
)
[ -n "$MIRROR" ] || { echo "sam-image: no Debian mirror found in the apt sources" >&2; exit 1; }

# The interpreter: the project's Python 3.13 (tools/python313.sh), copied to /var/lang.
PYTHON=$("$ROOT/tools/python313.sh")
PREFIX=$("$PYTHON" -c 'import sys; print(sys.base_prefix)')
[ -x "$PREFIX/bin/python$PY_VERSION" ] || { echo "sam-image: no $PREFIX/bin/python$PY_VERSION" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/sam-image.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ROOTFS="$WORK/rootfs"
echo "sam-image: debootstrap $SUITE from $MIRROR (about a minute)" >&2
debootstrap --variant=minbase \
  --include=ca-certificates,tzdata,libssl3,libsqlite3-0,libffi8,libbz2-1.0,liblzma5,zlib1g,libexpat1,libncursesw6,libreadline8,libuuid1 \
  "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 </dev/null ||
  { tail -30 "$WORK/debootstrap.log" >&2; exit 1; }
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*

echo "sam-image: Python $PY_VERSION from $PREFIX -> /var/lang" >&2
mkdir -p "$ROOTFS/var/lang/bin" "$ROOTFS/var/lang/lib" "$ROOTFS/var/task" "$ROOTFS/opt" "$ROOTFS/var/runtime"
cp -a "$PREFIX/bin/python$PY_VERSION" "$ROOTFS/var/lang/bin/"
ln -s "python$PY_VERSION" "$ROOTFS/var/lang/bin/python3"
ln -s "python$PY_VERSION" "$ROOTFS/var/lang/bin/python"
cp -a "$PREFIX"/lib/libpython"$PY_VERSION"* "$ROOTFS/var/lang/lib/" 2>/dev/null || true
tar -C "$PREFIX/lib" -c \
  --exclude="python$PY_VERSION/test" --exclude="python$PY_VERSION/idlelib" \
  --exclude="python$PY_VERSION/tkinter" --exclude="python$PY_VERSION/site-packages/*" \
  "python$PY_VERSION" | tar -C "$ROOTFS/var/lang/lib" -x
chroot "$ROOTFS" /usr/bin/env -i LD_LIBRARY_PATH=/var/lang/lib "/var/lang/bin/python$PY_VERSION" -c \
  'import ssl, sqlite3, ctypes, hashlib, uuid, lzma, bz2, zlib, decimal, json, zoneinfo; ssl.create_default_context()'

echo "sam-image: $AWSLAMBDARIC and $BOTO3 -> /var/runtime" >&2
"$PYTHON" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-compile --only-binary=:all: \
  --target "$ROOTFS/var/runtime" "$AWSLAMBDARIC" "$BOTO3" 2>&1 | grep -v "^WARNING: Location" >&2 || true
[ -d "$ROOTFS/var/runtime/awslambdaric" ] || { echo "sam-image: awslambdaric did not install" >&2; exit 1; }

cat >"$ROOTFS/var/runtime/bootstrap" <<BOOTSTRAP
#!/bin/sh
# Started by the Runtime Interface Emulator, as Lambda starts its python$PY_VERSION runtime.
export LAMBDA_TASK_ROOT="\${LAMBDA_TASK_ROOT:-/var/task}"
export LAMBDA_RUNTIME_DIR=/var/runtime
export LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib
export PATH=/var/lang/bin:/usr/local/bin:/usr/bin:/bin:/opt/bin
export PYTHONPATH=/var/task:/opt/python/lib/python$PY_VERSION/site-packages:/opt/python:/var/runtime
cd /var/task
exec /var/lang/bin/python$PY_VERSION -m awslambdaric "\$_HANDLER"
BOOTSTRAP
chmod 755 "$ROOTFS/var/runtime/bootstrap"

if ! have "$LAMBDA_IMAGE"; then
  echo "sam-image: importing $LAMBDA_IMAGE" >&2
  tar -C "$ROOTFS" -c . | docker import \
    -c 'ENTRYPOINT ["/var/runtime/bootstrap"]' -c 'WORKDIR /var/task' \
    -c 'ENV LANG=C.UTF-8 TZ=:UTC LAMBDA_TASK_ROOT=/var/task LAMBDA_RUNTIME_DIR=/var/runtime' \
    - "$LAMBDA_IMAGE" >/dev/null
fi

if ! have "$MOTO_IMAGE"; then
  echo "sam-image: $MOTO -> $MOTO_IMAGE" >&2
  EXTRA="$WORK/extra"
  mkdir -p "$EXTRA/srv/moto"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-compile \
    --target "$EXTRA/srv/moto" "$MOTO" 2>&1 | grep -v "^WARNING: Location" >&2 || true
  [ -d "$EXTRA/srv/moto/moto" ] || { echo "sam-image: moto did not install" >&2; exit 1; }
  cat >"$EXTRA/srv/moto/serve" <<SERVE
#!/bin/sh
# moto's server on port 5000 of the container (reached as http://moto:5000 on the network).
export LD_LIBRARY_PATH=/var/lang/lib PYTHONPATH=/srv/moto
exec /var/lang/bin/python$PY_VERSION -m moto.server -H 0.0.0.0 -p 5000
SERVE
  chmod 755 "$EXTRA/srv/moto/serve"
  tar -c -C "$ROOTFS" --exclude=./var/runtime . -C "$EXTRA" srv/moto | docker import \
    -c 'ENTRYPOINT ["/srv/moto/serve"]' -c 'ENV LANG=C.UTF-8' -c 'EXPOSE 5000' \
    - "$MOTO_IMAGE" >/dev/null
fi
# Images of older recipes are dead weight (vfs stores every image in full).
docker image ls --format '{{.Repository}}:{{.Tag}}' | grep '^community-sam-local/' |
  grep -vxF -e "$LAMBDA_IMAGE" -e "$MOTO_IMAGE" | xargs -r docker image rm >/dev/null 2>&1 || true
echo "sam-image: ready: $LAMBDA_IMAGE $MOTO_IMAGE" >&2
