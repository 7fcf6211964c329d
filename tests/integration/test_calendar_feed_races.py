"""Races for a member's calendar feed token through the real handlers on servers over HTTP
that isolate requests (moto's, serialized; dynalite has no transactions): concurrent first
requests for the address end with one token, concurrent resets with one working token."""

import pytest
from support.backends import ServerBackend
from support.calendar_feeds import (
    CALENDAR_GUARDS,
    calendar_links,
    feed_file,
    feed_url,
    poll,
    reset_links,
)
from support.flows import body_of, login
from support.races import all_at_once, retrying_503

from community.data.models import CalendarGuard, User


def test_concurrent_first_requests_end_with_one_token(isolating_backend: ServerBackend) -> None:
    if not isolating_backend.supports_transactions:
        pytest.xfail("dynalite 4.0.0 has no TransactWriteItems: a token is issued in one")
    # Given a member who never asked for the feed
    alice = login(42, "Alice")

    # When twenty requests for its address arrive at once
    retried: list[int] = []
    answers = all_at_once(
        lambda _: retrying_503(lambda: calendar_links(alice["token"]), retried), list(range(20))
    )

    # Then all got the same address, and there is one token: one guard, the member's hash
    assert [answer["statusCode"] for answer in answers] == [200] * 20
    urls = {body_of(answer)["url"] for answer in answers}
    assert len(urls) == 1, urls
    guards = list(CalendarGuard.scan(CALENDAR_GUARDS, consistent_read=True))
    assert len(guards) == 1
    member = User.get("USER#42", consistent_read=True)
    assert guards[0].pk == f"CALENDAR#{member.calendar_hash}"
    assert poll(feed_file(urls.pop()))["statusCode"] == 200


def test_concurrent_resets_end_with_one_working_token(isolating_backend: ServerBackend) -> None:
    if not isolating_backend.supports_transactions:
        pytest.xfail("dynalite 4.0.0 has no TransactWriteItems: a token is issued in one")
    alice = login(42, "Alice")
    old = feed_url(alice)

    retried: list[int] = []
    answers = all_at_once(
        lambda _: retrying_503(lambda: reset_links(alice["token"]), retried), list(range(10))
    )

    assert [answer["statusCode"] for answer in answers] == [200] * 10
    guards = list(CalendarGuard.scan(CALENDAR_GUARDS, consistent_read=True))
    assert len(guards) == 1
    current = body_of(calendar_links(alice["token"]))["url"]
    assert current != old
    assert poll(feed_file(old))["statusCode"] == 404
    assert poll(feed_file(current))["statusCode"] == 200
    # Every URL a reset answered that is not the current one is dead
    for answer in answers:
        url = body_of(answer)["url"]
        assert poll(feed_file(url))["statusCode"] == (200 if url == current else 404)
