"""What the claim workflow reports as claims move: counters, and one log line per move.

Both come from the workflow, not from the activities that store each step: the SDK neither
moves a workflow's counters nor writes its logger's lines while it replays history, so a
claim's move is counted and logged once, where an activity would log once per attempt.
"""

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
# The details of those events a log line carries (as field: detail); the others (a note,
# an agreement) may hold people's words.
LOGGED_DETAILS = {
    "subject": "subject",
    "level": "escalation_level",
    "team": "team",
    "cause": "cause",
    "reason": "closed_reason",
}


def count_step(step: Step, subject: str) -> None:
    """Moves the counters of the step's events, and logs one line for each of them."""
    meter = workflow.metric_meter().with_additional_attributes({"subject": subject})
    for event in step.events:
        counter = COUNTERS.get(event.kind)
        if counter is None:
            continue
        name, description = counter
        meter.create_counter(name, description).add(1)
        fields = {
            field: str(event.details[detail])
            for detail, field in LOGGED_DETAILS.items()
            if event.details.get(detail) is not None
        }
        workflow.logger.info(
            "claim %s%s",
            event.kind.value,
            "".join(f" {field}={value}" for field, value in fields.items()),
            extra={"event": event.kind.value, **fields},
        )
