"""The claim's e-mails: one activity per step's batch, retried until it is sent.

Part of the workflow (sandboxed with it). What a refusal does to the claim stays in
workflows/claim.py, which carries the resulting steps out.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from claimdesk.core.domain import MailBatch, MailReceipt

# E-mails retry until they are sent (store writes too, workflows/store_writes.py): a claim
# never loses either. A worker that dies mid-send is noticed within the heartbeat, and
# the activity runs again elsewhere; it beats before each message.
MAIL_TIMEOUT = timedelta(seconds=60)
MAIL_HEARTBEAT = timedelta(seconds=30)
MAIL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=10)
)


async def send_mails(batch: MailBatch) -> MailReceipt:
    """Sends a step's e-mails in one activity; answers what was refused for good."""
    receipt: MailReceipt = await workflow.execute_activity(
        "send_mails",
        batch,
        result_type=MailReceipt,
        summary=", ".join(f"{o.template.value} to {o.recipient.value}" for o in batch.orders),
        start_to_close_timeout=MAIL_TIMEOUT * len(batch.orders),
        heartbeat_timeout=MAIL_HEARTBEAT,
        retry_policy=MAIL_RETRY,
    )
    return receipt
