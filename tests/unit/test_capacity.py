"""`make capacity` (devkit.capacity): item sizes by DynamoDB's rules, the modelled calls equal
the calls the endpoints really make, and the check can fail."""

import ast
from pathlib import Path

import pytest

from community.data.sizes import item_size, number_size
from devkit.capacity.cli import main, parse_args
from devkit.capacity.model import PARTITION_RCU, calls_of, compute
from devkit.capacity.scenario import Scenario

FAULT_INJECTION = Path(__file__).parents[1] / "integration" / "test_fault_injection.py"


def measured_calls() -> dict[str, list[str]]:
    """The CALLS table that test_fault_injection checks against the calls really made."""
    module = ast.parse(FAULT_INJECTION.read_text())
    for node in module.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "CALLS":
            calls: dict[str, list[str]] = ast.literal_eval(node.value)
            return calls
    raise AssertionError("no CALLS table")


def test_item_sizes_follow_dynamodb_rules() -> None:
    # Names and values in UTF-8 bytes; numbers by significant digits; booleans one byte.
    assert item_size({"id": {"S": "abc"}}) == 2 + 3
    assert item_size({"t": {"S": "жж"}}) == 1 + 4
    assert item_size({"ok": {"BOOL": True}}) == 2 + 1
    assert number_size("0") == 1
    assert number_size("123456") == 3 + 1
    assert number_size("12345678.90") == 5 + 1  # the trailing zero is trimmed: 9 digits
    assert number_size("-0.001") == 1 + 1
    assert item_size({"m": {"M": {"a": {"N": "1"}}}}) == 1 + 3 + 1 + 1 + 2
    assert item_size({"l": {"L": [{"S": "ab"}, {"NULL": True}]}}) == 1 + 3 + (1 + 2) + (1 + 1)


def test_the_modelled_calls_are_the_calls_each_endpoint_makes() -> None:
    # Given the model of the default scenario
    report = compute(Scenario())

    # Then every modelled request type makes the calls, in order, that its endpoint makes
    modelled = calls_of(report)
    # The stream-fed notice sender has no HTTP fixture: test_notices.py measures its calls.
    del modelled["NoticeSenderFunction"]
    assert modelled == {function: measured_calls()[function] for function in modelled}


def test_the_default_scenario_has_every_partition_key_value_under_its_limits() -> None:
    # Given the launch-day scenario of issue 15 (the argparse defaults)
    report = compute(parse_args([]))

    # Then no partition key value of any table or index is over 3,000 RCU/s or 1,000 WCU/s
    assert report.over_limit == []
    assert main([]) == 0
    # And the one listing partition every active event shares is far below them
    active = report.per_key[("EventsTable", "by_start_date", "listing=ACTIVE")]
    assert active.wcu == 0
    assert active.rcu < PARTITION_RCU / 4


def test_the_default_scenario_writes_no_index_on_an_rsvp_but_its_attendance() -> None:
    report = compute(Scenario())

    rsvp = report.per_request["POST /events/{id}/rsvp"]
    # The attendance (transactional, 2 units per KB), its by_member entry, the event.
    assert rsvp["AttendancesTable"].wcu == pytest.approx(2)
    assert rsvp["AttendancesTable.by_member"].wcu == pytest.approx(1)
    # With a channel card (the default), the minute's card slot too: one small item.
    assert rsvp["NotificationsTable"].wcu == pytest.approx(2)
    assert set(rsvp) == {
        "UsersTable",
        "EventsTable",
        "AttendancesTable",
        "AttendancesTable.by_member",
        "NotificationsTable",
    }


def test_a_hot_scenario_is_flagged_and_fails_the_command(capsys) -> None:  # type: ignore[no-untyped-def]
    # Given every RSVP of the default rate on a single event
    argv = ["--rsvps-per-second", "2000", "--rsvp-events", "1"]

    # When the model runs
    report = compute(parse_args(argv))
    status = main(argv)

    # Then that event's partition is over 1,000 WCU/s, printed, and the command fails
    hot = [(table, index, key) for table, index, key, _ in report.over_limit]
    assert ("EventsTable", None, "id=<event #1>") in hot
    assert status == 1
    assert "OVER" in capsys.readouterr().out


def test_every_referral_writes_the_one_all_time_partition_and_a_burst_of_them_is_flagged() -> None:
    # Given the default scenario: half the first logins through one member's code
    report = compute(Scenario())
    listing = ("UsersTable", "by_referrals", "referral_listing=REFERRERS")
    referred = report.scenario.logins * report.scenario.referred_share

    # Then each moves the referrer's keys-only entry in the all-time partition (a delete and
    # a put: 2 WCU), far below a partition's 1,000 WCU/s
    assert report.per_key[listing].wcu == pytest.approx(2 * referred)
    assert report.per_key[listing].wcu < 1000 / 20

    # And 600 referred first logins a second (all through one code) would be over it
    hot = compute(parse_args(["--logins-per-second", "600", "--referred-share", "1"]))
    assert listing in [(table, index, key) for table, index, key, _ in hot.over_limit]
