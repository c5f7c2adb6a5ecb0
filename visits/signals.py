"""The plan follows the tenants: a tier change, a move-out or a new tenant
re-plans that tenant's year. Beat schedules are kept in step on migrate."""

from django.db.models.signals import post_migrate, post_save, pre_save
from django.dispatch import receiver

from tenants.models import Tenant

WEEKLY_REMINDER_NAME = "Visits: weekly list of due and overdue visits to each staff member (每周拜访提醒)"
MONTHLY_SUMMARY_NAME = "Visits: monthly target summary to managers (月度指标汇总)"
PLAN_SYNC_NAME = "Visits: bring the visit plans in line with the tenants (拜访计划同步)"


@receiver(pre_save, sender=Tenant)
def remember_tier(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = Tenant.objects.filter(pk=instance.pk).values("tier", "status").first()
    instance._visits_old = old


@receiver(post_save, sender=Tenant)
def replan_on_change(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = getattr(instance, "_visits_old", None) or {}
    if not created and old.get("tier") == instance.tier and old.get("status") == instance.status:
        return
    from .services.plans import tenant_changed

    tenant_changed(tenant=instance, old_tier=old.get("tier"), old_status=old.get("status"), created=created)


@receiver(post_migrate)
def schedule_periodic_tasks(sender, app_config=None, **kwargs):
    if app_config is None or app_config.label != "django_celery_beat":
        return
    from django.conf import settings
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    from .tasks import MONTHLY_TASK_NAME, SYNC_TASK_NAME, WEEKLY_TASK_NAME

    # Monday 08:00 and the 1st of the month 08:30, Shanghai time.
    monday, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="8", day_of_week="1", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    first, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="8", day_of_week="*", day_of_month="1", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.update_or_create(
        name=WEEKLY_REMINDER_NAME, defaults={"task": WEEKLY_TASK_NAME, "crontab": monday,
                                             "interval": None, "enabled": True},
    )
    night, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.update_or_create(
        name=PLAN_SYNC_NAME, defaults={"task": SYNC_TASK_NAME, "crontab": night, "interval": None, "enabled": True},
    )
    PeriodicTask.objects.update_or_create(
        name=MONTHLY_SUMMARY_NAME, defaults={"task": MONTHLY_TASK_NAME, "crontab": first, "interval": None, "enabled": True},
    )


@receiver(post_save, sender="visits.VisitPolicy")
def replan_on_policy_change(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from django.db import transaction
    from django.utils import timezone

    from .tasks import replan_centre

    centre_id, year = instance.centre_id, timezone.localdate().year
    transaction.on_commit(lambda: replan_centre.delay(centre_id, year))
