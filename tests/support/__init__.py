"""The tests' helpers, each module one job; tests import them as `support.<module>`
(pyproject.toml puts tests/ on the path). The fixture and hook modules are pytest plugins
listed in tests/conftest.py."""
