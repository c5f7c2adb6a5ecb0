"""Attachment files of letters: judged by content on upload, hashed, printed
(by hash) in the stamped PDF, downloaded only by those who may see the
letter, kept in the receipts ZIP, and frozen once the letter is approved."""

import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from notices.models import AttachmentsFrozen, LetterAttachment, LetterStatus
from notices.services.letters import letter_stamp
from portal.models import AuditEvent
from tests.base import ANONYMOUS, PDF_BYTES, PNG_BYTES, assert_access

from . import pdftotext, squash
from .delivery import delivery_of, receipts_zip_of
from .letters import decide, draft_letter, make_template, submit

pytestmark = pytest.mark.django_db

EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
FEE_TABLE = PDF_BYTES + b"% 2026 fee table\n"
BODY_JSON = ('{"blocks":[{"key":"a","text":"请查收附件。","type":"unstyled","depth":0,"inlineStyleRanges":[],'
             '"entityRanges":[]}],"entityMap":{}}')


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _editor_post(client, letter, *files):
    data = {
        "centre": letter.centre_id, "kind": "notice", "department": "safety", "title": letter.title,
        "addressee": "各位商户", "body": BODY_JSON, "recipient_mode": "all", "requires_receipt": "on",
        "remind_after_days": "1", "remind_every_days": "2", "remind_max": "5",
        "attachments-TOTAL_FORMS": str(len(files)), "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0", "attachments-MAX_NUM_FORMS": "1000",
    }
    for i, (title, upload) in enumerate(files):
        data.update({f"attachments-{i}-title": title, f"attachments-{i}-file": upload, f"attachments-{i}-ORDER": str(i + 1),
                     f"attachments-{i}-id": ""})
    return client.post(reverse("wagtailsnippets_notices_letter:edit", args=[letter.pk]), data)


def _with_file(letter, title="收费标准表", name="fees.pdf", content=FEE_TABLE) -> LetterAttachment:
    return LetterAttachment.objects.create(letter=letter, title=title, file=_upload(name, content))


def _stamp(world, letter):
    if not hasattr(world.centre_a, "letter_template"):
        make_template(world.centre_a)
    submit(letter, world.drafter_a)
    decide(letter, world.leader_a)
    letter = decide(letter, world.seal_a)
    assert letter.status == LetterStatus.STAMPED
    return letter


@pytest.fixture
def stamped(world):
    letter = draft_letter(world.drafter_a, world.centre_a, recipient_mode="all")
    attachment = _with_file(letter)
    _with_file(letter, title="平面图", name="plan.png", content=PNG_BYTES)
    LetterAttachment.objects.create(letter=letter, title="仅列标题的附件")
    letter.save_revision(user=world.drafter_a)
    return _stamp(world, letter), attachment


# --- upload -------------------------------------------------------------------------

def test_the_editor_refuses_a_renamed_program_with_a_clear_message(world):
    letter = draft_letter(world.drafter_a, world.centre_a)
    client = Client()
    client.force_login(world.drafter_a)
    response = _editor_post(client, letter, ("收费标准表", _upload("fees.pdf", EXE_BYTES)))
    assert response.status_code == 200
    errors = [f.errors for f in response.context["form"].formsets["attachments"].forms]
    assert errors == [{"file": ["不接受该文件类型，请上传 PDF、图片（JPEG、PNG、GIF、WebP）或 Office 文档。"]}]
    assert "不接受该文件类型" in response.content.decode()
    assert not LetterAttachment.objects.filter(letter=letter).exists()


def test_the_editor_stores_a_file_with_its_hash_size_and_proven_extension(world):
    letter = draft_letter(world.drafter_a, world.centre_a)
    client = Client()
    client.force_login(world.drafter_a)
    response = _editor_post(client, letter, ("收费标准表", _upload("收费标准.pdf", FEE_TABLE)),
                            ("平面图", _upload("floor-plan.pdf", PNG_BYTES)))
    assert response.status_code == 302, response.content.decode()[-3000:]
    fees, plan = LetterAttachment.objects.filter(letter=letter).order_by("sort_order")
    assert fees.sha256 == hashlib.sha256(FEE_TABLE).hexdigest()
    assert (fees.size, fees.original_name) == (len(FEE_TABLE), "收费标准.pdf")
    with fees.file.open("rb") as fh:
        assert fh.read() == FEE_TABLE
    # A picture called .pdf is stored as what it is.
    assert plan.file.name.endswith(".png") and plan.original_name == "floor-plan.pdf"
    assert plan.sha256 == hashlib.sha256(PNG_BYTES).hexdigest()


def test_a_file_over_the_upload_limit_is_refused(world, settings):
    settings.ATRIUM_UPLOAD_MAX_BYTES = 20
    letter = draft_letter(world.drafter_a, world.centre_a)
    with pytest.raises(ValidationError) as refused:
        _with_file(letter)
    assert refused.value.code == "too_large"
    assert not LetterAttachment.objects.exists()


def test_the_model_refuses_a_program_even_outside_the_editor(world):
    letter = draft_letter(world.drafter_a, world.centre_a)
    with pytest.raises(ValidationError):
        _with_file(letter, name="schedule.docx", content=EXE_BYTES)


# --- the stamped PDF ------------------------------------------------------------------

def test_the_stamped_pdf_lists_each_attachment_with_the_start_of_its_hash(stamped):
    letter, attachment = stamped
    with letter.pdf.open("rb") as fh:
        text = squash(pdftotext(fh.read()))
    assert f"收费标准表（SHA-256：{attachment.sha256[:16]}）" in text
    assert f"平面图（SHA-256：{hashlib.sha256(PNG_BYTES).hexdigest()[:16]}）" in text
    assert "仅列标题的附件" in text and "仅列标题的附件（" not in text


def test_a_letter_without_files_prints_titles_only(world):
    letter = draft_letter(world.drafter_a, world.centre_a)
    LetterAttachment.objects.create(letter=letter, title="会议议程")
    letter.save_revision(user=world.drafter_a)
    letter = _stamp(world, letter)
    with letter.pdf.open("rb") as fh:
        text = squash(pdftotext(fh.read()))
    # GB/T 9704-2012 7.3.4: one attachment is named without a number.
    assert "附件：会议议程" in text and "SHA-256" not in text


# --- frozen ---------------------------------------------------------------------------

def test_attachments_are_frozen_once_the_letter_is_stamped(stamped):
    letter, attachment = stamped
    pdf_sha256 = letter.pdf_sha256
    attachment.title = "改过的标题"
    with pytest.raises(AttachmentsFrozen):
        attachment.save()
    fresh = LetterAttachment.objects.get(pk=attachment.pk)
    fresh.file = _upload("other.pdf", PDF_BYTES + b"%other\n")
    with pytest.raises(AttachmentsFrozen):
        fresh.save()
    with pytest.raises(AttachmentsFrozen):
        _with_file(letter, title="补充附件")
    # Django deletes inside an atomic block without a savepoint: give it one,
    # as a request's transaction would be rolled back as a whole.
    with pytest.raises(AttachmentsFrozen), transaction.atomic():
        LetterAttachment.objects.get(pk=attachment.pk).delete()
    with pytest.raises(AttachmentsFrozen), transaction.atomic():
        LetterAttachment.objects.filter(letter=letter).delete()
    # Saving the same content again (as Wagtail does when it re-saves the
    # letter) is harmless; the letter is never rendered again.
    LetterAttachment.objects.get(pk=attachment.pk).save()
    letter.save()
    assert letter_stamp(letter_id=letter.pk).pdf_sha256 == pdf_sha256
    assert LetterAttachment.objects.get(pk=attachment.pk).title == "收费标准表"
    assert LetterAttachment.objects.filter(letter=letter).count() == 3


def test_the_editor_of_a_stamped_letter_changes_no_attachment(world, stamped):
    letter, _attachment = stamped
    client = Client()
    client.force_login(world.drafter_a)
    response = _editor_post(client, letter, ("补充附件", _upload("extra.pdf", FEE_TABLE)))
    assert response.status_code == 302
    assert LetterAttachment.objects.filter(letter=letter).count() == 3


# --- downloads ------------------------------------------------------------------------

def test_staff_download_answers_only_staff_who_see_the_letter_and_is_audited(world, stamped):
    letter, attachment = stamped
    url = reverse("notices_letters:attachment", args=[letter.pk, attachment.pk])
    assert_access(url, allowed=[world.drafter_a, world.ops_a, world.manager],
                  refused=[world.ops_b, world.signer_a, world.nonsigner_a, ANONYMOUS])
    client = Client()
    client.force_login(world.ops_a)
    response = client.get(url)
    assert b"".join(response.streaming_content) == FEE_TABLE
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.for_object(letter).filter(action="letter.attachment_downloaded", actor=world.ops_a).exists()


def test_tenant_download_answers_only_the_recipient_tenants_signatories_and_is_audited(world, stamped):
    letter, attachment = stamped
    d = delivery_of(letter, world.tenant_a)
    url = reverse("notices_inbox:attachment", args=[d.pk, attachment.pk])
    assert_access(url, allowed=[world.signer_a],
                  refused=[world.signer_a2, world.signer_b, world.nonsigner_a, world.ops_a, world.ops_b, ANONYMOUS])
    client = Client()
    client.force_login(world.signer_a)
    assert b"".join(client.get(url).streaming_content) == FEE_TABLE
    assert AuditEvent.objects.for_object(letter).filter(action="letter.attachment_downloaded", actor=world.signer_a).exists()
    page = client.get(reverse("notices_inbox:letter", args=[d.pk])).content.decode()
    assert url in page and attachment.sha256 in page


def test_an_attachment_of_another_letter_is_a_404(world, stamped):
    letter, attachment = stamped
    other = draft_letter(world.drafter_a, world.centre_a, title="另一封")
    title_only = LetterAttachment.objects.get(letter=letter, file="")
    client = Client()
    client.force_login(world.ops_a)
    assert client.get(reverse("notices_letters:attachment", args=[other.pk, attachment.pk])).status_code == 404
    assert client.get(reverse("notices_letters:attachment", args=[letter.pk, title_only.pk])).status_code == 404
    client.force_login(world.signer_a)
    d = delivery_of(letter, world.tenant_a)
    assert client.get(reverse("notices_inbox:attachment", args=[d.pk, title_only.pk])).status_code == 404


def test_the_letter_page_links_the_files(world, stamped):
    letter, attachment = stamped
    client = Client()
    client.force_login(world.leader_a)
    body = client.get(reverse("notices_letters:detail", args=[letter.pk])).content.decode()
    assert reverse("notices_letters:attachment", args=[letter.pk, attachment.pk]) in body
    assert attachment.sha256 in body


# --- receipts ZIP ---------------------------------------------------------------------

def test_the_receipts_zip_holds_the_attachment_files_with_their_hashes(world, stamped):
    letter, attachment = stamped
    client = Client()
    client.force_login(world.ops_a)
    archive = receipts_zip_of(client, letter)
    manifest = json.loads(archive.read("manifest.json"))
    files = [m for m in manifest["files"] if m["kind"] == "attachment"]
    assert [m["title"] for m in files] == ["收费标准表", "平面图"]
    fees = files[0]
    assert fees["file"] == "attachments/01-fees.pdf"
    assert archive.read(fees["file"]) == FEE_TABLE
    assert fees["sha256"] == fees["recorded_sha256"] == attachment.sha256
    assert files[1]["file"].endswith(".png")
    sums = archive.read("SHA256SUMS.txt").decode()
    assert f"{attachment.sha256}  attachments/01-fees.pdf" in sums


def test_a_file_uploaded_in_the_editor_is_sealed_by_hash_after_the_chain(world):
    letter = draft_letter(world.drafter_a, world.centre_a, recipient_mode="all")
    client = Client()
    client.force_login(world.drafter_a)
    assert _editor_post(client, letter, ("施工进度表", _upload("works.pdf", FEE_TABLE))).status_code == 302
    # Wagtail publishes the approved revision, re-saving its attachments.
    letter = _stamp(world, letter)
    (attachment,) = LetterAttachment.objects.filter(letter=letter)
    assert attachment.sha256 == hashlib.sha256(FEE_TABLE).hexdigest()
    with letter.pdf.open("rb") as fh:
        assert f"施工进度表（SHA-256：{attachment.sha256[:16]}）" in squash(pdftotext(fh.read()))
    d = delivery_of(letter, world.tenant_a)
    client.force_login(world.signer_a)
    response = client.get(reverse("notices_inbox:attachment", args=[d.pk, attachment.pk]))
    assert b"".join(response.streaming_content) == FEE_TABLE
