"""R7: a recording hold ends by itself once its keep-until date has passed;
the recording then meets the normal purge. Every release is audited."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django_celery_beat.models import PeriodicTask

from portal.models import AuditEvent
from portal.scheduling import HOLD_EXPIRY_NAME
from tenants.models import RecordingHold, RecordingStatus
from tenants.services.recordings import recording_hold, recording_holds_expire
from tenants.tasks import purge_call_recordings, release_expired_recording_holds

from .test_call_recordings import _recording

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_hold_is_released_the_day_after_its_keep_until_date_and_the_recording_then_purged(world, time_machine):
    time_machine.move_to(START, tick=False)
    rec = _recording(world)
    hold = recording_hold(actor=world.ops_a, recording=rec, reason="特殊案件未结", keep_until=START.date() + timedelta(days=60))
    longer = recording_hold(actor=world.ops_a, recording=_recording(world), reason="诉讼中",
                            keep_until=START.date() + timedelta(days=90))
    name = rec.file.name

    time_machine.move_to(START + timedelta(days=60), tick=False)  # the keep-until day itself: still kept
    assert release_expired_recording_holds.apply().get() == 0
    assert purge_call_recordings.apply().get() == 0

    time_machine.move_to(START + timedelta(days=61), tick=False)
    assert release_expired_recording_holds.apply().get() == 1
    hold.refresh_from_db()
    assert hold.released_at is not None and hold.released_by is None
    assert hold.release_note == "到期自动解除：已过保存期限。"
    event = AuditEvent.objects.for_object(rec).get(action="recording.hold_expired")
    assert event.actor is None and event.details["hold"] == hold.pk
    assert recording_holds_expire() == 0  # safe to run twice
    assert AuditEvent.objects.filter(action="recording.hold_expired").count() == 1

    # The normal schedule: 61 days is past the centre's 30-day retention.
    assert purge_call_recordings.apply().get() == 1
    rec.refresh_from_db()
    assert rec.status == RecordingStatus.PURGED and not default_storage.exists(name)
    longer.refresh_from_db()
    assert longer.released_at is None and longer.recording.status == RecordingStatus.KEPT
    assert RecordingHold.objects.filter(released_at__isnull=True).count() == 1


def test_the_release_runs_daily_before_the_purge():
    release = PeriodicTask.objects.get(name=HOLD_EXPIRY_NAME)
    assert release.task == "tenants.tasks.release_expired_recording_holds"
    assert (release.crontab.hour, release.crontab.minute) == ("3", "0")
