"""The one settings object: every knob of claimdesk, read from `CLAIMDESK_*` variables."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from claimdesk.core.domain import CURRENT_EDITION, Locale, Policy


def _seconds_or_iso(value: Any) -> Any:
    """Environment values arrive as text: `"90"` means 90 seconds, `"PT90S"` too."""
    if isinstance(value, str):
        try:
            return timedelta(seconds=float(value))
        except ValueError:
            return value
    return value


Duration = Annotated[timedelta, BeforeValidator(_seconds_or_iso)]
# What a placeholder setting says, to be found again (Settings.placeholders).
_UNSET = "(set CLAIMDESK_"


class Settings(BaseSettings):
    """Policy durations accept seconds (`86400`) or ISO 8601 (`PT24H`, `P5D`).

    A connection left unset means the embedded default that `claimdesk dev` runs.
    """

    model_config = SettingsConfigDict(env_prefix="CLAIMDESK_", extra="ignore")

    # Policy: the escalation ladder and the closing rules.
    level2_after: Duration = timedelta(hours=24)
    level3_after: Duration = timedelta(hours=48)
    resolution_target: Duration = timedelta(days=5)
    inactivity_close_after: Duration = timedelta(days=120)
    transaction_close_after: Duration = timedelta(days=180)
    payment_filing_window: Duration = timedelta(days=60)
    satisfaction_window: Duration = timedelta(days=7)
    # From level 2 (or a reopening) the investigation gives the customer its findings within.
    findings_due_after: Duration = timedelta(hours=48)
    merchant_strike_limit: int = Field(default=3, ge=1)
    # Temporal warns at 10,240 history events and fails a run at 51,200.
    history_events_per_run: int = Field(default=5000, ge=100, le=10_000)

    # Connections (None: the embedded stack under data_dir).
    database_url: str | None = None
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    task_queue: str = "claimdesk"
    # Runs the claim workflow in Temporal's sandbox, which re-imports it for every claim
    # (a quarter of the worker's CPU); the tests always run it sandboxed.
    workflow_sandbox: bool = False
    smtp_host: str | None = None
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    # Who writes, who is told, and where people are sent.
    mail_from: str = "claimdesk <claims@claimdesk.localhost>"
    operator_email: str = "operators@claimdesk.localhost"
    operator_locale: Locale = Locale.EN  # the operators' e-mails
    # The consumer mediator unsatisfied customers are sent to: its name and its address
    # (a web address, where a claim is filed). Placeholders until set, warned of at start.
    mediator_name: str = f"Médiateur de la consommation {_UNSET}MEDIATOR_NAME)"
    mediator_url: str = f"https://mediator.example/claims {_UNSET}MEDIATOR_URL)"
    # Where people reach the web claim center (e-mails link to its pages), and where
    # operators reach the Temporal UI (e-mails and the console link to each claim's
    # workflow there; None: the embedded stack's UI on `temporal_ui_port`).
    public_url: str = "http://localhost:8000"
    temporal_ui_url: str | None = None

    # The web claim center: one-time links, sessions, their cookie, sign-in rate limits.
    web_link_ttl: Duration = timedelta(minutes=30)
    web_session_ttl: Duration = timedelta(hours=12)
    web_session_idle: Duration = timedelta(hours=2)
    # None: Secure cookies exactly when public_url is https (so `make dev` over http works).
    web_secure_cookies: bool | None = None
    # `limits` notation ("5/minute", "5/minute;20/hour"): per e-mail address, per client.
    rate_signin: str = "5/minute"
    rate_signin_client: str = "30/minute"

    # The embedded stack.
    data_dir: Path = Path("var")
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    temporal_port: int = Field(default=7233, ge=1, le=65535)
    temporal_ui_port: int = Field(default=8233, ge=1, le=65535)

    # Observability: the worker's Prometheus endpoint, and how every process logs.
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = Field(default=9464, ge=1, le=65535)
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @model_validator(mode="after")
    def _durations_positive_and_ordered(self) -> Self:
        durations = {
            "level2_after": self.level2_after,
            "level3_after": self.level3_after,
            "resolution_target": self.resolution_target,
            "inactivity_close_after": self.inactivity_close_after,
            "transaction_close_after": self.transaction_close_after,
            "payment_filing_window": self.payment_filing_window,
            "satisfaction_window": self.satisfaction_window,
            "findings_due_after": self.findings_due_after,
            "web_link_ttl": self.web_link_ttl,
            "web_session_ttl": self.web_session_ttl,
            "web_session_idle": self.web_session_idle,
        }
        for name, value in durations.items():
            if value <= timedelta(0):
                raise ValueError(f"CLAIMDESK_{name.upper()} must be positive, got {value}")
        if not self.level2_after < self.level3_after < self.resolution_target:
            raise ValueError(
                "the escalation ladder must be in order: "
                "CLAIMDESK_LEVEL2_AFTER < CLAIMDESK_LEVEL3_AFTER < CLAIMDESK_RESOLUTION_TARGET"
            )
        if self.payment_filing_window > self.transaction_close_after:
            raise ValueError(
                "CLAIMDESK_PAYMENT_FILING_WINDOW cannot exceed CLAIMDESK_TRANSACTION_CLOSE_AFTER"
            )
        return self

    def placeholders(self) -> list[str]:
        """The settings customers are shown that still hold their placeholder: a
        production service must set them (the worker and the API warn at start)."""
        shown = {"mediator_name": self.mediator_name, "mediator_url": self.mediator_url}
        return [f"CLAIMDESK_{name.upper()}" for name, value in shown.items() if _UNSET in value]

    @property
    def policy(self) -> Policy:
        """The part of the settings a claim carries for its whole life."""
        return Policy(
            level2_after=self.level2_after,
            level3_after=self.level3_after,
            resolution_target=self.resolution_target,
            inactivity_close_after=self.inactivity_close_after,
            transaction_close_after=self.transaction_close_after,
            satisfaction_window=self.satisfaction_window,
            merchant_strike_limit=self.merchant_strike_limit,
            history_events_per_run=self.history_events_per_run,
            edition=CURRENT_EDITION,
            findings_within=self.findings_due_after,
        )

    @property
    def temporal_target(self) -> str:
        return self.temporal_address or f"127.0.0.1:{self.temporal_port}"

    def workflow_url(self, reference: str) -> str:
        """The claim's workflow in the Temporal UI (its workflow id is the reference)."""
        ui = (self.temporal_ui_url or f"http://localhost:{self.temporal_ui_port}").rstrip("/")
        return f"{ui}/namespaces/{self.temporal_namespace}/workflows/{reference}"

    @property
    def secure_cookies(self) -> bool:
        if self.web_secure_cookies is not None:
            return self.web_secure_cookies
        return self.public_url.startswith("https://")

    @property
    def smtp_target(self) -> tuple[str, int]:
        return (self.smtp_host or "127.0.0.1", self.smtp_port)


@lru_cache
def get_settings() -> Settings:
    return Settings()
