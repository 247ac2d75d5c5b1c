"""Edition 2: the investigation's findings within 48 h, on the time-skipping server."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text

from claimdesk.core.domain import Actor, Deadline, Findings, Role, Subject
from tests.support.workflows import DAY, Claims, eventually
from workflows.claim import ClaimWorkflow

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
OPERATOR = Actor(Role.OPERATOR, "key_op")


async def _overdue_at(claims: Claims, reference: str) -> list[datetime]:
    async with claims.engine.connect() as conn:
        result = await conn.execute(
            text("SELECT at FROM claim_events WHERE reference = :r AND kind = 'findings_overdue'"),
            {"r": reference},
        )
        return list(result.scalars())


async def test_findings_overdue_alert_the_operators_exactly_48_hours_after_level_2(
    claims: Claims,
) -> None:
    handle = await claims.open(Subject.PAYMENT)
    opened = (await handle.query(ClaimWorkflow.view)).opened_at
    due = opened + 24 * HOUR + 48 * HOUR
    await claims.env.sleep(48 * HOUR + MINUTE)  # level 2, then level 3: the findings are next
    view = await handle.query(ClaimWorkflow.view)
    assert view.escalation_level == 3
    assert (view.next_deadline, view.next_deadline_kind) == (due, Deadline.FINDINGS)
    await claims.env.sleep(due - opened - 48 * HOUR - 2 * MINUTE)  # a minute before
    assert await _overdue_at(claims, handle.id) == []
    await claims.env.sleep(2 * MINUTE)
    await eventually(lambda: _has_overdue(claims, handle.id), what="findings_overdue")
    assert await _overdue_at(claims, handle.id) == [due]
    [alert] = await claims.mail(handle.id, "findings_overdue")
    assert str(alert["To"]) == "operators@claimdesk.localhost"
    view = await handle.query(ClaimWorkflow.view)
    assert view.next_deadline_kind is Deadline.RESOLUTION_TARGET


async def _has_overdue(claims: Claims, reference: str) -> bool:
    return bool(await _overdue_at(claims, reference))


async def test_findings_given_in_time_reach_the_customer_and_nobody_is_alerted(
    claims: Claims,
) -> None:
    handle = await claims.open(Subject.PAYMENT)
    await claims.env.sleep(24 * HOUR + HOUR)
    note = Findings(OPERATOR, "The payment was made with your card and its code.")
    view = await handle.execute_update(ClaimWorkflow.give_findings, note)
    assert "findings" not in view.allowed_actions["operator"]
    [mail] = await claims.mail(handle.id, "findings")
    assert "ana@example.com" in str(mail["To"])
    assert note.note in mail.get_content()
    await claims.env.sleep(5 * DAY)
    await claims.settle(handle)
    timeline = await claims.timeline(handle.id)
    assert "findings" in timeline and "findings_overdue" not in timeline
    assert "findings_overdue" not in claims.templates(handle.id)
