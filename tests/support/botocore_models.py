"""One botocore loader for every session of the test process.

botocore parses its JSON models (endpoints, partitions, DynamoDB's API, its waiters) afresh for
each session, and the suite makes several sessions per test: moto's mock_aws starts boto3 on a
new default session, and PynamoDB makes one for each connection the data layer binds. Under
load that was about half a second a session, on some 1,300 DynamoDB tests. A Lambda container
makes its sessions once, so what the tests check does not depend on it; sharing the loader
only parses each file once per test process. `install()` runs before anything makes a session
(tests/conftest.py)."""

import os
import threading

import boto3
import botocore.loaders
import botocore.session
import pynamodb.connection.base

# boto3 adds its own data directory to every session's loader when it makes a boto3 Session.
BOTO3_DATA_PATH = os.path.join(os.path.dirname(boto3.__file__), "data")


class PathsOnce(list[str]):
    """A search path that a second boto3 Session does not lengthen: without this, every new
    default session (moto makes one per test) would add boto3's directory once more."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


SHARED_LOADER = botocore.loaders.Loader(extra_search_paths=PathsOnce([BOTO3_DATA_PATH]))


def shared_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
    if search_path_string:  # AWS_DATA_PATH: a loader of its own, as botocore would make it
        return botocore.loaders.create_loader(search_path_string)
    return SHARED_LOADER


_sessions = threading.local()
_new_session = botocore.session.get_session


def thread_session() -> botocore.session.Session:
    """PynamoDB's session for a connection: one per thread for the process, where PynamoDB
    makes one per connection and thread, and the tests bind a new connection per test
    (~40 ms a session, registering botocore's handlers). Per thread, as PynamoDB keeps them:
    a session is not safe to make clients from in several threads. Each connection still
    makes its own client, so a hook a test puts on a client stays with that test."""
    session = getattr(_sessions, "session", None)
    if session is None:
        session = _sessions.session = _new_session()
    return session


def install() -> None:
    botocore.session.create_loader = shared_loader  # type: ignore[assignment]
    pynamodb.connection.base.get_session = thread_session
