"""The README's settings table names every setting, so it cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

from claimdesk.core.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_settings_table_lists_every_setting_and_nothing_else() -> None:
    section = README.read_text().split("## Settings", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `CLAIMDESK_([A-Z0-9_]+)` \|", section, flags=re.MULTILINE))
    assert documented == {name.upper() for name in Settings.model_fields}
