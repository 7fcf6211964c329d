#!/usr/bin/env bash
# Installs the Debian packages the sam-local tooling needs (a Docker engine, debootstrap) when
# they are missing. Only root can; anyone else gets a clear message.
set -euo pipefail
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "sam-local: missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root." >&2
  exit 1
fi
echo "sam-local: installing ${missing[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
