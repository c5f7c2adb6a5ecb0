"""The beat schedule: every periodic task of Atrium, in one list.

Periodic tasks live in django-celery-beat's tables, so that beat on any host
runs them and staff can see and pause them in the Django admin. This list is
the one place they are declared (tasks are named by their dotted path, so the
foundation imports no app); `schedule_sync`, run after every `migrate`, keeps
the table in step — the interval or time when a setting changed, and nothing
else: a task staff paused stays paused.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class Every:
    minutes: int


@dataclass(frozen=True)
class At:
    """A time of day, Shanghai time (settings.TIME_ZONE), optionally on a
    weekday (1 = Monday), a day of the month or some months ("1,4,7,10": quarterly)."""

    hour: int
    minute: int = 0
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"


DEADLINE_SWEEP_NAME = "Service desk: warn and escalate request deadlines (服务台诉求时限提醒与升级)"
EXPIRY_REMINDER_NAME = "Archive: remind of expiring documents (档案证照到期提醒)"
RECORDING_PURGE_NAME = "Service desk: purge call recordings past retention (通话录音到期清除)"
HOLD_EXPIRY_NAME = "Service desk: release recording holds past their keep-until date (录音存档到期解除)"
WEEKLY_REMINDER_NAME = "Visits: weekly list of due and overdue visits to each staff member (每周拜访提醒)"
MONTHLY_SUMMARY_NAME = "Visits: monthly target summary to managers (月度指标汇总)"
PLAN_SYNC_NAME = "Visits: bring the visit plans in line with the tenants (拜访计划同步)"
MEETING_GAP_NAME = "Visits: flag centres without a tenant meeting last quarter (季度租户大会检查)"


def beat_schedule() -> list[tuple[str, str, Every | At]]:
    """(name shown in the admin, task, when) for every periodic task."""
    backup_hour, backup_minute = settings.ATRIUM_BACKUP_AT
    recovery = settings.ATRIUM_RECOVERY_SWEEP_MINUTES
    return [
        # Service desk and archive: reminders are waiting when the desk opens;
        # recordings are purged when the hotline is quiet.
        (DEADLINE_SWEEP_NAME, "tenants.tasks.sweep_request_deadlines", Every(settings.ATRIUM_DEADLINE_SWEEP_MINUTES)),
        (EXPIRY_REMINDER_NAME, "tenants.tasks.remind_expiring_documents", At(7, 30)),
        # Holds past their keep-until date are released first, so that the
        # same night's purge applies the normal retention to them.
        (HOLD_EXPIRY_NAME, "tenants.tasks.release_expired_recording_holds", At(3, 0)),
        (RECORDING_PURGE_NAME, "tenants.tasks.purge_call_recordings", At(3, 15)),
        # Letters: the sweeps that finish work a dead worker left half done.
        # Every ATRIUM_RECOVERY_SWEEP_MINUTES, so that threshold + interval keeps
        # recovery within 5 minutes (portal/settings/recovery.py).
        ("notices: re-queue stuck stamping", "notices.tasks.sweep_stuck_letters", Every(recovery)),
        ("notices: finish stuck deliveries", "notices.tasks.sweep_stuck_deliveries", Every(recovery)),
        ("notices: reminders and overdue letters", "notices.tasks.follow_up_letters", Every(60)),
        # Its own nightly entry: the sweeps above must stay quick (every
        # minute) and the follow-up is about tenants; the recording purge
        # belongs to the tenants app, which cannot see letters.
        ("notices: delete old receipts ZIPs", "notices.tasks.purge_receipts_zips", At(3, 45)),
        ("fire: monthly inspection round and notice", "notices.fire.tasks.fire_monthly_cycle_task", At(8)),
        ("fire: escalate overdue rectifications", "notices.fire.tasks.escalate_overdue_cases_task", At(9, 30)),
        # Relationship work.
        (WEEKLY_REMINDER_NAME, "visits.tasks.weekly_visit_reminders", At(8, day_of_week="1")),
        (MONTHLY_SUMMARY_NAME, "visits.tasks.monthly_manager_summary", At(8, 30, day_of_month="1")),
        (PLAN_SYNC_NAME, "visits.tasks.sync_all_plans", At(2, 30)),
        (MEETING_GAP_NAME, "visits.tasks.quarterly_meeting_check", At(8, 15, day_of_month="1", month_of_year="1,4,7,10")),
        # Published content, alerts and greetings.
        ("pages: publish scheduled pages", "portal.pages.tasks.publish_scheduled_pages", Every(1)),
        ("pages: re-queue missing handbook PDFs", "portal.pages.tasks.handbook_pdf_sweep", Every(5)),
        ("pages: handbook acknowledgement reminders", "portal.pages.tasks.handbook_ack_reminders", At(10)),
        # A fee schedule whose effective date is today gets its window notice before opening.
        ("pages: printable notice of the fee schedule in force", "portal.pages.tasks.fee_notices_refresh_task",
         At(0, 10)),
        ("broadcasts: prepare holiday greetings", "portal.broadcasts.tasks.greetings_prepare", At(8, 30)),
        ("broadcasts: send holiday greetings", "portal.broadcasts.tasks.greetings_send_due", At(9)),
        # The portal's own: backups and the evidence chain's checkpoint.
        ("portal: nightly backup", "portal.tasks.backup_nightly", At(backup_hour, backup_minute)),
        ("portal: evidence chain checkpoint", "portal.tasks.audit_checkpoint_task",
         Every(settings.ATRIUM_AUDIT_CHECKPOINT_MINUTES)),
    ]


def schedule_sync() -> None:
    """Make the beat table hold every entry of `beat_schedule`. Idempotent."""
    for name, task, when in beat_schedule():
        if isinstance(when, Every):
            ensure_interval_task(name=name, task=task, minutes=when.minutes)
        else:
            ensure_crontab_task(name=name, task=task, minute=str(when.minute), hour=str(when.hour),
                                day_of_week=when.day_of_week, day_of_month=when.day_of_month,
                                month_of_year=when.month_of_year)


def ensure_interval_task(*, name: str, task: str, minutes: int) -> PeriodicTask:
    schedule, _ = IntervalSchedule.objects.get_or_create(every=minutes, period=IntervalSchedule.MINUTES)
    periodic, _ = PeriodicTask.objects.update_or_create(
        name=name, defaults={"task": task, "interval": schedule, "crontab": None}
    )
    return periodic


def ensure_crontab_task(*, name: str, task: str, minute="0", hour="*", day_of_week="*", day_of_month="*",
                        month_of_year="*") -> PeriodicTask:
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute=minute, hour=hour, day_of_week=day_of_week, day_of_month=day_of_month, month_of_year=month_of_year,
        timezone=settings.TIME_ZONE,
    )
    periodic, _ = PeriodicTask.objects.update_or_create(
        name=name, defaults={"task": task, "crontab": schedule, "interval": None}
    )
    return periodic
