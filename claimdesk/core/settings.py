"""The one settings object: every knob of claimdesk, read from `CLAIMDESK_*` variables."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from limits import parse
from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from claimdesk.core.domain import CURRENT_EDITION, Locale, Policy
from claimdesk.core.seal import Keyring


def _seconds_or_iso(value: Any) -> Any:
    """Environment values arrive as text: `"90"` means 90 seconds, `"PT90S"` too."""
    if isinstance(value, str):
        try:
            return timedelta(seconds=float(value))
        except ValueError:
            return value
    return value


Duration = Annotated[timedelta, BeforeValidator(_seconds_or_iso)]
_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_KEY_BYTES = 32  # AES-256


def _rate(value: str) -> str:
    """A rate limit as the `limits` library writes it: `10/minute`, `5 per 2 hours`."""
    if parse(value).amount < 1:
        raise ValueError(f"a rate limit allows at least one request, got {value!r}")
    return value


# Checked at start by the library that counts them (api/limits.py), kept as written.
Rate = Annotated[str, AfterValidator(_rate)]
# A browser origin as it comes in an `Origin` header: scheme, host, port, nothing else.
_ORIGIN = re.compile(r"https?://([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?")


def _origins(value: str | None) -> str | None:
    """The Temporal UI's origins, each a plain `scheme://host[:port]`: the codec server
    answers them with credentials, so a wildcard or a pattern would open it to any site."""
    if value is None:
        return None
    for origin in (o.strip().rstrip("/") for o in value.split(",") if o.strip()):
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(
                f"CLAIMDESK_TEMPORAL_UI_ORIGINS: {origin!r} is not an origin; list the Temporal "
                "UI's exact origins, each `http(s)://host[:port]` (no `*`, no path), "
                "comma-separated"
            )
    return value


Origins = Annotated[str | None, AfterValidator(_origins)]
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
    # Edition 3: updates (e-mails of repeatable actions: messages, answers, requests,
    # proposals) one recipient gets per claim in a rolling hour; those past it are told in
    # one digest when the hour ends (core/rules/mail_cap.py).
    message_mails_per_hour: int = Field(default=10, ge=1, le=10_000)

    # Rate limits of the API, each counted per API key and per client address (api/limits.py).
    rate_openings: Rate = "10/hour"
    rate_actions: Rate = "60/minute"
    rate_messages: Rate = "10/minute"
    # The proxies whose X-Forwarded-For names the client (comma-separated addresses or
    # networks, `*` for any); none: the client is the connection's peer.
    trusted_proxies: str = ""

    # Connections (None: the embedded stack under data_dir).
    database_url: str | None = None
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    task_queue: str = "claimdesk"
    # Runs the claim workflow in Temporal's sandbox, which re-imports it for every claim
    # (a quarter of the worker's CPU); the tests always run it sandboxed.
    workflow_sandbox: bool = False
    # The keys the API seals what it asks a claim's workflow with, and the worker checks it
    # with: `id:secret,id:secret`, the first one sealing (README, "The seal"). No default:
    # the API and the worker refuse to start without it (`claimdesk dev` makes one in var/).
    seal_keys: SecretStr | None = None
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
    # `limits` notation ("5/minute"): per e-mail address, per client (api/web/throttle.py).
    rate_signin: Rate = "5/minute"
    rate_signin_client: Rate = "30/minute"

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

    # Encryption of what claimdesk hands Temporal (README "Personal data in Temporal"):
    # `id:base64,id:base64` (32-byte keys). The key named by payload_key_id (needed when
    # several are listed) encrypts; every key listed decrypts. Unset: the worker and the
    # API refuse to start; `claimdesk dev` makes one under data_dir.
    payload_keys: SecretStr | None = None
    payload_key_id: str | None = None
    # The Temporal UI's browser origins, allowed to call the codec server (comma-separated;
    # unset: the dev server's UI, http://localhost and 127.0.0.1 on temporal_ui_port).
    temporal_ui_origins: Origins = None

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
        self.payload_key_ring()  # refuses malformed keys at start
        return self

    def payload_key_ring(self) -> dict[str, bytes]:
        """CLAIMDESK_PAYLOAD_KEYS by id (empty when unset); a malformed entry is refused."""
        text = self.payload_keys.get_secret_value().strip() if self.payload_keys else ""
        ring: dict[str, bytes] = {}
        for entry in filter(None, (part.strip() for part in text.split(","))):
            key_id, _, encoded = entry.partition(":")
            if not _KEY_ID.fullmatch(key_id) or key_id in ring:
                raise ValueError(
                    "CLAIMDESK_PAYLOAD_KEYS: each entry is `<id>:<base64 key>`, ids unique, "
                    f"of letters, digits, `.`, `_` or `-` (got the id {key_id[:64]!r})"
                )
            try:
                key = base64.b64decode(encoded, validate=True)
            except binascii.Error:
                key = b""
            if len(key) != _KEY_BYTES:
                raise ValueError(
                    f"CLAIMDESK_PAYLOAD_KEYS: key {key_id!r} must be the base64 of "
                    f"{_KEY_BYTES} random bytes (e.g. `openssl rand -base64 32`)"
                )
            ring[key_id] = key
        if ring and not self.payload_key_id and len(ring) > 1:
            raise ValueError("CLAIMDESK_PAYLOAD_KEY_ID must name the key that encrypts")
        if ring and self.payload_key_id and self.payload_key_id not in ring:
            raise ValueError(
                f"CLAIMDESK_PAYLOAD_KEY_ID {self.payload_key_id!r} is not in "
                f"CLAIMDESK_PAYLOAD_KEYS (ids: {', '.join(ring)})"
            )
        return ring

    @property
    def current_payload_key_id(self) -> str:
        """The id of the key that encrypts new payloads."""
        return self.payload_key_id or next(iter(self.payload_key_ring()))

    @property
    def ui_origins(self) -> list[str]:
        """The browser origins of the Temporal UI, which calls the codec server."""
        if self.temporal_ui_origins:
            return [o.strip().rstrip("/") for o in self.temporal_ui_origins.split(",") if o.strip()]
        port = self.temporal_ui_port
        return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]

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
            message_mails_per_hour=self.message_mails_per_hour,
        )

    def keyring(self) -> Keyring:
        """The seal keys; a service that talks to claims cannot run without them."""
        if self.seal_keys is None:
            raise ValueError(
                "CLAIMDESK_SEAL_KEYS is not set: the API and the worker need the same seal "
                'key (e.g. `main:$(openssl rand -hex 32)`; README, "The seal")'
            )
        try:
            return Keyring.parse(self.seal_keys.get_secret_value())
        except ValueError as error:  # checked here, not as a field: pydantic's error would
            # print the value it refused, the secret
            raise ValueError(f"CLAIMDESK_SEAL_KEYS: {error}") from None

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
