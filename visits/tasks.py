"""Tasks of the visits app: take ids, call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

WEEKLY_TASK_NAME = "visits.tasks.weekly_visit_reminders"
MONTHLY_TASK_NAME = "visits.tasks.monthly_manager_summary"
SYNC_TASK_NAME = "visits.tasks.sync_all_plans"
MEETING_GAP_TASK_NAME = "visits.tasks.quarterly_meeting_check"


@shared_task(name=MEETING_GAP_TASK_NAME, acks_late=True)
def quarterly_meeting_check() -> int:
    """At the start of each quarter: centres without a tenant meeting in the last one."""
    from .services.meeting_gaps import meeting_gaps_check

    return len(meeting_gaps_check())


@shared_task(acks_late=True)
def replan_tenant(tenant_id: int, year: int) -> None:
    from tenants.models import Tenant

    from .services.plans import plan_sync

    tenant = Tenant.objects.select_related("centre").filter(pk=tenant_id).first()
    if tenant is not None:
        plan_sync(centre=tenant.centre, year=year, tenants=[tenant])


@shared_task(acks_late=True)
def replan_centre(centre_id: int, year: int) -> None:
    from tenants.models import Centre

    from .services.plans import plan_sync

    centre = Centre.objects.filter(pk=centre_id).first()
    if centre is not None:
        plan_sync(centre=centre, year=year)


@shared_task(name=SYNC_TASK_NAME, acks_late=True)
def sync_all_plans() -> int:
    """Nightly: every centre's plan for this year (and, in December, next
    year) is brought in line with its tenants. One task per centre."""
    from django.utils import timezone

    from tenants.models import Centre

    today = timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month == 12 else [])
    n = 0
    for centre_id in Centre.objects.values_list("pk", flat=True):
        for year in years:
            replan_centre.delay(centre_id, year)
            n += 1
    return n


@shared_task(acks_late=True)
def survey_invite(survey_id: int) -> int:
    from .services.notify import survey_invitations

    return survey_invitations(survey_id=survey_id)


@shared_task(acks_late=True)
def build_export(export_id: int) -> None:
    from .exports.jobs import export_build

    export_build(export_id=export_id)


@shared_task(name=WEEKLY_TASK_NAME, acks_late=True)
def weekly_visit_reminders() -> int:
    from .services.reminders import weekly_visit_reminders as run

    return run()


@shared_task(name=MONTHLY_TASK_NAME, acks_late=True)
def monthly_manager_summary() -> int:
    from .services.reminders import monthly_manager_summary as run

    return run()
