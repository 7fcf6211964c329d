"""Lambda SnapStart hooks. A snapshot is taken after init and restored for many execution
environments, so: do expensive, identity-free work before the snapshot (the botocore client
and its loaded service model), and after a restore refresh what must differ per environment.
Secrets are never fetched before the snapshot, so none is stored in it."""

import random

from community.data import models
from community.observability import logger

try:
    # Provided by Lambda's Python runtime (3.12+); absent locally, where there is no snapshot.
    from snapshot_restore_py import register_after_restore, register_before_snapshot
except ImportError:
    register_after_restore = register_before_snapshot = None


def before_snapshot() -> None:
    models.connection().client  # noqa: B018 - creating it is the point


def after_restore() -> None:
    # Restored environments share the snapshot's PRNG state; only retry jitter uses `random`
    # (tokens and codes come from `secrets`, which reads the OS), but jitter must differ too.
    random.seed()
    logger.append_keys(restored_from_snapshot=True)


if register_before_snapshot is not None and register_after_restore is not None:
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
