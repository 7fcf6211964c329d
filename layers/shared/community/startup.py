"""The explicit start-up of a process that uses `community`: importing the package does
nothing (no settings read, no client made, no hook registered); this does it all, once.

Lambda functions call it during init: `create_app` (every HTTP function, at module level) and
the reminder sweep's module. Tools call it from their entry points, after setting the
environment; the tests call it once per session, then rebind the data layer to each test's
tables (`community.data.models.bind`). The one module outside `community.data` that reaches
into it: binding and priming are start-up, and nothing above it needs to know how."""

from community import snapstart
from community.data import models
from community.observability import configure
from community.settings import get_settings

_started = False


def start() -> None:
    """Read the settings, name the logs and metrics after them (and start tracing when it is
    on), bind the data layer to the configured tables and endpoint, and register the SnapStart
    hooks. Only the first call does anything: `make run` loads every function into one
    process, and each of their `create_app`s calls this."""
    global _started
    if _started:
        return
    settings = get_settings()
    configure(settings)
    models.bind(settings)
    snapstart.register()
    _started = True


def prime() -> None:
    """Create and warm the DynamoDB client now rather than on the first request
    (`community.data.models.prime`): `create_app` calls this during init, so a SnapStart
    snapshot holds the primed client and an on-demand cold start pays for it with init's CPU."""
    models.prime()
