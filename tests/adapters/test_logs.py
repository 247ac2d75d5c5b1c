"""What the worker and the API log at start."""

from __future__ import annotations

import logging

import pytest

from claimdesk.adapters.logs import warn_of_placeholders
from claimdesk.core.settings import Settings


def test_a_service_warns_while_the_mediator_is_a_placeholder(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        warn_of_placeholders(Settings(), "worker")
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned == [
        "CLAIMDESK_MEDIATOR_NAME is not set: customers are given its placeholder",
        "CLAIMDESK_MEDIATOR_URL is not set: customers are given its placeholder",
    ]


def test_a_service_with_its_mediator_set_does_not_warn(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(mediator_name="Médiateur", mediator_url="https://mediateur.example")
    with caplog.at_level(logging.WARNING):
        warn_of_placeholders(settings, "api")
    assert caplog.records == []
