"""`claimdesk dev` makes its own seal key once and keeps it; a given one wins."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from claimdesk.core.settings import Settings
from claimdesk.run.devstack import StackPaths, dev_seal_keys, with_seal_keys


def test_the_dev_seal_key_is_made_once_private_and_kept(tmp_path: Path) -> None:
    paths = StackPaths(tmp_path)
    first = dev_seal_keys(paths).get_secret_value()
    assert dev_seal_keys(paths).get_secret_value() == first
    assert paths.seal_keys.stat().st_mode & 0o777 == 0o600
    keyring = with_seal_keys(Settings(seal_keys=None), paths).keyring()
    assert keyring.current == "dev" and len(keyring.keys["dev"]) == 64


def test_seal_keys_given_in_the_environment_are_used_as_they_are(tmp_path: Path) -> None:
    given = Settings(seal_keys=SecretStr("ops:" + "a" * 40))
    assert with_seal_keys(given, StackPaths(tmp_path)).keyring().current == "ops"
    assert not StackPaths(tmp_path).seal_keys.exists()
