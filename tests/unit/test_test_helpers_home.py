"""Test modules take their helpers from tests/support (a package), never from conftest or from
another test module: importing a test module runs its module-level set-up and collects nothing,
and works only through pytest's rootdir-relative import of test folders."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def helper_imports_from_tests(path: Path) -> set[str]:
    """The modules `path` imports that are conftest or a test module (test_*)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        found |= {
            name
            for name in names
            if name.split(".")[0] == "conftest" or name.split(".")[-1].startswith("test_")
        }
    return found


def test_no_test_module_imports_conftest_or_another_test_module() -> None:
    # Given every Python file under tests/
    offenders = {
        str(path.relative_to(TESTS)): sorted(found)
        for path in sorted(TESTS.rglob("*.py"))
        if (found := helper_imports_from_tests(path))
    }

    # Then none imports conftest or a test module
    assert offenders == {}


def test_the_check_sees_both_kinds_of_import(tmp_path: Path) -> None:
    # Given a file importing a helper from a test module, conftest, and a support module
    planted = tmp_path / "test_planted.py"
    planted.write_text(
        "from test_local_server import login\nimport conftest\nfrom support.flows import x\n"
    )

    # Then the first two are found, the support import is not
    assert helper_imports_from_tests(planted) == {"test_local_server", "conftest"}
