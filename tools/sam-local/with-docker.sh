#!/usr/bin/env bash
# Runs "$@" with a Docker engine available.
#
# An engine that already answers is used and left running. Otherwise, as root, this installs
# docker.io if needed, starts dockerd in the background (output to a log file, stdin from
# /dev/null, so it never holds this run's output open) and stops it again when "$@" ends,
# whatever way it ends. dockerd runs with --iptables=false: it does not touch the host's
# firewall and sets up no NAT, so containers reach only this machine and each other.
# Storage: overlay2 where the kernel and filesystem allow an overlay mount (much faster:
# sam local builds an image with the layers and starts a container per invoke), else vfs;
# override with SAM_LOCAL_STORAGE_DRIVER.
#
# Runs beside each other (two `make test`s on one machine) share the engine this tooling started:
# each holds a shared lock on it while "$@" runs, and the last one out stops it (a run that
# stopped it under another still invoking would fail that one's sam local tests). An engine
# started by anyone else is never stopped.
#
# Exit status: that of "$@"; 70 when no engine can be had.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LOG_DIR=${SAM_LOCAL_LOG_DIR:-$ROOT/.local/sam-local}
mkdir -p "$LOG_DIR"

engine_answers() { docker info >/dev/null 2>&1; }

no_engine() {
  cat >&2 <<MSG

################################################################################
sam-local: NO DOCKER ENGINE: $1
  'sam local invoke' / 'sam local start-api' need one. Run as root (the tooling then
  installs docker.io and starts dockerd itself), or start a Docker engine yourself.
  To skip the sam-local suite deliberately: SKIP_SAM_LOCAL=1 make test
################################################################################

MSG
  exit 70
}

# Machine-wide, not per checkout: the engine is the machine's. START_LOCK: one run at a time
# starts or stops the engine; USERS_LOCK: held shared by every run using it. Without flock, a
# run stops what it started, as before (runs beside each other are then not safe).
LOCK_DIR=/run/lock
[ -w "$LOCK_DIR" ] || LOCK_DIR=${TMPDIR:-/tmp}
OURS=$LOCK_DIR/sam-local-dockerd.pid  # the dockerd this tooling started, while it runs
HAVE_FLOCK=""
if command -v flock >/dev/null; then
  HAVE_FLOCK=1
  exec 9>>"$LOCK_DIR/sam-local-docker-start.lock" 8>>"$LOCK_DIR/sam-local-docker-users.lock"
  flock -x 9
fi

started_pid=""
stop_engine() {
  local pid=$started_pid
  if [ -n "$HAVE_FLOCK" ]; then
    flock -x 9
    flock -u 8
    # Another run still uses the engine: the last one out stops it.
    flock -n -x 8 || { echo "sam-local: leaving dockerd running for the run beside this one" >&2; flock -u 9; return 0; }
    pid=$(cat "$OURS" 2>/dev/null || true)
    # Only a dockerd: the file may outlive its process (a killed run) and the pid be reused.
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || { rm -f "$OURS"; return 0; }
  fi
  [ -n "$pid" ] || return 0
  echo "sam-local: stopping the dockerd this tooling started (pid $pid)" >&2
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$OURS"
}
trap stop_engine EXIT
trap 'exit 130' INT TERM

if ! engine_answers; then
  [ "$(id -u)" -eq 0 ] || no_engine "none answers and only root can start one (you are $(id -un))"
  "$ROOT/tools/sam-local/install-packages.sh" || no_engine "could not install docker.io"
  pidfile=/var/run/docker.pid
  if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    rm -f "$pidfile"  # left by a dockerd that was killed
  fi
  driver=${SAM_LOCAL_STORAGE_DRIVER:-}
  if [ -z "$driver" ]; then
    mkdir -p /var/lib/docker
    probe=$(mktemp -d /var/lib/docker/.overlay-probe.XXXXXX)
    mkdir -p "$probe"/{lower,upper,work,merged}
    driver=vfs
    if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" \
      "$probe/merged" 2>/dev/null; then
      umount "$probe/merged"
      driver=overlay2
    fi
    rm -rf "$probe"
  fi
  echo "sam-local: starting dockerd, storage $driver (log: $LOG_DIR/dockerd.log)" >&2
  setsid dockerd --storage-driver="$driver" --iptables=false --ip6tables=false \
    >"$LOG_DIR/dockerd.log" 2>&1 </dev/null 8>&- 9>&- &
  started_pid=$!
  echo "$started_pid" >"$OURS"
  for _ in $(seq 1 120); do
    engine_answers && break
    kill -0 "$started_pid" 2>/dev/null || { tail -20 "$LOG_DIR/dockerd.log" >&2; no_engine "dockerd exited"; }
    sleep 0.5
  done
  engine_answers || { tail -20 "$LOG_DIR/dockerd.log" >&2; no_engine "dockerd did not answer within 60 s"; }
fi

# This run uses the engine until it ends; others may start using it now.
[ -z "$HAVE_FLOCK" ] || { flock -s 8; flock -u 9; }
# Not inherited: a process that outlives "$@" must not hold this run's locks.
"$@" 8>&- 9>&-
