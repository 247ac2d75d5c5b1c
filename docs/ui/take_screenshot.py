"""Screenshots the Temporal UI's claim list, filtered by a query, and the web claim center's
spaces, against a real `claimdesk dev`.

Run it with `make screenshot` (it needs Chromium: `apt install chromium`). It starts the
whole dev stack in a fresh data directory on free ports with a ladder of seconds, opens
claims against three merchants through the API as a client would, lets the deadlines
pass, then has headless Chromium show the UI's workflow list with the claims' search
attributes as columns, and sign in to the web pages as an operator, a customer and a
merchant, who also file and answer one more claim on the pages (web_screens.py), and save
docs/ui/*.png.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
from playwright.async_api import async_playwright
from web_screens import FRESH_PURCHASE, OPERATOR, web_screenshots

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
COLUMNS = [
    ("Status", True),
    ("Workflow ID", True),
    ("ClaimStatus", False),
    ("ClaimSubject", False),
    ("MerchantId", False),
    ("EscalationLevel", False),
    ("SlaBreached", False),
    ("NextDeadline", False),
]
# Saved under (file name, query): what the README shows and operators paste.
VIEWS = [
    ("claims-breached.png", "SlaBreached = true AND ClaimStatus != 'closed'"),
    ("claims-merchant.png", "MerchantId = 'LUMEN-HOME'"),
]
CLAIMS = [  # transaction, merchant, subject, category, what the merchant does
    ("T-1001", "LUMEN-HOME", "delivery", "not_received", None),
    ("T-1002", "LUMEN-HOME", "delivery", "damaged", "propose"),
    ("T-1003", "LUMEN-HOME", "payment", "unauthorized", None),
    ("T-2001", "ATLAS-BOOKS", "delivery", "not_as_described", "acknowledge"),
    ("T-2002", "ATLAS-BOOKS", "delivery", "not_received", None),
    ("T-3001", "NORD-CYCLES", "payment", "amount_discrepancy", None),
    ("T-3002", "NORD-CYCLES", "delivery", "not_received", "propose"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "claimdesk"), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


async def wait_ok(url: str, within: float = 90) -> None:
    give_up = time.monotonic() + within
    async with httpx.AsyncClient() as http:
        while True:
            try:
                if (await http.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > give_up:
                raise RuntimeError(f"{url} never answered")
            await asyncio.sleep(0.5)


async def drive_claims(env: dict[str, str], api: str) -> None:
    """Merchants, transactions and keys through the CLI; claims through the API."""
    customer = cli(env, "keys", "create", "--role", "customer", "--email", "ada@example.com")
    merchants: dict[str, str] = {}
    for merchant in sorted({row[1] for row in CLAIMS}):
        cli(
            env,
            "merchants",
            "add",
            "--id",
            merchant,
            "--name",
            merchant.title(),
            "--email",
            f"disputes@{merchant.lower()}.example",
        )
        merchants[merchant] = cli(
            env, "keys", "create", "--role", "merchant", "--merchant-id", merchant
        )
    bought = (datetime.now(UTC) - timedelta(days=9)).isoformat()
    csv = Path(env["CLAIMDESK_DATA_DIR"]) / "transactions.csv"
    csv.write_text(
        "id,merchant_id,customer_email,amount,currency,occurred_at\n"
        + "".join(f"{tx},{m},ada@example.com,89.00,EUR,{bought}\n" for tx, m, *_ in CLAIMS)
        # Left unclaimed: web_screens.py files its claim through the customer's form.
        + f"{FRESH_PURCHASE},LUMEN-HOME,ada@example.com,89.00,EUR,{bought}\n"
    )
    cli(env, "transactions", "import", str(csv))
    async with httpx.AsyncClient(base_url=api, timeout=30) as http:
        for tx, merchant, subject, category, answer in CLAIMS:
            body = {
                "transaction_id": tx,
                "subject": subject,
                "category": category,
                "description": "Ordered three weeks ago; see the attached tracking.",
                "contact": {"name": "Ada", "email": "ada@example.com"},
            }
            opened = await http.post(
                "/claims", json=body, headers={"Authorization": f"Bearer {customer}"}
            )
            opened.raise_for_status()
            if answer is None:
                continue
            response: dict[str, object] = {"action": answer}
            if answer == "propose":
                response["proposal"] = {"kind": "refund", "amount": "89.00"}
            answered = await http.post(
                f"/claims/{opened.json()['reference']}/merchant-response",
                json=response,
                headers={"Authorization": f"Bearer {merchants[merchant]}"},
            )
            answered.raise_for_status()
            if answer == "propose":  # the customer takes the refund: resolved in time
                accepted = await http.post(
                    f"/claims/{opened.json()['reference']}/proposal/accept",
                    headers={"Authorization": f"Bearer {customer}"},
                )
                accepted.raise_for_status()


async def screenshot(ui: str, web: str, mail_dir: Path) -> None:
    columns = [{"label": label, "pinned": pinned} for label, pinned in COLUMNS]
    # The UI keeps each namespace's chosen columns in localStorage; set them before it loads.
    setup = (
        "window.localStorage.setItem('namespace-workflow-table-columns', "
        f"JSON.stringify({json.dumps({'default': columns})}));"
    )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = await browser.new_page(viewport={"width": 1680, "height": 760})
        await page.add_init_script(setup)
        for name, query in VIEWS:
            await page.goto(f"{ui}/namespaces/default/workflows?query={quote(query)}")
            await page.wait_for_selector("text=CLM-", timeout=30_000)
            await page.wait_for_timeout(1500)  # let the rows settle
            await page.screenshot(path=str(HERE / name))
            print(f"saved docs/ui/{name}: {query}")
        await web_screenshots(browser, web, mail_dir)
        await browser.close()


async def show(env: dict[str, str], api: str, ui: str) -> None:
    await wait_ok(f"{api}/readyz")
    await drive_claims(env, api)
    cli(env, "operators", "add", "--email", OPERATOR)
    await asyncio.sleep(42)  # past the resolution target: silent merchants breach
    await wait_ok(ui)
    await screenshot(ui, api, Path(env["CLAIMDESK_DATA_DIR"]) / "mail")


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="claimdesk-ui-"))
    ports = {name: free_port() for name in ("API", "TEMPORAL", "TEMPORAL_UI", "SMTP")}
    env = {
        **os.environ,
        "CLAIMDESK_DATA_DIR": str(data_dir),
        # Seconds, long enough for the claim filed on the pages to stay at level 1 while
        # the merchant answers it there, short enough for the first claims to breach.
        "CLAIMDESK_LEVEL2_AFTER": "30",
        "CLAIMDESK_LEVEL3_AFTER": "36",
        "CLAIMDESK_RESOLUTION_TARGET": "40",
        "CLAIMDESK_WORKER_METRICS_PORT": str(free_port()),
        "CLAIMDESK_PUBLIC_URL": f"http://127.0.0.1:{ports['API']}",  # the e-mails' links
        **{f"CLAIMDESK_{name}_PORT": str(port) for name, port in ports.items()},
    }
    api, ui = f"http://127.0.0.1:{ports['API']}", f"http://127.0.0.1:{ports['TEMPORAL_UI']}"
    stack = subprocess.Popen([str(BIN / "claimdesk"), "dev"], env=env)
    try:
        asyncio.run(show(env, api, ui))
    finally:
        stack.send_signal(signal.SIGINT)
        stack.wait(timeout=60)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
