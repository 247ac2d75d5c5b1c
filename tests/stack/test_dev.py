"""`claimdesk dev` end to end: a real process, a silent merchant, the whole ladder, a restart."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from claimdesk.adapters.mailsink import DROPPED
from claimdesk.core.settings import Settings
from claimdesk.run.devstack import StackPaths, temporal_command, with_dev_payload_keys
from tests.support.codec import TEST_PAYLOAD_KEYS
from tests.support.mailbox import free_port

CLAIMDESK = Path(sys.executable).parent / "claimdesk"
MERCHANT = "M-SILENT"
CUSTOMER = "grace@example.com"
MERCHANT_EMAIL = "shop@silent.example"

# One delivery claim whose merchant never answers, climbing the whole ladder in seconds.
EXPECTED_MAILS = {
    ("acknowledgement", CUSTOMER): 1,
    ("new_claim_merchant", MERCHANT_EMAIL): 1,
    ("new_claim_operators", "operators@"): 1,
    ("escalated", CUSTOMER): 2,  # level 2, then level 3
    ("merchant_reminder", MERCHANT_EMAIL): 1,
    ("sla_breached", "operators@"): 1,
    ("merchant_strike", MERCHANT_EMAIL): 1,
}

T = TypeVar("T")


class DevStack:
    """`claimdesk dev` as a child process on free ports under its own data directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data_dir = root / "var"
        runtime = root / "run"
        runtime.mkdir(mode=0o700)
        self.api_port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMDESK_")}
        self.env |= {
            "XDG_RUNTIME_DIR": str(runtime),
            "CLAIMDESK_DATA_DIR": str(self.data_dir),
            "CLAIMDESK_API_PORT": str(self.api_port),
            "CLAIMDESK_TEMPORAL_PORT": str(free_port()),
            "CLAIMDESK_TEMPORAL_UI_PORT": str(free_port()),
            "CLAIMDESK_SMTP_PORT": str(free_port()),
            "CLAIMDESK_WORKER_METRICS_PORT": str(free_port()),
            "CLAIMDESK_LEVEL2_AFTER": "2",
            "CLAIMDESK_LEVEL3_AFTER": "4",
            "CLAIMDESK_RESOLUTION_TARGET": "6",
        }
        self.url = f"http://127.0.0.1:{self.api_port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def output(self) -> Path:
        return self.root / f"dev-{self.starts}.out"

    def start(self) -> None:
        self.starts += 1
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                [str(CLAIMDESK), "dev"], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        _eventually(self._running, timeout=120, what="claimdesk dev to be running")

    def _running(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"claimdesk dev exited:\n{self.output.read_text()}")
        return "is running" in self.output.read_text()

    def stop(self) -> int:
        """Ctrl-C, as a user would; returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [str(CLAIMDESK), *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, f"claimdesk {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def new_key(self, *args: str) -> str:
        return self.cli("keys", "create", *args).strip().splitlines()[-1].strip()

    def dropped(self) -> list[str]:
        """What the sink was sent again and dropped (it keeps one copy per Message-ID)."""
        log = self.data_dir / "mail" / DROPPED
        return log.read_text().splitlines() if log.exists() else []

    def mails(self) -> list[EmailMessage]:
        found = []
        for path in sorted((self.data_dir / "mail").glob("*.eml")):
            parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            found.append(parsed)
        return found


def _eventually(check: Callable[[], T | None], *, timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.5)


def _metrics(response: httpx.Response) -> Counter[str]:
    """Prometheus text: each series' total under its bare name, and each sample as written."""
    assert response.status_code == 200
    totals: Counter[str] = Counter()
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            # The SDK's counters carry no `_total`; the parser adds one to counter samples.
            bare = sample.name.removesuffix("_total") if family.type == "counter" else sample.name
            totals[bare] += sample.value
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            totals[f"{sample.name}{{{labels}}}"] += sample.value
    return totals


def _mail_counts(mails: list[EmailMessage], reference: str) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for mail in mails:
        if mail["X-Claimdesk-Reference"] != reference:
            continue
        template = str(mail["X-Claimdesk-Template"])
        for template_name, to in EXPECTED_MAILS:
            if template == template_name and to in str(mail["To"]):
                counts[(template_name, to)] += 1
    return counts


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[DevStack]:
    dev = DevStack(tmp_path)
    yield dev
    if dev.process is not None and dev.process.poll() is None:
        dev.stop()


@pytest.mark.timeout(240)
def test_silent_merchant_claim_climbs_the_ladder_and_survives_a_restart(
    stack: DevStack, tmp_path: Path
) -> None:
    stack.start()
    demo = stack.cli("demo", "--api", stack.url)
    assert "customer confirmed satisfaction: the claim is closed" in demo
    assert "status=closed" in demo

    operator = stack.new_key("--role", "operator")
    customer = stack.new_key("--role", "customer", "--email", CUSTOMER)
    stack.cli(
        "merchants", "add", "--id", MERCHANT, "--name", "Silent Shop", "--email", MERCHANT_EMAIL
    )
    csv = tmp_path / "transactions.csv"
    occurred_at = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    csv.write_text(
        "id,merchant_id,customer_email,amount,currency,occurred_at\n"
        f"T-1,{MERCHANT},{CUSTOMER},25.00,EUR,{occurred_at}\n"
    )
    stack.cli("transactions", "import", str(csv))

    http = httpx.Client(base_url=stack.url, timeout=30)
    as_customer = {"Authorization": f"Bearer {customer}"}
    as_operator = {"Authorization": f"Bearer {operator}"}
    opening = {
        "transaction_id": "T-1",
        "subject": "delivery",
        "category": "not_received",
        "description": "Nothing arrived.",
        "contact": {"name": "Grace Hopper", "email": CUSTOMER},
    }
    answer = http.post("/claims", json=opening, headers=as_customer)
    assert answer.status_code == 201, answer.text
    reference = answer.json()["reference"]

    def breached() -> dict[str, Any] | None:
        claim: dict[str, Any] = http.get(f"/claims/{reference}", headers=as_customer).json()
        return claim if claim["sla_breached"] else None

    claim = _eventually(breached, timeout=60, what="the resolution target to pass")
    assert claim["escalation_level"] == 3
    assert claim["status"] == "open"

    def struck() -> dict[str, Any] | None:
        merchant: dict[str, Any] = http.get(f"/merchants/{MERCHANT}", headers=as_operator).json()
        return merchant if merchant["strikes"] >= 1 else None

    assert _eventually(struck, timeout=30, what="the merchant's strike")["strikes"] == 1

    expected = Counter(EXPECTED_MAILS)
    _eventually(
        lambda: _mail_counts(stack.mails(), reference) == expected,
        timeout=30,
        what=f"the e-mails {dict(expected)}; got {dict(_mail_counts(stack.mails(), reference))}",
    )
    keys = [
        str(mail["X-Claimdesk-Key"])
        for mail in stack.mails()
        if mail["X-Claimdesk-Reference"] == reference
    ]
    assert len(keys) == len(set(keys)) == sum(expected.values())

    # The operator's view of the same story: both metrics endpoints, as Prometheus scrapes.
    worker_port = stack.env["CLAIMDESK_WORKER_METRICS_PORT"]
    worker = _metrics(http.get(f"http://127.0.0.1:{worker_port}/metrics"))
    assert worker["claimdesk_claims_opened"] >= 2  # the demo's claim and this one
    assert worker["claimdesk_escalations"] >= 2
    assert worker["claimdesk_breaches"] >= 1
    assert worker["claimdesk_emails_sent"] >= sum(expected.values())
    assert worker["temporal_workflow_task_execution_latency_count"] > 0
    api_metrics = _metrics(http.get("/metrics"))
    assert (
        api_metrics['claimdesk_http_requests_total{method="POST",route="/claims",status="201"}']
        >= 2
    )

    # `claimdesk dev` made its own payload key, for its owner's eyes only.
    key_file = stack.data_dir / "payload-keys"
    kept = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    before = http.get(f"/claims/{reference}", headers=as_customer).json()
    first_seal_keys = (stack.data_dir / "seal-keys").read_text()
    assert stack.stop() == 0
    stack.start()
    http = httpx.Client(base_url=stack.url, timeout=30)
    after = http.get(f"/claims/{reference}", headers=as_customer)
    assert after.status_code == 200, after.text
    assert after.json() == before
    assert before["escalation_level"] == 3
    assert before["sla_breached"] is True
    merchant = http.get(f"/merchants/{MERCHANT}", headers=as_operator).json()
    assert merchant["strikes"] == 1
    time.sleep(2)  # a replay that re-sent anything would show by now
    assert _mail_counts(stack.mails(), reference) == expected
    # Nothing was cut mid-send (Ctrl-C lets the worker finish), so nothing may be sent again:
    # the sink would drop a resend under the same Message-ID, but it notes each one.
    assert stack.dropped() == []
    # The same keys after the restart: the new worker decrypts the claim's history and goes
    # on, and the API and the worker still agree on the seal.
    assert key_file.read_text() == kept
    seal_keys = stack.data_dir / "seal-keys"
    assert seal_keys.stat().st_mode & 0o777 == 0o600
    assert seal_keys.read_text() == first_seal_keys
    posted = http.post(
        f"/claims/{reference}/messages", json={"body": "still there?"}, headers=as_customer
    )
    assert posted.status_code == 200, posted.text
    assert stack.stop() == 0
    # The dev log: each move of the claim once, and no address (the mail sink is quiet).
    log = (stack.data_dir / "log" / "claimdesk.log").read_text()
    moves = [line for line in log.splitlines() if reference in line and "claim " in line]
    assert sum("claim escalated" in line for line in moves) == 2, moves
    assert sum("claim sla_breached" in line for line in moves) == 1, moves
    assert CUSTOMER not in log and MERCHANT_EMAIL not in log
    assert " mail.log:" not in log


def test_dev_keeps_one_payload_key_of_its_own_and_points_the_ui_at_the_codec_server(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "var", payload_keys=None, api_port=8123)
    paths = StackPaths(settings.data_dir)
    paths.create()
    first = with_dev_payload_keys(settings, paths)
    again = with_dev_payload_keys(settings, paths)  # a restart
    [(key_id, key)] = first.payload_key_ring().items()
    assert again.payload_key_ring() == {key_id: key} and len(key) == 32
    assert stat.S_IMODE(paths.payload_keys.stat().st_mode) == 0o600
    # Keys given in the environment win, and the file is left alone.
    given = with_dev_payload_keys(Settings(payload_keys=TEST_PAYLOAD_KEYS), paths)
    assert given.payload_keys is not None
    assert given.payload_keys.get_secret_value() == TEST_PAYLOAD_KEYS
    command = temporal_command(first, paths)
    assert command[command.index("--ui-codec-endpoint") + 1] == "http://localhost:8123/codec"
