"""One log configuration for the API and the worker: text for people, JSON for machines."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

import temporalio.activity
import temporalio.workflow

from claimdesk.core.settings import Settings

# The claim the current API request is about; set from the route's `{reference}`.
current_claim: ContextVar[str | None] = ContextVar("current_claim", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Attributes every LogRecord has; anything else was passed as `extra` by the caller.
# (uvicorn adds `color_message`, a copy of the message with terminal colours.)
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


def claim_of(record: logging.LogRecord) -> str | None:
    """The claim reference a record is about, wherever it was logged.

    A claim workflow's id is its reference, and the SDK's workflow and activity loggers
    put their info under `temporal_workflow` / `temporal_activity` in the record.
    """
    explicit = getattr(record, "claim", None)
    if isinstance(explicit, str):
        return explicit
    for key in ("temporal_workflow", "temporal_activity"):
        info = getattr(record, key, None)
        if isinstance(info, dict) and isinstance(info.get("workflow_id"), str):
            return str(info["workflow_id"])
    return current_claim.get()


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and `claim` when known."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        claim = claim_of(record)
        if claim is not None:
            entry["claim"] = claim
        for key in ("temporal_workflow", "temporal_activity"):
            info = getattr(record, key, None)
            if isinstance(info, dict):
                entry[key.removeprefix("temporal_")] = {
                    name: info[name]
                    for name in ("workflow_type", "activity_type", "run_id", "attempt")
                    if name in info
                }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and not key.startswith("temporal_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def warn_of_placeholders(settings: Settings, process: str) -> None:
    """A production service must not send customers to a placeholder mediator."""
    for name in settings.placeholders():
        logging.getLogger(f"claimdesk.{process}").warning(
            "%s is not set: customers are given its placeholder", name
        )


def formatter(settings: Settings) -> logging.Formatter:
    return JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Sends every record (uvicorn's and the SDK's included) to `stream` in the set format."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(settings))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    prepare_sdk_loggers(settings)
    return handler


def prepare_sdk_loggers(settings: Settings) -> None:
    """In JSON, the workflow/activity info are fields of the object; the SDK's loggers
    would otherwise also append them to every message as a Python dict."""
    appended = settings.log_format != "json"
    temporalio.workflow.logger.workflow_info_on_message = appended
    temporalio.activity.logger.activity_info_on_message = appended
