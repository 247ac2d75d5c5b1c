"""Counters the claim workflow moves as claims move (the SDK does not repeat them on replay)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from claimdesk.core.domain import EventKind
    from claimdesk.core.rules import Step

# A timeline event kind and the counter it moves.
COUNTERS = {
    EventKind.OPENED: ("claimdesk_claims_opened", "Claims opened"),
    EventKind.ESCALATED: ("claimdesk_escalations", "Claims escalated one level (2 or 3)"),
    EventKind.SLA_BREACHED: ("claimdesk_breaches", "Claims that missed the resolution target"),
    EventKind.CLOSED: ("claimdesk_claims_closed", "Claims closed, for any reason"),
}


def count_step(step: Step, subject: str) -> None:
    meter = workflow.metric_meter().with_additional_attributes({"subject": subject})
    for event in step.events:
        counter = COUNTERS.get(event.kind)
        if counter is not None:
            name, description = counter
            meter.create_counter(name, description).add(1)
