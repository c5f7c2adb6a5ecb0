"""Beat and worker tasks of the fire-safety cycle. All take ids and are safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def fire_monthly_cycle_task() -> list[int]:
    """Daily: make sure each centre has this month's round and its notice in the chain."""
    from notices.fire.services.rounds import fire_monthly_cycle

    return fire_monthly_cycle()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def escalate_overdue_cases_task() -> list[int]:
    from notices.fire.services.rectification import cases_escalate_overdue

    return cases_escalate_overdue()


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=120, soft_time_limit=90)
def render_round_report_task(round_id: int, language: str | None = None) -> str:
    from notices.fire.services.rounds import round_render_report

    return round_render_report(round_id=round_id, language=language).report_sha256


@shared_task(acks_late=True)
def notify_case_escalated(case_id: int) -> int:
    from notices.fire.services.notifications import send_escalation

    return send_escalation(case_id)


@shared_task(acks_late=True)
def notify_case_reported(case_id: int) -> int:
    from notices.fire.services.notifications import send_reported

    return send_reported(case_id)
