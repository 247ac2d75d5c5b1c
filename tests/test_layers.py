"""`worker.py` is a top-level module, which import-linter cannot take as a root package: its
place in the layers (beside `api/`, below the composition root) is checked here instead."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The composition root (and the bench, which starts a worker of its own) may import it.
MAY_IMPORT_WORKER = ("claimdesk/run/cli/", "claimdesk/run/devstack.py", "bench/")
CORE_AND_BELOW = ("claimdesk", "workflows", "activities", "api")
WORKER_MAY_IMPORT = ("activities", "claimdesk", "workflows", "temporalio", "sqlalchemy")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_composition_root_imports_the_worker() -> None:
    wrong = [
        str(path.relative_to(ROOT))
        for folder in CORE_AND_BELOW
        for path in (ROOT / folder).rglob("*.py")
        if "worker" in _imports(path)
        and not str(path.relative_to(ROOT)).startswith(MAY_IMPORT_WORKER)
    ]
    assert not wrong, f"these import worker.py from below the composition root: {wrong}"


def test_the_worker_imports_no_layer_above_it() -> None:
    imported = _imports(ROOT / "worker.py") - {"__future__", "asyncio", "datetime"}
    assert imported <= set(WORKER_MAY_IMPORT), imported - set(WORKER_MAY_IMPORT)
