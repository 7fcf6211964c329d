"""template.yaml as the template tests read it: the parsed document, its functions, and the
CloudFront behaviors and IAM statements several test modules check."""

import fnmatch
from typing import Any

from devkit.template.reader import load_template, resources

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
DYNAMODB_WRITES = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:*",
}
TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = resources("AWS::Serverless::Function")


def distribution() -> dict[str, Any]:
    config: dict[str, Any] = RESOURCES["Distribution"]["Properties"]["DistributionConfig"]
    return config


def behavior(path_pattern: str) -> dict[str, Any]:
    return next(b for b in distribution()["CacheBehaviors"] if b["PathPattern"] == path_pattern)


def behavior_for(path: str) -> dict[str, Any]:
    """The behavior CloudFront picks for `path`: the first matching pattern, else the default."""
    for each in distribution()["CacheBehaviors"]:
        if fnmatch.fnmatchcase(path, each["PathPattern"]):
            return dict(each)
    return dict(distribution()["DefaultCacheBehavior"])


def statements(function: str) -> list[dict[str, Any]]:
    found = []
    for policy in FUNCTIONS[function]["Properties"].get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            found.extend(policy["Statement"])
    return found


def actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def grants(function: str) -> list[tuple[set[str], list[Any], dict[str, Any]]]:
    """(actions, resources, condition) of each DynamoDB statement of a function."""
    found = []
    for statement in statements(function):
        dynamodb = {action for action in actions(statement) if action.startswith("dynamodb:")}
        if dynamodb:
            resource = statement["Resource"]
            found.append(
                (
                    dynamodb,
                    resource if isinstance(resource, list) else [resource],
                    statement.get("Condition", {}),
                )
            )
    return found


def table_of(resource: Any) -> str:
    """The logical id of the table a grant's resource names (the table or one of its indexes)."""
    if "Fn::GetAtt" in resource:
        return str(resource["Fn::GetAtt"][0])
    return str(resource["Fn::Sub"].split(".Arn", 1)[0].removeprefix("${"))
