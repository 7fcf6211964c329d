"""Every function and layer is built by tools/build/Makefile, which ships its bytecode
(tests/integration/test_build_bytecode.py checks the result; this catches a new resource
before any build)."""

import pytest

from devkit.template.reader import resources

BUILT = {
    **resources("AWS::Serverless::Function"),
    **resources("AWS::Serverless::LayerVersion"),
}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_each_function_and_layer_is_built_with_its_bytecode(name: str) -> None:
    metadata = BUILT[name].get("Metadata", {})
    assert metadata.get("BuildMethod") == "makefile", name
    assert metadata.get("ContextPath") == "tools/build", name
