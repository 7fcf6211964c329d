"""Reads template.yaml: the single declaration of tables, routes and handlers."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_PATH = ROOT / "template.yaml"


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads CloudFormation short tags (!Ref, !GetAtt, !Sub, ...) into their long form."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _construct_tag)


@cache
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open() as handle:
        template: dict[str, Any] = yaml.load(handle, Loader=_CloudFormationLoader)  # noqa: S506 - safe loader subclass
    return template


def resources(of_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in load_template()["Resources"].items()
        if resource["Type"] == of_type
    }


def table_env_vars() -> dict[str, str]:
    """Environment variable -> table logical id, from the functions' global environment."""
    variables = load_template()["Globals"]["Function"]["Environment"]["Variables"]
    tables = resources("AWS::DynamoDB::Table")
    return {
        name: value["Ref"]
        for name, value in variables.items()
        if isinstance(value, dict) and value.get("Ref") in tables
    }


def create_table_requests(table_names: dict[str, str]) -> list[dict[str, Any]]:
    """CreateTable parameters (and the TTL attribute, if any) for each declared table.
    `table_names` maps a table's logical id to the physical name to create."""
    requests = []
    for logical_id, resource in resources("AWS::DynamoDB::Table").items():
        properties = resource["Properties"]
        request: dict[str, Any] = {
            "TableName": table_names[logical_id],
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "KeySchema": properties["KeySchema"],
            "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if "GlobalSecondaryIndexes" in properties:
            request["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
        if "StreamSpecification" in properties:
            # CloudFormation's form has no StreamEnabled: declaring one enables it.
            request["StreamSpecification"] = {
                "StreamEnabled": True,
                **properties["StreamSpecification"],
            }
        ttl = properties.get("TimeToLiveSpecification")
        requests.append({"create": request, "ttl_attribute": ttl and ttl["AttributeName"]})
    return requests


@dataclass(frozen=True)
class Route:
    function: str
    method: str
    path: str
    code_dir: Path
    module: str
    attribute: str

    @property
    def pattern(self) -> re.Pattern[str]:
        """API Gateway's match of the path: `{name}` one segment, `{name+}` the rest, and every
        other character itself (the `.` of `calendar.ics` too, not any character)."""
        regex = "".join(
            f"(?P<{part[1:-2]}>.+)"
            if part.endswith("+}")
            else f"(?P<{part[1:-1]}>[^/]+)"
            if part.startswith("{")
            else re.escape(part)
            for part in re.split(r"(\{\w+\+?\})", self.path)
        )
        return re.compile(f"^{regex}$")


def routes() -> list[Route]:
    found = []
    for logical_id, resource in resources("AWS::Serverless::Function").items():
        properties = resource["Properties"]
        module, attribute = properties["Handler"].rsplit(".", 1)
        for event in (properties.get("Events") or {}).values():
            if event["Type"] != "HttpApi":
                continue
            found.append(
                Route(
                    function=logical_id,
                    method=event["Properties"]["Method"].upper(),
                    path=event["Properties"]["Path"],
                    code_dir=ROOT / properties["CodeUri"],
                    module=module,
                    attribute=attribute,
                )
            )
    # Literal paths before parameterised ones, as API Gateway matches the most specific route.
    return sorted(found, key=lambda route: (route.path.count("{"), -len(route.path)))
