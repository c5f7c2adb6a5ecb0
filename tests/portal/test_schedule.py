"""One beat schedule: every periodic task is declared in portal.scheduling,
names a task Celery knows, is in the beat table after migrate, and a task
staff paused in the admin stays paused when the schedule is synced again."""

import pytest
from django_celery_beat.models import PeriodicTask

from portal.celery import app
from portal.scheduling import Every, beat_schedule, schedule_sync

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_is_a_known_celery_task():
    app.loader.import_default_modules()
    unknown = [task for _name, task, _when in beat_schedule() if task not in app.tasks]
    assert not unknown, unknown


def test_the_beat_table_holds_exactly_the_schedule_after_migrate():
    expected = {name: (task, isinstance(when, Every)) for name, task, when in beat_schedule()}
    rows = {p.name: (p.task, p.interval_id is not None) for p in PeriodicTask.objects.exclude(name="celery.backend_cleanup")}
    assert rows == expected


def test_a_paused_task_stays_paused_and_a_changed_interval_follows_the_setting(settings):
    PeriodicTask.objects.filter(name="notices: finish stuck deliveries").update(enabled=False)
    settings.ATRIUM_DEADLINE_SWEEP_MINUTES = 7
    schedule_sync()
    assert not PeriodicTask.objects.get(name="notices: finish stuck deliveries").enabled
    sweep = PeriodicTask.objects.get(task="tenants.tasks.sweep_request_deadlines")
    assert sweep.interval.every == 7 and sweep.enabled
