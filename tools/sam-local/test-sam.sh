#!/usr/bin/env bash
# `make test-sam`: every function under the real `sam local invoke`, and a walk-through over
# HTTP against `sam local start-api` (tests/e2e/test_sam_local.py), in Docker.
#
# Without a Docker engine (not root, no daemon) this fails loudly, unless SKIP_SAM_LOCAL=1 is
# set explicitly. Expects `sam build` to have run (make test-sam depends on make build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
if [ "${SKIP_SAM_LOCAL:-}" = "1" ]; then
  cat >&2 <<'MSG'

################################################################################
sam-local: SKIPPED because SKIP_SAM_LOCAL=1: the functions were NOT run under
`sam local invoke` / `sam local start-api` (layers, handler paths, the runtime).
################################################################################

MSG
  exit 0
fi
started=$(date +%s)
status=0
tools/sam-local/with-docker.sh bash -c '
  tools/sam-local/build-image.sh &&
  .venv/bin/python -m pytest -m sam_local tests/e2e/test_sam_local.py "$@"
' test-sam "$@" || status=$?
echo "sam-local: test-sam took $(( $(date +%s) - started )) s (logs: .local/sam-local/)" >&2
exit $status
