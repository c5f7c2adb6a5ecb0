"""Archive documents and confidential access in the Wagtail admin: upload,
replace, listing with expiry flags, the access-checked audited download,
masked confidential fields, access requests, and the access history."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Role, User
from tenants.models import AccessGrantStatus, ArchiveAccessGrant, ArchiveDocument
from tenants.services.archive import access_decide, access_request, document_upload
from tests.base import (
    ANONYMOUS,
    PDF_BYTES,
    assert_access,
    grant_confidential,
    logged_in,
    make_staff,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def _doc(world, *, confidential=False, tenant=None, expires_in=None, title="消防许可证", actor=None):
    tenant = tenant or world.tenant_a
    if confidential and actor is None:
        # A separate keeper with the permission: ops_a must stay without it.
        actor = User.objects.filter(email=f"keeper{tenant.centre_id}@test").first() or grant_confidential(
            make_staff(f"keeper{tenant.centre_id}@test", tenant.centre, Role.OPERATIONS))
    actor = actor or (world.ops_a if tenant.centre_id == world.centre_a.pk else world.ops_b)
    expires = timezone.localdate() + timedelta(days=expires_in) if expires_in is not None else None
    return document_upload(actor=actor, tenant=tenant, kind="lease" if confidential else "fire_permit", title=title,
                           upload=pdf_upload(), expires_on=expires,
                           confidentiality="confidential" if confidential else "normal")


def test_staff_file_a_document_from_the_admin_and_it_is_audited(world):
    url = reverse("tenants_archive:document_new", args=[world.tenant_a.pk])
    response = logged_in(world.ops_a).post(url, {
        "kind": "fire_permit", "title": "消防许可证", "file": pdf_upload("许可证.pdf"), "confidentiality": "normal",
        "issued_on": "2026-01-01", "expires_on": "2027-01-01",
    })
    assert response.status_code == 302
    doc = ArchiveDocument.objects.get()
    assert doc.tenant == world.tenant_a and doc.expires_on.isoformat() == "2027-01-01"
    assert AuditEvent.objects.for_object(doc).filter(action="archive.document_uploaded", actor=world.ops_a).exists()


def test_a_renamed_file_is_refused_with_a_message_and_nothing_is_filed(world):
    url = reverse("tenants_archive:document_new", args=[world.tenant_a.pk])
    response = logged_in(world.ops_a).post(url, {
        "kind": "lease", "file": SimpleUploadedFile("lease.pdf", b"MZ\x90\x00 an exe"), "confidentiality": "normal",
    })
    assert response.status_code == 400
    assert "This file type is not accepted" in response.content.decode() or "不接受" in response.content.decode()
    assert not ArchiveDocument.objects.exists()


def test_an_expiry_before_the_issue_date_is_refused(world):
    url = reverse("tenants_archive:document_new", args=[world.tenant_a.pk])
    response = logged_in(world.ops_a).post(url, {
        "kind": "lease", "file": pdf_upload(), "confidentiality": "normal", "issued_on": "2026-05-01",
        "expires_on": "2026-01-01",
    })
    assert response.status_code == 400 and not ArchiveDocument.objects.exists()


def test_staff_without_the_permission_cannot_file_a_confidential_document(world):
    url = reverse("tenants_archive:document_new", args=[world.tenant_a.pk])
    response = logged_in(world.ops_a).post(url, {"kind": "lease", "file": pdf_upload(), "confidentiality": "confidential"})
    assert response.status_code == 400 and not ArchiveDocument.objects.exists()


def test_replacing_keeps_the_predecessor_as_a_version(world):
    old = _doc(world)
    response = logged_in(world.ops_a).post(reverse("tenants_archive:document_replace", args=[old.pk]), {
        "kind": "fire_permit", "title": "消防许可证 2027", "file": pdf_upload("new.pdf"), "confidentiality": "normal",
    })
    assert response.status_code == 302
    old.refresh_from_db()
    new = ArchiveDocument.objects.get(replaces=old)
    assert old.superseded_at is not None and new.is_current
    page = logged_in(world.ops_a).get(reverse("tenants_archive:documents", args=[world.tenant_a.pk])).content.decode()
    assert "消防许可证 2027" in page and "消防许可证" in page


def test_the_listing_flags_expired_and_soon_expiring_documents(world):
    _doc(world, expires_in=-3, title="过期保险")
    _doc(world, expires_in=10, title="将到期执照")
    _doc(world, expires_in=200, title="长期许可")
    page = logged_in(world.ops_a).get(reverse("tenants_archive:documents", args=[world.tenant_a.pk])).content.decode()
    assert page.count("ar-expired") == 1 and page.count("ar-soon") == 1
    index = logged_in(world.ops_a).get(reverse("tenants_archive:documents_index") + "?expiring=30").content.decode()
    assert "过期保险" in index and "将到期执照" in index and "长期许可" not in index


def test_download_is_access_checked_and_audited(world):
    doc = _doc(world)
    url = reverse("tenants_archive:document_download", args=[doc.pk])
    assert_access(url, allowed=[world.ops_a, world.leader_a, world.manager],
                  refused=[world.ops_b, world.signer_a, world.signer_b, world.nonsigner_a, world.editor_a, ANONYMOUS])
    response = logged_in(world.ops_a).get(url)
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.for_object(doc).filter(action="archive.document_downloaded").count() == 4


def test_a_confidential_document_is_masked_and_refused_without_the_permission(world):
    doc = _doc(world, confidential=True, title="租赁合同（保密）")
    url = reverse("tenants_archive:document_download", args=[doc.pk])
    assert_access(url, allowed=[grant_confidential(world.leader_a)],
                  refused=[world.ops_a, world.manager, world.ops_b, world.signer_a, ANONYMOUS])
    page = logged_in(world.ops_a).get(reverse("tenants_archive:documents", args=[world.tenant_a.pk])).content.decode()
    assert "租赁合同（保密）" not in page and url not in page
    assert not AuditEvent.objects.filter(action="archive.document_downloaded", actor=world.ops_a).exists()


def test_every_archive_page_refuses_outsiders(world):
    doc = _doc(world)
    for url in (
        reverse("tenants_archive:documents", args=[world.tenant_a.pk]),
        reverse("tenants_archive:document_new", args=[world.tenant_a.pk]),
        reverse("tenants_archive:document_replace", args=[doc.pk]),
        reverse("wagtailsnippets_tenants_tenant:inspect", args=[world.tenant_a.pk]),
    ):
        assert_access(url, refused=[world.ops_b, world.signer_a, world.signer_b, world.editor_a, ANONYMOUS])
    # Readers of the archive who do not keep it may not file documents.
    assert_access(reverse("tenants_archive:document_new", args=[world.tenant_a.pk]), allowed=[world.ops_a],
                  refused=[world.leader_a, world.manager])
    assert_access(reverse("tenants_archive:documents_index"), allowed=[world.ops_a],
                  refused=[world.signer_a, world.editor_a, ANONYMOUS])


def test_confidential_fields_are_masked_on_the_archive_card_without_access(world):
    world.tenant_a.monthly_rent = 88888
    world.tenant_a.lease_terms = "免租期三个月"
    world.tenant_a.save()
    contact = world.tenant_a.contacts.first()
    contact.personal_phone = "13900001234"
    contact.save()
    url = reverse("wagtailsnippets_tenants_tenant:inspect", args=[world.tenant_a.pk])
    page = logged_in(world.ops_a).get(url).content.decode()
    assert "88888" not in page and "免租期" not in page and "13900001234" not in page
    page = logged_in(grant_confidential(world.ops_a)).get(url).content.decode()
    assert "88888" in page and "免租期" in page and "13900001234" in page
    assert AuditEvent.objects.filter(action="archive.viewed", object_id=str(world.tenant_a.pk)).count() == 2


def test_the_edit_form_neither_shows_nor_overwrites_confidential_fields_without_access(world):
    world.tenant_a.monthly_rent = 88888
    world.tenant_a.save()
    url = reverse("wagtailsnippets_tenants_tenant:edit", args=[world.tenant_a.pk])
    page = logged_in(world.ops_a).get(url).content.decode()
    assert 'name="monthly_rent"' not in page and "88888" not in page
    page = logged_in(grant_confidential(world.ops_a)).get(url).content.decode()
    assert 'name="monthly_rent"' in page


def test_a_staff_member_asks_for_access_a_manager_grants_it_and_it_expires(world):
    doc = _doc(world, confidential=True)
    response = logged_in(world.ops_a).post(reverse("tenants_archive:access_ask", args=[world.tenant_a.pk]),
                                         {"reason": "核对租金", "hours": 2})
    assert response.status_code == 302
    grant = ArchiveAccessGrant.objects.get()
    assert grant.status == AccessGrantStatus.PENDING
    # Only a manager decides, and not from outside the access list.
    decide = reverse("tenants_archive:access_decide", args=[grant.pk, "grant"])
    assert_access(decide, method="post", refused=[world.ops_a, world.ops_b, world.signer_a, ANONYMOUS])
    grant.refresh_from_db()
    assert grant.status == AccessGrantStatus.PENDING
    page = logged_in(world.manager).get(reverse("tenants_archive:access")).content.decode()
    assert "核对租金" in page
    assert logged_in(world.manager).post(reverse("tenants_archive:access_decide", args=[grant.pk, "grant"])).status_code == 302
    grant.refresh_from_db()
    assert grant.status == AccessGrantStatus.GRANTED
    url = reverse("tenants_archive:document_download", args=[doc.pk])
    assert logged_in(world.ops_a).get(url).status_code == 200
    # Two hours later it has lapsed by itself.
    ArchiveAccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_access(url, refused=[world.ops_a])


def test_a_manager_refuses_and_access_stays_closed(world):
    doc = _doc(world, confidential=True)
    grant = access_request(actor=world.ops_a, tenant=world.tenant_a, reason="想看看", hours=1)
    logged_in(world.manager).post(reverse("tenants_archive:access_decide", args=[grant.pk, "refuse"]))
    grant.refresh_from_db()
    assert grant.status == AccessGrantStatus.REFUSED
    assert_access(reverse("tenants_archive:document_download", args=[doc.pk]), refused=[world.ops_a])


def test_an_empty_reason_is_refused_with_a_message(world):
    logged_in(world.ops_a).post(reverse("tenants_archive:access_ask", args=[world.tenant_a.pk]), {"reason": "", "hours": 2})
    assert not ArchiveAccessGrant.objects.exists()


def test_the_archive_card_shows_its_access_history_to_managers_only(world):
    doc = _doc(world)
    logged_in(world.ops_a).get(reverse("tenants_archive:document_download", args=[doc.pk]))
    grant = access_request(actor=world.ops_a, tenant=world.tenant_a, reason="核对", hours=1)
    access_decide(actor=world.manager, grant=grant, approve=True)
    url = reverse("wagtailsnippets_tenants_tenant:inspect", args=[world.tenant_a.pk])
    page = logged_in(world.manager).get(url).content.decode()
    assert 'data-testid="access-history"' in page
    for action in ("archive.document_downloaded", "archive.document_uploaded", "archive.access_requested",
                   "archive.access_granted"):
        assert action in page
    assert 'data-testid="access-history"' not in logged_in(world.ops_a).get(url).content.decode()


def test_a_guessed_filter_value_gives_a_page_not_an_error(world):
    _doc(world, expires_in=5)
    for query in ("?expiring=99999999999", "?centre=abc&kind=nope", "?p=-3"):
        assert logged_in(world.ops_a).get(reverse("tenants_archive:documents_index") + query).status_code == 200
