"""The share function's part of template.yaml: its route reaches the origin with the member's
Authorization (its own CloudFront behaviour, keyed per member, before /api/v1/events/*), it
reads the member and the event and writes nothing, and the bot token goes only to the functions
that need it."""

from support.template_facts import (
    FUNCTIONS,
    RESOURCES,
    behavior,
    behavior_for,
    grants,
    table_of,
)


def test_a_share_reaches_the_origin_with_the_members_authorization() -> None:
    chosen = behavior_for("/api/v1/events/01HZX3K9Q7M2N4P6R8S0T1V3W5/share")

    assert chosen["PathPattern"] == "/api/v1/events/*/share"
    assert "POST" in chosen["AllowedMethods"]
    # In the cache key, so CloudFront forwards it whatever the method (and nothing is cached:
    # the answer is no-store).
    policy = RESOURCES[chosen["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["HeadersConfig"] == {"HeaderBehavior": "whitelist", "Headers": ["Authorization"]}
    assert chosen["CachePolicyId"] == behavior("/api/v1/events/*/rsvp")["CachePolicyId"]


def test_the_share_function_reads_the_member_and_the_event_and_writes_nothing() -> None:
    granted = {
        (action, table_of(resource))
        for actions, resources, _ in grants("EventShareFunction")
        for action in actions
        for resource in resources
    }

    assert granted == {("dynamodb:GetItem", "UsersTable"), ("dynamodb:GetItem", "EventsTable")}


def test_only_the_functions_that_need_the_bot_token_get_it() -> None:
    holders = {
        function
        for function, resource in FUNCTIONS.items()
        if "TELEGRAM_BOT_TOKEN_SECRET_ARN"
        in resource["Properties"].get("Environment", {}).get("Variables", {})
    }

    assert holders == {
        "GenerateCodeFunction",  # checks initData's signature (its key derives from the token)
        "ReminderSweepFunction",  # sendMessage
        "NoticeSenderFunction",  # sendMessage
        "EventShareFunction",  # savePreparedInlineMessage
        "TelegramWebhookFunction",  # /linkevent: getChatMember, createChatInviteLink (i29-chats)
    }
