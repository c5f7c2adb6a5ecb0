"""R7: a recording hold ends by itself once its keep-until date has passed
and its request is closed; the recording then meets the normal purge, which
counts the retention from the call and from the closing. On a request still
open the hold stays in force and is shown to staff for review. Every release
is audited; the nightly tasks repeat nothing."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from portal.models import AuditEvent
from portal.scheduling import HOLD_EXPIRY_NAME
from tenants.models import CallRecording, RecordingHold, RecordingStatus
from tenants.services.recordings import (
    recording_hold,
    recording_holds_expire,
    recording_release,
)
from tenants.services.request_status import request_close, request_reopen
from tenants.tasks import purge_call_recordings, release_expired_recording_holds
from tests.base import logged_in

from .test_call_recordings import _recording

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_hold_is_released_the_day_after_its_keep_until_date_and_the_recording_then_purged(world, time_machine):
    time_machine.move_to(START, tick=False)
    rec = _recording(world, closed=True)
    hold = recording_hold(actor=world.ops_a, recording=rec, reason="特殊案件未结", keep_until=START.date() + timedelta(days=60))
    longer = recording_hold(actor=world.ops_a, recording=_recording(world, closed=True), reason="诉讼中",
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


def test_a_hold_past_its_date_on_an_open_request_stays_in_force_and_is_shown_for_review(world, time_machine):
    """The demo's defect: the hold was released at 03:00 and the audio purged
    at 03:15 while the request was still new."""
    time_machine.move_to(START, tick=False)
    rec = _recording(world)  # its request stays open (new)
    hold = recording_hold(actor=world.ops_a, recording=rec, reason="投诉未结案", keep_until=START.date() + timedelta(days=40))

    time_machine.move_to(START + timedelta(days=90), tick=False)
    for _night in range(2):  # a second run repeats nothing
        assert release_expired_recording_holds.apply().get() == 0
        assert purge_call_recordings.apply().get() == 0
    hold.refresh_from_db()
    rec.refresh_from_db()
    assert hold.released_at is None and rec.status == RecordingStatus.KEPT and default_storage.exists(rec.file.name)
    assert not AuditEvent.objects.filter(action__in=["recording.hold_expired", "recording.purged"]).exists()
    assert list(RecordingHold.objects.to_review(timezone.localdate())) == [hold]

    # Staff see it: in the log (filtered), and on their to-do panel.
    log = reverse("tenants_recordings:log")
    page = logged_in(world.ops_a).get(log + "?state=review").content.decode()
    assert rec.request.number in page and "请复核：已过保留日期" in page
    home = logged_in(world.ops_a).get(reverse("wagtailadmin_home")).content.decode()
    assert f"{log}?state=review" in home
    assert "?state=review" not in logged_in(world.ops_b).get(reverse("wagtailadmin_home")).content.decode()


def test_closing_the_request_lets_the_lapsed_hold_go_and_the_retention_runs_from_the_closing(world, time_machine):
    time_machine.move_to(START, tick=False)
    rec = _recording(world)
    recording_hold(actor=world.ops_a, recording=rec, reason="投诉未结案", keep_until=START.date() + timedelta(days=10))
    time_machine.move_to(START + timedelta(days=50), tick=False)
    request_close(actor=world.ops_a, service_request=rec.request, resolution="已赔偿，结案。")

    time_machine.move_to(START + timedelta(days=51), tick=False)
    assert release_expired_recording_holds.apply().get() == 1
    # The call is 51 days old, but the case closed yesterday: a reopening
    # (二次投诉) within the retention period still finds the recording.
    assert purge_call_recordings.apply().get() == 0
    time_machine.move_to(START + timedelta(days=50 + 31), tick=False)
    assert purge_call_recordings.apply().get() == 1
    rec.refresh_from_db()
    assert rec.status == RecordingStatus.PURGED and len(rec.sha256) == 64
    assert release_expired_recording_holds.apply().get() == 0 and purge_call_recordings.apply().get() == 0


def test_a_reopened_request_keeps_its_recordings(world, time_machine):
    time_machine.move_to(START, tick=False)
    rec = _recording(world, closed=True)
    time_machine.move_to(START + timedelta(days=45), tick=False)
    request_reopen(actor=world.ops_a, service_request=rec.request, reason="问题再次出现")
    assert purge_call_recordings.apply().get() == 0
    rec.refresh_from_db()
    assert rec.status == RecordingStatus.KEPT


def test_the_purge_chooses_in_one_query_whatever_the_number_of_recordings(world, django_assert_max_num_queries):
    for _ in range(5):
        _recording(world)  # open requests: none due
    with django_assert_max_num_queries(2):  # the retention periods in use, then the candidates
        assert list(CallRecording.objects.purge_due(timezone.now()).values_list("pk", flat=True)) == []


def test_the_log_and_its_export_name_the_system_for_a_hold_released_by_the_nightly_task(world, time_machine):
    time_machine.move_to(START, tick=False)
    hold = recording_hold(actor=world.ops_a, recording=_recording(world, closed=True), reason="特殊案件",
                          keep_until=START.date() + timedelta(days=5))
    by_hand = recording_hold(actor=world.ops_a, recording=_recording(world), reason="另一案件",
                             keep_until=START.date() + timedelta(days=50))
    recording_release(actor=world.manager, hold=by_hand, note="已结案")
    time_machine.move_to(START + timedelta(days=6), tick=False)
    assert release_expired_recording_holds.apply().get() == 1

    log = reverse("tenants_recordings:log")
    page = logged_in(world.ops_a).get(log).content.decode()
    assert "系统（到期自动解除）" in page and "None" not in page and str(world.manager) in page
    ws = load_workbook(io.BytesIO(logged_in(world.ops_a).get(log + "?format=xlsx").content)).active
    released_by = {row[1]: row[9] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert released_by == {hold.recording.request.number: "系统（到期自动解除）",
                           by_hand.recording.request.number: str(world.manager)}
    with translation.override("en"):
        hold.refresh_from_db()
        assert hold.released_by_label == "System (released automatically at the keep-until date)"
