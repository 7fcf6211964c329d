"""The environment the functions get outside AWS, in one place: `make run` and the commands that
talk to its tables (seed-events, make-admin, remind, openapi), `sam local` (devkit.samlocal_sam)
and the benchmark (bench/run.py) all start from LOCAL_DEFAULTS and change only what they must.
Documented in docs/api.md ("`make run` settings"). Lambda never sees any of it: there the
secrets come from Secrets Manager and the settings refuse to start without them."""

import os
from collections.abc import Mapping

from devkit.template import table_env_vars

REGION = "us-east-1"
LOCAL_SECRETS = {
    "TELEGRAM_BOT_TOKEN": "123456:LOCAL-DEV-BOT-TOKEN",
    "JWT_SECRET": "local-dev-jwt-secret-change-me-0123456789abcdef",
    "TELEGRAM_WEBHOOK_SECRET": "local-dev-webhook-secret-0123456789",
}
# Credentials no AWS account accepts: whatever the machine is configured for, a local run that
# sets these cannot reach it by mistake.
DUMMY_AWS = {
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
}
LOCAL_DEFAULTS = {
    **LOCAL_SECRETS,
    **DUMMY_AWS,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "Community",
    "POWERTOOLS_SERVICE_NAME": "community-api",
    # `make run` replaces it with its own origin (PUBLIC_BASE_URL for its port).
    "PUBLIC_BASE_URL": "http://127.0.0.1:3000",
    # moto's SES refuses a sender that is not a verified identity, as SES does: make run
    # verifies this one there at start.
    "SES_SENDER": "community@example.com",
}


def table_names(prefix: str = "community") -> dict[str, str]:
    """Environment variable -> table name, for every table the template gives the functions:
    USERS_TABLE -> community-users (the local default), bench-users for prefix "bench"."""
    return {
        variable: f"{prefix}-{variable.removesuffix('_TABLE').lower().replace('_', '-')}"
        for variable in table_env_vars()
    }


def use_local_defaults(*more: Mapping[str, str]) -> None:
    """LOCAL_DEFAULTS (then `more`) for whatever this process's environment leaves unset: what
    the shell sets wins."""
    for values in (LOCAL_DEFAULTS, *more):
        for name, value in values.items():
            os.environ.setdefault(name, value)
