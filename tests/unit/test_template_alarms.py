"""The functions' alarms in template.yaml are what `make alarms` writes from its list
(tools/devkit/template/alarms.py), and that list names every function once, at most 10 per alarm."""

from pathlib import Path

import pytest

from devkit.template import alarms
from devkit.template.alarms import Group, GroupsInvalid, check_groups, generated_part, render
from devkit.template.reader import TEMPLATE_PATH, resources

FUNCTIONS = set(resources("AWS::Serverless::Function"))


def test_the_alarms_in_the_template_are_the_ones_make_alarms_writes() -> None:
    assert generated_part(TEMPLATE_PATH.read_text()) == render(), (
        "template.yaml's alarms differ from tools/devkit/template/alarms.py: run `make alarms`"
    )


def test_every_function_of_the_template_is_in_exactly_one_group() -> None:
    check_groups(FUNCTIONS)


def test_a_function_in_no_group_twice_or_unknown_and_a_group_of_eleven_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    eleven = tuple(f"Extra{n}Function" for n in range(11))
    monkeypatch.setattr(
        alarms,
        "GROUPS",
        (
            Group("A", "a", ("GenerateCodeFunction", "NoSuchFunction")),
            Group("B", "b", ("GenerateCodeFunction",)),
            Group("C", "c", eleven),
        ),
    )

    with pytest.raises(GroupsInvalid) as refused:
        check_groups({"GenerateCodeFunction", "EventRsvpFunction", *eleven})

    message = str(refused.value)
    assert "in no group (add each to one): EventRsvpFunction" in message
    assert "not functions of template.yaml: NoSuchFunction" in message
    assert "in more than one group: GenerateCodeFunction" in message
    assert "C has 11 functions" in message


def test_make_alarms_rewrites_only_the_generated_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = TEMPLATE_PATH.read_text()
    # A hand edit inside the generated part, which the list does not have.
    stale = current.replace(
        "                  Value: !Ref EventDeleteFunction\n",
        "                  Value: !Ref EventDeleteFunction\n            # edited by hand\n",
    )
    assert stale != current
    copy = tmp_path / "template.yaml"
    copy.write_text(stale)
    monkeypatch.setattr(alarms, "TEMPLATE_PATH", copy)

    alarms.main()

    assert copy.read_text() == current
