"""moto's server with one lock around every request: a model of DynamoDB's serializable
transactions, which moto's threaded server does not give.

moto runs a TransactWriteItems by deep-copying the tables it touches and, when any condition
fails, putting those copies back, with no lock (moto/dynamodb/models/__init__.py,
`transact_write_items`). Two requests at once can therefore undo each other: a cancelled
RSVP restores a copy taken before another RSVP committed, and that RSVP's attendance is lost
although it was answered 201. DynamoDB itself isolates transactions (they are serializable);
this server does too, by handling one request at a time, so races here test the service's
conditions and not moto's rollback. Usage: python serialized_moto_server.py HOST PORT"""

import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def serialized(app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    lock = threading.Lock()

    def handle(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            # The whole body is produced inside the lock: moto builds it from live state.
            return list(app(environ, start_response))

    return handle


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, serialized(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
