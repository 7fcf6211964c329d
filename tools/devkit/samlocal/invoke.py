"""The functions under the real `sam local invoke` / `sam local start-api`.

A run gets its own Docker network with moto's server on it (network alias `moto`, so the
functions use DYNAMODB_ENDPOINT_URL=http://moto:5000) and published only on 127.0.0.1 for this
process, which creates the template's tables there and produces the values the fixtures'
`{{PLACEHOLDERS}}` need through the real handlers (devkit.functions.handlers) against the same
DynamoDB. Nothing listens beyond loopback and that network; everything started is removed at
the end.

The Docker engine and the images come from tools/sam-local/ (with-docker.sh, build-image.sh);
`.aws-sam/build` from `sam build`.

    python -m devkit.samlocal invoke GenerateCodeFunction [--event FILE]    (make invoke)
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from devkit.functions.fixtures import PLACEHOLDER, load_event
from devkit.functions.placeholders import values_for, values_of
from devkit.samlocal.sam import sam_local_stack
from devkit.template.reader import ROOT, resources


def functions() -> list[str]:
    return sorted(resources("AWS::Serverless::Function"))


def fixture_name(function: str) -> str:
    """A function's fixture is named after its CodeUri folder."""
    return Path(resources("AWS::Serverless::Function")[function]["Properties"]["CodeUri"]).name


def fixture_event(fixture: str) -> dict[str, Any]:
    """A fixture with fresh placeholder values (devkit.functions.placeholders), made in this process
    against the run's DynamoDB: call `Stack.use_in_this_process()` first."""
    return load_event(fixture, **values_for(fixture))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devkit.samlocal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    invoke_parser = commands.add_parser("invoke", help="sam local invoke one function")
    invoke_parser.add_argument("function", help="the function's logical id in template.yaml")
    invoke_parser.add_argument("--event", help="an event file (default: the function's fixture)")
    args = parser.parse_args()

    if args.function not in functions():
        sys.exit(f"{args.function} is not a function of template.yaml: {', '.join(functions())}")
    work_dir = ROOT / ".local" / "sam-local" / "invoke"
    with sam_local_stack(work_dir) as stack:
        stack.use_in_this_process()
        if args.event:
            raw = Path(args.event).read_text()
            values = values_of(set(PLACEHOLDER.findall(raw)))
            event = json.loads(PLACEHOLDER.sub(lambda found: values[found.group(1)], raw))
        else:
            event = fixture_event(fixture_name(args.function))
        print(f"sam local invoke {args.function} (log: {work_dir})", file=sys.stderr)
        result = stack.invoke(args.function, event)
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
