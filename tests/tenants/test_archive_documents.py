"""Archive documents: content-checked uploads, versions, confidentiality,
time-limited access and expiry reminders."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal.models import AuditEvent
from portal.scheduling import EXPIRY_REMINDER_NAME
from tenants.models import ArchiveDocument, ExpiryReminder
from tenants.selectors.archive import documents_visible_to, may_see_confidential
from tenants.services.archive import (
    ArchiveError,
    access_decide,
    access_request,
    document_expiry_reminders,
    document_open,
    document_upload,
)
from tests.base import grant_confidential, pdf_upload

pytestmark = pytest.mark.django_db


def _upload(world, actor=None, **kwargs):
    kwargs.setdefault("kind", "fire_permit")
    kwargs.setdefault("title", "消防许可证")
    kwargs.setdefault("upload", pdf_upload())
    return document_upload(actor=actor or world.ops_a, tenant=kwargs.pop("tenant", world.tenant_a), **kwargs)


def test_an_upload_is_stored_under_a_name_its_content_proves_and_audited(world):
    doc = _upload(world, upload=pdf_upload("证照.PDF"))
    assert doc.file.name.endswith(".pdf") and doc.original_name == "证照.PDF" and len(doc.sha256) == 64
    assert AuditEvent.objects.for_object(doc).filter(action="archive.document_uploaded").exists()


def test_a_file_renamed_to_pdf_is_refused_and_nothing_is_written(world):
    with pytest.raises(ValidationError):
        _upload(world, upload=SimpleUploadedFile("lease.pdf", b"MZ\x90\x00 not a pdf"))
    assert not ArchiveDocument.objects.exists()


def test_an_oversized_upload_is_refused(world, settings):
    settings.ATRIUM_UPLOAD_MAX_BYTES = 20
    with pytest.raises(ValidationError):
        _upload(world)
    assert not ArchiveDocument.objects.exists()


def test_expiry_before_issue_is_refused(world):
    today = timezone.localdate()
    with pytest.raises(ArchiveError):
        _upload(world, issued_on=today, expires_on=today - timedelta(days=1))


def test_only_operations_staff_of_the_centre_file_documents(world):
    for user in (world.ops_b, world.leader_a, world.signer_a):
        with pytest.raises(PermissionDenied):
            _upload(world, actor=user)


def test_a_replaced_document_keeps_its_predecessor(world):
    old = _upload(world)
    new = _upload(world, replaces=old, title="消防许可证（换发）")
    old.refresh_from_db()
    assert old.superseded_at is not None and new.replaces == old and new.is_current
    assert list(ArchiveDocument.objects.current()) == [new]
    with pytest.raises(ArchiveError):
        _upload(world, replaces=old)
    with pytest.raises(ArchiveError):
        _upload(world, replaces=new, tenant=world.tenant_a2)


def test_confidential_documents_need_the_permission(world):
    with pytest.raises(PermissionDenied):
        _upload(world, kind="lease", confidentiality="confidential")
    ops = grant_confidential(world.ops_a)
    lease = _upload(world, actor=ops, kind="lease", confidentiality="confidential")
    normal = _upload(world)
    assert set(documents_visible_to(ops)) == {lease, normal}
    assert set(documents_visible_to(world.leader_a)) == {normal}
    assert set(documents_visible_to(world.ops_b)) == set()
    with pytest.raises(PermissionDenied):
        document_open(actor=world.leader_a, document=lease)
    document_open(actor=ops, document=lease).close()
    assert AuditEvent.objects.for_object(lease).filter(action="archive.document_downloaded", actor=ops).exists()


def test_time_limited_access_is_asked_for_decided_by_a_manager_and_lapses(world):
    grant = access_request(actor=world.leader_a, tenant=world.tenant_a, reason="核对租约条款", hours=2)
    assert not may_see_confidential(world.leader_a, world.tenant_a)
    with pytest.raises(ArchiveError):
        access_request(actor=world.leader_a, tenant=world.tenant_a, reason="again")
    with pytest.raises(PermissionDenied):
        access_decide(actor=world.ops_a, grant=grant, approve=True)
    access_decide(actor=world.manager, grant=grant, approve=True)
    assert may_see_confidential(world.leader_a, world.tenant_a)
    assert not may_see_confidential(world.leader_a, world.tenant_a2)  # one tenant only
    with pytest.raises(ArchiveError):
        access_decide(actor=world.manager, grant=grant, approve=False)
    grant.refresh_from_db()
    type(grant).objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not may_see_confidential(world.leader_a, world.tenant_a)
    actions = set(AuditEvent.objects.for_object(grant).values_list("action", flat=True))
    assert actions == {"archive.access_requested", "archive.access_granted"}


def test_a_refused_request_grants_nothing_and_bad_requests_are_refused(world):
    grant = access_request(actor=world.leader_a, tenant=world.tenant_a, reason="x", hours=1)
    access_decide(actor=world.manager, grant=grant, approve=False)
    assert not may_see_confidential(world.leader_a, world.tenant_a)
    for hours in (0, 500, "x"):
        with pytest.raises(ArchiveError):
            access_request(actor=world.leader_a, tenant=world.tenant_a2, reason="x", hours=hours)
    with pytest.raises(PermissionDenied):
        access_request(actor=world.ops_b, tenant=world.tenant_a, reason="x")


def test_expiry_reminders_at_90_30_and_7_days_once_each(world, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    doc = _upload(world, expires_on=today + timedelta(days=90), tenant_renews=True)
    _upload(world, kind="insurance", expires_on=today + timedelta(days=200))
    with django_capture_on_commit_callbacks(execute=True):
        assert document_expiry_reminders(today=today) == 1
        assert document_expiry_reminders(today=today) == 0
        assert document_expiry_reminders(today=today + timedelta(days=61)) == 1  # 29 days left
        assert document_expiry_reminders(today=today + timedelta(days=84)) == 1  # 6 days left
        assert document_expiry_reminders(today=today + timedelta(days=85)) == 0
    assert sorted(ExpiryReminder.objects.filter(document=doc).values_list("days", flat=True)) == [7, 30, 90]
    assert set(mail.outbox[0].to) == {"ops@a.test", "signer@a-shop.test"}


def test_a_document_filed_late_gets_only_the_nearest_reminder(world):
    today = timezone.localdate()
    doc = _upload(world, expires_on=today + timedelta(days=20))
    document_expiry_reminders(today=today)
    assert list(doc.reminders.values_list("days", flat=True)) == [30]


def test_the_staff_only_documents_do_not_mail_the_tenant(world, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    _upload(world, expires_on=today + timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        document_expiry_reminders(today=today)
    assert mail.outbox[0].to == ["ops@a.test"]


def test_superseded_documents_are_not_reminded(world):
    today = timezone.localdate()
    old = _upload(world, expires_on=today + timedelta(days=5))
    _upload(world, replaces=old, expires_on=today + timedelta(days=400))
    assert document_expiry_reminders(today=today) == 0


def test_the_reminder_task_is_scheduled_daily(db):
    task = PeriodicTask.objects.get(name=EXPIRY_REMINDER_NAME)
    assert task.crontab.hour == "7" and task.enabled
