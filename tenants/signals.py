from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from .search_index import on_tenant_deleted, on_tenant_saved

post_save.connect(on_tenant_saved, sender="tenants.Tenant", dispatch_uid="tenants.index_tenant_saved")
post_delete.connect(on_tenant_deleted, sender="tenants.Tenant", dispatch_uid="tenants.index_tenant_deleted")

DEADLINE_SWEEP_NAME = "Service desk: warn and escalate request deadlines (服务台诉求时限提醒与升级)"
EXPIRY_REMINDER_NAME = "Archive: remind of expiring documents (档案证照到期提醒)"
RECORDING_PURGE_NAME = "Service desk: purge call recordings past retention (通话录音到期清除)"


@receiver(post_migrate)
def schedule_periodic_tasks(sender, app_config=None, **kwargs):
    """Create the beat schedule once django_celery_beat's tables exist.

    Idempotent (update_or_create by name) so every migrate keeps it right,
    including the interval if the setting changed."""
    if app_config is None or app_config.label != "django_celery_beat":
        return
    from django.conf import settings
    from django_celery_beat.models import (
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
    )

    from .tasks import EXPIRY_TASK_NAME, PURGE_TASK_NAME, SWEEP_TASK_NAME

    interval, _ = IntervalSchedule.objects.get_or_create(
        every=settings.ATRIUM_DEADLINE_SWEEP_MINUTES, period=IntervalSchedule.MINUTES
    )
    PeriodicTask.objects.update_or_create(
        name=DEADLINE_SWEEP_NAME, defaults={"task": SWEEP_TASK_NAME, "interval": interval, "enabled": True}
    )
    # Daily, early morning Shanghai time, so that reminders are waiting when
    # the service desk opens.
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.update_or_create(
        name=EXPIRY_REMINDER_NAME, defaults={"task": EXPIRY_TASK_NAME, "crontab": morning, "interval": None, "enabled": True}
    )
    # Nightly, when the hotline is quiet.
    night, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.update_or_create(
        name=RECORDING_PURGE_NAME, defaults={"task": PURGE_TASK_NAME, "crontab": night, "interval": None, "enabled": True}
    )
