"""The env-vars file sam local reads (devkit.samlocal.sam.Stack.env_vars_file): the invokes of
`make test-sam` run in threads of one process, and on a fresh work dir each writes it."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

from devkit.samlocal.sam import Stack


def test_threads_writing_a_fresh_work_dirs_env_vars_file_at_once_all_get_it(
    tmp_path: Path,
) -> None:
    for round_number in range(10):
        # Given a fresh work dir and a stack's function environment
        work_dir = tmp_path / str(round_number)
        work_dir.mkdir()
        stack = SimpleNamespace(work_dir=work_dir, function_environment={"Fn": {"A": "1"}})

        # When eight invokes ask for the file at once
        with ThreadPoolExecutor(8) as pool:
            paths = list(pool.map(Stack.env_vars_file.fget, [stack] * 8))

        # Then each gets the one complete file, and no staged copy is left behind
        assert set(paths) == {work_dir / "env-vars.json"}
        assert '"A": "1"' in (work_dir / "env-vars.json").read_text()
        assert sorted(p.name for p in work_dir.iterdir()) == ["env-vars.json"]
