"""The functions' Errors and Throttles alarms in template.yaml, written from the list below.

`make alarms` rewrites the part of template.yaml between the two marker lines; a test checks
that part is what this module renders. Why a generator and not CloudFormation's
`Fn::ForEach`: each function is one item of a metric math alarm's `Metrics` list, and ForEach
only makes map keys, never list items (docs/deploy.md).
"""

import sys
from dataclasses import dataclass

from devkit.template.reader import TEMPLATE_PATH, resources

BEGIN = (
    "  # BEGIN make alarms: generated from tools/devkit/template/alarms.py; edit the list there\n"
)
END = "  # END make alarms\n"

# CloudWatch takes at most 10 metrics in one metric math alarm, the expression adding them up
# included (tests/unit/test_template_production.py), hence the groups of at most 9 functions.
MAX_FUNCTIONS_PER_GROUP = 9
METRICS = ("Errors", "Throttles")


@dataclass(frozen=True)
class Group:
    name: str  # the alarms' logical ids: <name>ErrorsAlarm, <name>ThrottlesAlarm
    members: str  # "the event functions", in the descriptions and labels
    functions: tuple[str, ...]  # each function's index here is its metric id (f0, f1, ...)
    errors_description: str = ""
    throttles_description: str = ""

    def description(self, metric: str) -> str:
        if metric == "Errors":
            return self.errors_description or f"One of {self.members} raised errors"
        return (
            self.throttles_description
            or f"One of {self.members} was throttled by Lambda (concurrency exhausted)"
        )


# Every function in exactly one group. A new function: one line in a group (append it, so the
# others keep their metric ids), then `make alarms`.
GROUPS = (
    Group(
        "MemberFunction",
        "the login and member functions",
        (
            "GenerateCodeFunction",
            "AuthCallbackFunction",
            "UsersMeFunction",
            "UsersMeRefreshFunction",
            "UsersMeEventsFunction",
            "PublicProfileFunction",
            "ProfilePageFunction",
            "UsersMeUpdateFunction",
            "UsersMeEmailVerifyFunction",
        ),
    ),
    Group(
        "EventFunction",
        "the event functions",
        (
            "EventsUpcomingFunction",
            "EventDetailFunction",
            "EventRsvpFunction",
            "EventRsvpCancelFunction",
            "EventCreateFunction",
            "EventUpdateFunction",
            "EventDeleteFunction",
            "EventRsvpStatusFunction",
            "EventCalendarFunction",
        ),
    ),
    Group(
        "WaitlistFunction",
        "the waitlist functions",
        (
            "EventWaitlistJoinFunction",
            "EventWaitlistLeaveFunction",
        ),
    ),
    Group(
        "DoorFunction",
        "the door functions (tickets, check-in, attendees)",
        (
            "EventTicketFunction",
            "EventCheckinFunction",
            "EventAttendeesFunction",
        ),
    ),
    Group(
        "RoleFunction",
        "the role functions",
        (
            "MemberRoleUpdateFunction",
            "MemberRolesFunction",
        ),
    ),
    Group(
        "ReferralFunction",
        "the referral functions",
        ("ReferralsTopFunction",),
    ),
    Group(
        "FeedFunction",
        "the calendar feed functions",
        (
            "UsersMeCalendarFunction",
            "UsersMeCalendarResetFunction",
            "CalendarFeedFunction",
        ),
    ),
    Group(
        "BotFunction",
        "the bot functions",
        (
            "TelegramWebhookFunction",
            "ReminderSweepFunction",
            "NoticeSenderFunction",
            "EventShareFunction",
        ),
        errors_description=(
            "One of the bot functions (webhook, reminder sweep, notice sender, event share)"
            " raised errors"
        ),
        throttles_description="One of the bot functions was throttled by Lambda",
    ),
)


class GroupsInvalid(Exception):
    """The list above and the template's functions disagree."""


def check_groups(functions: set[str]) -> None:
    listed = [function for group in GROUPS for function in group.functions]
    problems = []
    if missing := sorted(functions - set(listed)):
        problems.append(f"in no group (add each to one): {', '.join(missing)}")
    if unknown := sorted(set(listed) - functions):
        problems.append(f"not functions of template.yaml: {', '.join(unknown)}")
    if twice := sorted({function for function in listed if listed.count(function) > 1}):
        problems.append(f"in more than one group: {', '.join(twice)}")
    for group in GROUPS:
        if len(group.functions) > MAX_FUNCTIONS_PER_GROUP:
            problems.append(
                f"{group.name} has {len(group.functions)} functions, CloudWatch takes at most "
                f"{MAX_FUNCTIONS_PER_GROUP} metrics in one alarm: start a new group"
            )
    if problems:
        raise GroupsInvalid("tools/devkit/template/alarms.py: " + "; ".join(problems))


def alarm(group: Group, metric: str) -> str:
    queries = "".join(
        f"""        - Id: f{index}
          ReturnData: false
          MetricStat:
            Metric:
              Namespace: AWS/Lambda
              MetricName: {metric}
              Dimensions:
                - Name: FunctionName
                  Value: !Ref {function}
            Period: 300
            Stat: Sum
"""
        for index, function in enumerate(group.functions)
    )
    ids = ", ".join(f"f{index}" for index in range(len(group.functions)))
    return f"""  {group.name}{metric}Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: {group.description(metric)}
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      TreatMissingData: notBreaching
      AlarmActions: !If [HasAlarmTopic, [!Ref AlarmTopicArn], !Ref AWS::NoValue]
      Metrics:
{queries}        - Id: total
          Label: {metric} of {group.members}
          Expression: SUM([{ids}])
          ReturnData: true
"""


def render() -> str:
    """The generated part of template.yaml, marker lines included."""
    alarms = [alarm(group, metric) for group in GROUPS for metric in METRICS]
    return BEGIN + "\n" + "\n".join(alarms) + "\n" + END


def generated_part(template: str) -> str:
    """The part of `template` between the markers (included): what render() must equal."""
    start, end = template.find(BEGIN), template.find(END)
    if start < 0 or end < start:
        raise GroupsInvalid(f"template.yaml lacks the lines {BEGIN.strip()!r} and {END.strip()!r}")
    return template[start : end + len(END)]


def main() -> None:
    try:
        check_groups(set(resources("AWS::Serverless::Function")))
        template = TEMPLATE_PATH.read_text()
        updated = template.replace(generated_part(template), render())
    except GroupsInvalid as error:
        sys.exit(str(error))
    if updated != template:
        TEMPLATE_PATH.write_text(updated)
        print("template.yaml: alarms rewritten")


if __name__ == "__main__":
    main()
