"""Periodic tasks live in django-celery-beat's tables, so that beat on any host
runs them and staff can see and pause them in the Django admin. Apps declare
theirs here; post_migrate keeps the table in step."""

from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


def ensure_interval_task(*, name: str, task: str, minutes: int) -> PeriodicTask:
    schedule, _ = IntervalSchedule.objects.get_or_create(every=minutes, period=IntervalSchedule.MINUTES)
    periodic, _ = PeriodicTask.objects.update_or_create(
        name=name, defaults={"task": task, "interval": schedule, "crontab": None}
    )
    return periodic


def ensure_crontab_task(*, name: str, task: str, minute="0", hour="*", day_of_month="*", timezone="Asia/Shanghai") -> PeriodicTask:
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute=minute, hour=hour, day_of_month=day_of_month, month_of_year="*", day_of_week="*", timezone=timezone
    )
    periodic, _ = PeriodicTask.objects.update_or_create(
        name=name, defaults={"task": task, "crontab": schedule, "interval": None}
    )
    return periodic


def ensure_audit_checkpoint() -> PeriodicTask:
    """The evidence chain's checkpoint (anchor outside the database, RFC 3161
    timestamp when a TSA is configured), every ATRIUM_AUDIT_CHECKPOINT_MINUTES."""
    from django.conf import settings

    return ensure_interval_task(name="portal: evidence chain checkpoint", task="portal.tasks.audit_checkpoint_task",
                                minutes=settings.ATRIUM_AUDIT_CHECKPOINT_MINUTES)
