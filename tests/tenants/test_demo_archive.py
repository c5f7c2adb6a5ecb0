"""The demo shows archives (expiring and confidential documents, an access
request), recordings (held, due for purge, purged) and storage records."""

from datetime import timedelta

from django.utils import timezone

from portal.uploads import sniff
from tenants.models import (
    AccessGrantStatus,
    ArchiveAccessGrant,
    ArchiveDocument,
    CallRecording,
    RecordingHold,
    StorageDeposit,
)


def test_the_demo_has_archives_recordings_and_storage_records_and_is_idempotent(seeded_demo):
    today = timezone.localdate()
    docs = ArchiveDocument.objects.current()
    assert docs.filter(expires_on__lt=today).exists()
    assert docs.filter(expires_on__gte=today, expires_on__lte=today.replace(year=today.year + 1)).exists()
    assert docs.filter(confidentiality="confidential").exists()
    assert ArchiveDocument.objects.filter(superseded_at__isnull=False).exists()
    assert ArchiveAccessGrant.objects.filter(status=AccessGrantStatus.PENDING).exists()
    assert RecordingHold.objects.filter(released_at__isnull=True).exists()
    assert CallRecording.objects.filter(status="purged").exists()
    now = timezone.now()
    assert CallRecording.objects.purge_due(now).exists()  # tonight's purge has work to show
    # Each call is dated by its request (the rule recording_attach keeps).
    assert all(r.request.created_at - timedelta(days=1) <= r.recorded_at
               for r in CallRecording.objects.select_related("request"))
    rec = CallRecording.objects.kept().first()
    with rec.file.open("rb") as f:
        assert sniff(f.read(16)) == ("audio", ".wav")
    assert StorageDeposit.objects.filter(collected_at__isnull=True).exists()
    assert StorageDeposit.objects.filter(collector_id_checked=True).exists()
    assert any(e.left_too_long for e in StorageDeposit.objects.all())
    seeded_demo(ArchiveDocument, CallRecording, StorageDeposit)
