"""The bot's part of template.yaml: the sweep's schedule, and least privilege. The sweep reads
events and RSVPs and writes only its own records; the webhook cannot change events (it reads
the keys-only listing index and those events, nothing else) and writes only update ids; the
notice sender is fed only new NOTICE# records by the stream, with bounded retries, an on-failure
queue and its alarm, and writes only its claims."""

import json
from typing import Any

from support.template_facts import DYNAMODB_WRITES, FUNCTIONS, RESOURCES, grants, table_of

from community.data.announcements import RECHECK_PREFIX
from community.data.notifications import (
    EMAIL_REMINDER_PREFIX,
    REMINDER_PREFIX,
    TOLD_PREFIX,
    UNREACHABLE_PREFIX,
    UPDATE_PREFIX,
)
from community.data.outbox import NOTICE_PREFIX


def leading_keys(condition: dict[str, Any]) -> set[str]:
    return set(condition.get("ForAllValues:StringLike", {}).get("dynamodb:LeadingKeys", []))


def test_the_sweep_runs_every_five_minutes_without_retries_or_overlap() -> None:
    sweep = FUNCTIONS["ReminderSweepFunction"]["Properties"]
    (schedule,) = sweep["Events"].values()

    assert schedule["Type"] == "Schedule"
    assert schedule["Properties"]["Schedule"] == "rate(5 minutes)"
    assert sweep["EventInvokeConfig"]["MaximumRetryAttempts"] == 0
    assert sweep["Timeout"] < 300  # a sweep ends before the next one starts
    assert sweep["Environment"]["Variables"]["REMINDER_OFFSETS"] == {"Ref": "ReminderOffsets"}


def test_the_sweep_reads_events_and_rsvps_and_writes_only_its_own_records() -> None:
    writes = []
    for granted, resources, condition in grants("ReminderSweepFunction"):
        tables = {table_of(resource) for resource in resources}
        if granted & DYNAMODB_WRITES:
            writes.append(granted)
            assert tables == {"NotificationsTable"}
            if leading_keys(condition) == {f"{NOTICE_PREFIX}*"}:
                # A channel card behind its event: the minute's slot, a new record (put only).
                assert granted == {"dynamodb:PutItem"}
                continue
            assert leading_keys(condition) == {
                f"{REMINDER_PREFIX}*",
                f"{EMAIL_REMINDER_PREFIX}*",
                f"{UNREACHABLE_PREFIX}*",
            }
        elif "EventsTable" in tables:
            # The keys-only index, then the events themselves: item reads, no scan, no write.
            assert granted in ({"dynamodb:Query"}, {"dynamodb:BatchGetItem"})
            if granted == {"dynamodb:Query"}:
                assert {"Fn::Sub": "${EventsTable.Arn}/index/by_start_date"} in resources
                assert {"Fn::GetAtt": ["EventsTable", "Arn"]} not in resources
    assert writes, "the sweep claims reminders"
    read = {
        (action, table_of(resource))
        for granted, resources, _ in grants("ReminderSweepFunction")
        for action in granted
        for resource in resources
    }
    assert {("dynamodb:Query", "EventsTable"), ("dynamodb:Query", "AttendancesTable")} <= read


def test_the_webhook_cannot_change_events_and_writes_only_update_ids() -> None:
    for granted, resources, condition in grants("TelegramWebhookFunction"):
        for resource in resources:
            if table_of(resource) == "EventsTable":
                # /events: the keys-only listing index, then those events; nothing else.
                assert (granted, resource) in (
                    ({"dynamodb:Query"}, {"Fn::Sub": "${EventsTable.Arn}/index/by_start_date"}),
                    ({"dynamodb:BatchGetItem"}, {"Fn::GetAtt": ["EventsTable", "Arn"]}),
                )
            else:
                assert table_of(resource) == "NotificationsTable"
                assert granted == {"dynamodb:PutItem"}
                assert leading_keys(condition) == {f"{UPDATE_PREFIX}*"}


def test_the_webhook_secret_is_generated_in_secrets_manager_in_telegrams_alphabet() -> None:
    secret = RESOURCES["TelegramWebhookSecret"]["Properties"]["GenerateSecretString"]
    assert secret["ExcludePunctuation"] is True  # Telegram allows A-Z, a-z, 0-9, _ and -
    assert 32 <= secret["PasswordLength"] <= 256
    variables = FUNCTIONS["TelegramWebhookFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["TELEGRAM_WEBHOOK_SECRET_ARN"] == {"Ref": "TelegramWebhookSecret"}


def test_the_notifications_table_expires_its_records_and_survives_replacement() -> None:
    table = RESOURCES["NotificationsTable"]
    assert table["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": "expires_at",
        "Enabled": True,
    }
    # Losing the claims would send every due reminder again.
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True}


SENDER = "NoticeSenderFunction"


def test_the_notice_sender_is_fed_new_notices_by_the_stream_with_bounded_retries() -> None:
    table = RESOURCES["NotificationsTable"]["Properties"]
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    (source,) = FUNCTIONS[SENDER]["Properties"]["Events"].values()
    mapping = source["Properties"]
    assert source["Type"] == "DynamoDB"
    assert mapping["Stream"] == {"Fn::GetAtt": ["NotificationsTable", "StreamArn"]}
    # Only INSERTs of NOTICE# keys: the sender's own claims (TOLD#) never invoke it.
    (only,) = mapping["FilterCriteria"]["Filters"]
    pattern = json.loads(only["Pattern"])
    assert pattern == {
        "eventName": ["INSERT"],
        "dynamodb": {"Keys": {"pk": {"S": [{"prefix": NOTICE_PREFIX}]}}},
    }
    assert not TOLD_PREFIX.startswith(NOTICE_PREFIX)
    # Partial failures reported, retries bounded, a poisoned batch split, then recorded.
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 0 < mapping["MaximumRetryAttempts"] <= 10
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["NoticeFailuresQueue", "Arn"]}
    alarm = RESOURCES["NoticeFailuresAlarm"]["Properties"]
    assert alarm["Namespace"] == "AWS/SQS"
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["NoticeFailuresQueue", "QueueName"]}
    assert alarm["Threshold"] == 1


def test_the_notice_sender_reads_what_it_tells_and_writes_only_its_claims() -> None:
    writes = []
    for granted, resources, condition in grants(SENDER):
        tables = {table_of(resource) for resource in resources}
        if granted & DYNAMODB_WRITES and tables == {"EventsTable"}:
            # The channel card's fields on the event (its claim, message id, hash): an update
            # of an event that exists, never a new or deleted one.
            assert granted == {"dynamodb:UpdateItem"}
        elif granted & DYNAMODB_WRITES:
            writes.append(granted)
            assert tables == {"NotificationsTable"}
            # Never the NOTICE# records themselves: only the outbox's writers make those.
            assert leading_keys(condition) == {
                f"{TOLD_PREFIX}*",
                f"{UNREACHABLE_PREFIX}*",
                f"{RECHECK_PREFIX.split('#')[0]}#*",
            }
        elif "EventsTable" in tables:
            assert granted == {"dynamodb:GetItem"}
    assert writes, "the sender claims each send"
