"""Call recordings (R7): content-checked audio, access-checked audited
listening, per-centre retention with a daily purge, holds recorded in the
recording archive log, and its export."""

import io
import wave
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from portal.models import AuditEvent
from portal.scheduling import RECORDING_PURGE_NAME
from portal.uploads import AUDIO_KINDS, sniff
from tenants.models import (
    CallRecording,
    DeadlinePolicy,
    RecordingHold,
    RecordingStatus,
    ServiceRequest,
)
from tenants.services.recordings import (
    RecordingError,
    recording_attach,
    recording_hold,
    recording_release,
    recordings_purge,
)
from tenants.services.request_status import request_close
from tenants.tasks import purge_call_recordings
from tests.base import ANONYMOUS, assert_access, logged_in, make_request

pytestmark = pytest.mark.django_db


def wav_bytes(seconds: float = 0.1) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(b"\x80" * int(8000 * seconds))
    return out.getvalue()


def wav_upload(name="call.wav"):
    return SimpleUploadedFile(name, wav_bytes(), content_type="audio/wav")


def _recording(world, *, days_ago=0, sr=None, closed=False):
    """A call `days_ago` that raised its request; `closed`: the case was
    answered and closed that same day."""
    at = timezone.now() - timedelta(days=days_ago)
    sr = sr or make_request(world, received_at=at)
    rec = recording_attach(actor=world.ops_a, service_request=sr, upload=wav_upload(), recorded_at=at)
    if closed:
        close_at(sr, at + timedelta(hours=1), actor=world.ops_a)
    return rec


def close_at(sr, at, *, actor):
    """Close `sr` through the service, then date the closing back to `at`."""
    request_close(actor=actor, service_request=sr, resolution="已答复。")
    ServiceRequest.objects.filter(pk=sr.pk).update(closed_at=at)
    sr.refresh_from_db()


@pytest.mark.parametrize(("head", "ext"), [
    (b"ID3\x04\x00\x00\x00\x00\x00\x00", ".mp3"),
    (b"\xff\xfb\x90\x64\x00\x00\x00\x00", ".mp3"),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", ".m4a"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", ".m4a"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", ".wav"),
    (b"#!AMR\n\x3c\x00\x00\x00", ".amr"),
    (b"OggS\x00\x02\x00\x00\x00\x00", ".ogg"),
])
def test_audio_is_recognised_by_its_bytes(head, ext):
    assert sniff(head) == ("audio", ext)


def test_a_renamed_file_is_not_a_recording(world):
    with pytest.raises(Exception, match="not a recording|不是录音"):
        recording_attach(actor=world.ops_a, service_request=make_request(world),
                         upload=SimpleUploadedFile("call.mp3", b"%PDF-1.4 not audio"))
    assert not CallRecording.objects.exists()
    assert "audio" in AUDIO_KINDS


def test_staff_attach_a_recording_on_the_request_page_and_it_is_audited(world):
    sr = make_request(world)
    response = logged_in(world.ops_a).post(reverse("tenants_recordings:add", args=[sr.pk]), {"file": wav_upload(), "note": "来电"})
    assert response.status_code == 302
    rec = CallRecording.objects.get()
    assert rec.request == sr and rec.file.name.endswith(".wav") and len(rec.sha256) == 64
    assert AuditEvent.objects.for_object(rec).filter(action="recording.attached").exists()
    page = logged_in(world.ops_a).get(reverse("wagtailsnippets_tenants_servicerequest:inspect", args=[sr.pk])).content.decode()
    assert reverse("tenants_recordings:file", args=[rec.pk]) in page


def test_a_bad_recording_on_the_request_page_gives_a_message_and_attaches_nothing(world):
    sr = make_request(world)
    response = logged_in(world.ops_a).post(reverse("tenants_recordings:add", args=[sr.pk]),
                                         {"file": SimpleUploadedFile("x.wav", b"MZ\x90")}, follow=True)
    assert response.status_code == 200 and not CallRecording.objects.exists()


def test_logging_a_call_with_its_recording_creates_both(world):
    response = logged_in(world.ops_a).post(reverse("wagtailsnippets_tenants_servicerequest:add"), {
        "tenant": world.tenant_a.pk, "channel": "hotline", "category": "enquiry", "severity": "ordinary",
        "subject": "咨询停车", "description": "来电咨询停车优惠。", "recording": wav_upload(),
    })
    assert response.status_code == 302
    sr = ServiceRequest.objects.get()
    assert sr.recordings.count() == 1


def test_logging_a_call_with_a_bad_recording_records_nothing(world):
    response = logged_in(world.ops_a).post(reverse("wagtailsnippets_tenants_servicerequest:add"), {
        "tenant": world.tenant_a.pk, "channel": "hotline", "category": "enquiry", "severity": "ordinary",
        "subject": "咨询停车", "description": "来电咨询停车优惠。", "recording": SimpleUploadedFile("a.mp3", b"hello"),
    })
    assert response.status_code == 400
    assert not ServiceRequest.objects.exists() and not CallRecording.objects.exists()


def test_recordings_are_heard_only_by_the_centres_handlers_and_each_play_is_audited(world):
    rec = _recording(world)
    url = reverse("tenants_recordings:file", args=[rec.pk])
    assert_access(url, allowed=[world.ops_a, world.manager],
                  refused=[world.ops_b, world.leader_a, world.drafter_a, world.signer_a, world.signer_b, ANONYMOUS])
    response = logged_in(world.ops_a).get(url)
    assert response["Content-Type"] == "audio/wav" and b"".join(response.streaming_content) == wav_bytes()
    assert AuditEvent.objects.for_object(rec).filter(action="recording.played").count() == 3


def test_recording_actions_refuse_outsiders(world):
    rec = _recording(world)
    sr = rec.request
    for url, data in (
        (reverse("tenants_recordings:add", args=[sr.pk]), {}),
        (reverse("tenants_recordings:hold", args=[rec.pk]), {"reason": "x", "keep_until": "2099-01-01"}),
    ):
        assert_access(url, method="post", data=data, refused=[world.ops_b, world.signer_a, ANONYMOUS])
    assert not RecordingHold.objects.exists()
    assert_access(reverse("tenants_recordings:log"), allowed=[world.ops_a, world.manager],
                  refused=[world.leader_a, world.signer_a, world.editor_a, ANONYMOUS])


def test_the_daily_purge_deletes_files_past_retention_and_keeps_the_row(world):
    old = _recording(world, days_ago=31, closed=True)
    young = _recording(world, days_ago=29, closed=True)
    name = old.file.name
    assert default_storage.exists(name)
    assert purge_call_recordings.apply().get() == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.status == RecordingStatus.PURGED and old.purged_at and not old.file and len(old.sha256) == 64
    assert not default_storage.exists(name)
    assert young.status == RecordingStatus.KEPT and default_storage.exists(young.file.name)
    assert AuditEvent.objects.for_object(old).filter(action="recording.purged").count() == 1
    # Safe to run twice.
    assert recordings_purge() == 0
    assert_access(reverse("tenants_recordings:file", args=[old.pk]), refused=[world.ops_a])


def test_a_centre_keeps_recordings_longer_if_its_table_says_so(world):
    DeadlinePolicy.objects.create(centre=world.centre_a, recording_retention_days=60)
    rec = _recording(world, days_ago=45, closed=True)
    assert recordings_purge() == 0
    rec.refresh_from_db()
    assert rec.status == RecordingStatus.KEPT


def test_retention_below_thirty_days_is_refused(world):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    policy = DeadlinePolicy(centre=world.centre_a, recording_retention_days=10)
    with pytest.raises(ValidationError):
        policy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_a_held_recording_is_never_purged_until_released(world):
    rec = _recording(world, days_ago=40, closed=True)
    response = logged_in(world.ops_a).post(reverse("tenants_recordings:hold", args=[rec.pk]),
                                         {"reason": "投诉未结案，需保留证据", "keep_until": "2099-12-31"})
    assert response.status_code == 302
    hold = RecordingHold.objects.get()
    assert hold.recording == rec and hold.held_by == world.ops_a and hold.recording.request == rec.request
    assert recordings_purge(now=timezone.now() + timedelta(days=400)) == 0
    rec.refresh_from_db()
    assert rec.status == RecordingStatus.KEPT
    with pytest.raises(RecordingError):
        recording_hold(actor=world.ops_a, recording=rec, reason="again", keep_until=hold.keep_until)
    logged_in(world.ops_a).post(reverse("tenants_recordings:release", args=[hold.pk]), {"note": "已结案"})
    hold.refresh_from_db()
    assert hold.released_at and hold.released_by == world.ops_a and hold.release_note == "已结案"
    assert recordings_purge() == 1
    assert AuditEvent.objects.for_object(rec).filter(action__in=["recording.held", "recording.released",
                                                                  "recording.purged"]).count() == 3


def test_a_hold_needs_a_reason_and_a_future_date(world):
    rec = _recording(world)
    with pytest.raises(RecordingError):
        recording_hold(actor=world.ops_a, recording=rec, reason=" ", keep_until=timezone.localdate() + timedelta(days=9))
    with pytest.raises(RecordingError):
        recording_hold(actor=world.ops_a, recording=rec, reason="x", keep_until=timezone.localdate())
    assert not RecordingHold.objects.exists()


def test_the_recording_archive_log_lists_and_exports_holds_of_the_users_centres(world):
    rec = _recording(world)
    hold = recording_hold(actor=world.ops_a, recording=rec, reason="=HYPERLINK(\"x\") 特殊案件",
                          keep_until=timezone.localdate() + timedelta(days=90))
    rec_b = recording_attach(actor=world.ops_b, service_request=make_request(world, tenant=world.tenant_b),
                             upload=wav_upload())
    recording_hold(actor=world.ops_b, recording=rec_b, reason="B 中心案件", keep_until=hold.keep_until)
    page = logged_in(world.ops_a).get(reverse("tenants_recordings:log")).content.decode()
    assert rec.request.number in page and "B 中心案件" not in page
    response = logged_in(world.ops_a).get(reverse("tenants_recordings:log") + "?format=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for c in ws[3]]
    assert rec.request.number in values and "'=HYPERLINK(\"x\") 特殊案件" in values
    assert ws.max_row == 3
    recording_release(actor=world.ops_a, hold=hold)
    assert rec.request.number not in logged_in(world.ops_a).get(reverse("tenants_recordings:log") + "?state=active").content.decode()


def test_the_purge_is_scheduled_daily():
    assert PeriodicTask.objects.get(name=RECORDING_PURGE_NAME).crontab is not None


def _many_holds(world, n):
    """`n` released holds of centre A, inserted at once (the services would
    take minutes for a year's log); the newest first, as the log lists them."""
    rec = _recording(world)
    now = timezone.now()
    RecordingHold.objects.bulk_create([
        RecordingHold(recording=rec, reason=f"案件{i:04d}", keep_until=timezone.localdate(), held_by=world.ops_a,
                      held_at=now - timedelta(minutes=i), released_at=now, released_by=world.ops_a)
        for i in range(n)
    ])
    return rec


def test_the_log_is_paged_and_its_export_is_complete_past_a_thousand_entries(world):
    _many_holds(world, 1_001)
    url = reverse("tenants_recordings:log")
    client = logged_in(world.ops_a)
    first = client.get(url + "?state=released").content.decode()
    assert first.count("<td>案件") == 50 and "案件0000" in first and "案件0050" not in first
    assert 'href="?state=released&amp;p=2"' in first and "21" in first  # 1,001 entries: 21 pages
    last = client.get(url + "?state=released&p=21").content.decode()
    assert "案件1000" in last and "案件0999" not in last
    assert client.get(url + "?p=abc").status_code == 200 and client.get(url + "?p=9999").status_code == 200

    response = client.get(url + "?state=released&format=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    reasons = [row[7] for row in ws.iter_rows(min_row=3, values_only=True)]
    assert len(reasons) == 1_001 and reasons[0] == "案件0000" and reasons[-1] == "案件1000"
    assert [r[0] for r in ws.iter_rows(min_row=3, max_row=4, values_only=True)] == [1, 2]
    event = AuditEvent.objects.filter(action="recording.log_exported").get()
    assert event.details["rows"] == 1_001


def test_a_page_of_the_log_asks_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    _many_holds(world, 120)
    client = logged_in(world.ops_a)
    client.get(reverse("tenants_recordings:log"))
    with django_assert_max_num_queries(15):  # the bound of every admin listing (test_admin_query_counts)
        assert client.get(reverse("tenants_recordings:log") + "?p=2").status_code == 200
