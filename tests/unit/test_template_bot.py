"""The bot's part of template.yaml: the sweep's schedule, and least privilege. The sweep reads
events and RSVPs and writes only its own records; the webhook changes events only by linking a
chat to one (/linkevent), reads the listing index, events, members and attendances, and writes
only its records (update ids, linked chats, held join requests); the
notice sender is fed only new NOTICE# records by the stream, with bounded retries, an on-failure
queue and its alarm, and writes only its claims."""

import json
from typing import Any

from support.template_facts import DYNAMODB_WRITES, FUNCTIONS, RESOURCES, grants, table_of

from community.data.chats import CHAT_PREFIX, JOIN_REQUEST_PREFIX
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


def test_the_webhook_changes_events_only_by_linking_a_chat_and_writes_only_its_records() -> None:
    granted_on: dict[str, set[str]] = {}
    for granted, resources, condition in grants("TelegramWebhookFunction"):
        for resource in resources:
            table = table_of(resource)
            if table == "EventsTable":
                # /events: the keys-only listing index, then those events; /linkevent: the
                # event, and its chat fields (data/chats.py: link, in a transaction).
                assert (granted, resource) in (
                    ({"dynamodb:Query"}, {"Fn::Sub": "${EventsTable.Arn}/index/by_start_date"}),
                    (
                        {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:UpdateItem"},
                        {"Fn::GetAtt": ["EventsTable", "Arn"]},
                    ),
                )
            elif granted & DYNAMODB_WRITES:
                assert table == "NotificationsTable"
                assert granted == {"dynamodb:PutItem"}
                assert leading_keys(condition) == {
                    f"{UPDATE_PREFIX}*",
                    f"{CHAT_PREFIX}*",
                    f"{JOIN_REQUEST_PREFIX}*",
                }
            else:
                granted_on.setdefault(table, set()).update(granted)
    # Reads only, elsewhere: the sender's role, a join request's member and the group's CHAT#
    # record (one BatchGetItem over both tables), the member's attendance.
    assert granted_on == {
        "UsersTable": {"dynamodb:GetItem", "dynamodb:BatchGetItem"},
        "NotificationsTable": {"dynamodb:BatchGetItem"},
        "AttendancesTable": {"dynamodb:GetItem"},
    }


def test_only_the_functions_that_call_the_bot_api_hold_its_token() -> None:
    holders = {
        name
        for name, function in FUNCTIONS.items()
        if "TELEGRAM_BOT_TOKEN_SECRET_ARN"
        in function["Properties"].get("Environment", {}).get("Variables", {})
    }
    # The webhook since /linkevent (getChatMember, createChatInviteLink).
    assert {"TelegramWebhookFunction", "ReminderSweepFunction", SENDER} <= holders
    assert "EventRsvpStatusFunction" not in holders


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
        if granted & DYNAMODB_WRITES:
            writes.append(granted)
            assert tables == {"NotificationsTable"}
            # Never the NOTICE# records themselves: only the outbox's writers make those.
            # JOINREQ#: a promoted member's held join request (data/chats.py: take_request).
            assert leading_keys(condition) == {
                f"{TOLD_PREFIX}*",
                f"{UNREACHABLE_PREFIX}*",
                f"{JOIN_REQUEST_PREFIX}*",
            }
        elif "EventsTable" in tables:
            assert granted == {"dynamodb:GetItem"}
    assert writes, "the sender claims each send"
