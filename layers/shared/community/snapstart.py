"""Lambda SnapStart hooks. A snapshot is taken after init and restored for many execution
environments. The expensive, identity-free work (the DynamoDB client, primed) is done by init
itself (`create_app` -> `startup.prime`), so the snapshot holds it; after a restore, refresh what
must differ per environment. Secrets are never fetched before the snapshot, so none is stored
in it: the first request after a restore fetches them (Powertools caches them for
SECRETS_MAX_AGE_SECONDS), as AWS recommends for anything that may rotate."""

import random

from community.observability import logger


def after_restore() -> None:
    # Restored environments share the snapshot's PRNG state; only retry jitter uses `random`
    # (tokens and codes come from `secrets`, which reads the OS), but jitter must differ too.
    random.seed()
    logger.append_keys(restored_from_snapshot=True)


def register() -> None:
    """Hand the hooks to the runtime (start-up does, once per process)."""
    try:
        # Provided by Lambda's Python runtime (3.12+); absent locally, where there is no snapshot.
        from snapshot_restore_py import register_after_restore
    except ImportError:
        return
    register_after_restore(after_restore)
