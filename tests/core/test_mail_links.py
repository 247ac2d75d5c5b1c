"""Where the operators' e-mails link a claim's workflow: the Temporal UI."""

from __future__ import annotations

from claimdesk.core.settings import Settings

# Every template's links per recipient: tests/core/test_templates.py
# (test_every_mail_links_to_the_recipient_s_page_and_asks_for_no_json).


def test_the_temporal_ui_defaults_to_the_dev_server() -> None:
    settings = Settings(temporal_ui_port=9000, temporal_namespace="claims")
    assert (
        settings.workflow_url("CLM-1") == "http://localhost:9000/namespaces/claims/workflows/CLM-1"
    )
