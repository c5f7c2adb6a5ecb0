"""Follow-up (4.8.5, 4.8.6): paper sign-off, reminders on the letter's
schedule, remind now, overdue deliveries handed to operations, the staff
letter page with filters and XLSX, the receipts ZIP, and /verify/'s count."""

import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from notices.models import Delivery, Receipt, Reminder, SignMethod
from notices.services.followup import (
    deliveries_flag_overdue,
    next_reminder_after,
    reminders_due,
    reminders_send,
)
from notices.services.receipts import AlreadySigned, receipt_record_paper, receipt_sign
from notices.tasks import follow_up_letters
from portal.admin_home import work_items_for
from portal.audit_verify import audit_verify_chain
from portal.models import AuditEvent
from tests.base import PASSWORD, logged_in, pdf_upload, png_upload

from .delivery import (
    delivery_of,
    letter_to_sign_within,
    receipts_zip_of,
    stamped_letter,
)

pytestmark = pytest.mark.django_db


letter = letter_to_sign_within(days=6)


def _sign(world, letter):
    d = delivery_of(letter, world.tenant_a)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return receipt_sign(delivery=d, user=world.signer_a, pdf_sha256=d.pdf_sha256, password=PASSWORD)


# --- paper -------------------------------------------------------------------------


def test_staff_record_a_paper_receipt_with_the_scan_as_evidence(world, letter):
    delivery = delivery_of(letter, world.tenant_a2)
    url = reverse("notices_letters:paper", args=[letter.pk, delivery.pk])
    signed_at = timezone.localtime().replace(microsecond=0) - timedelta(hours=2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = logged_in(world.ops_a).post(url, {"signer_name": "王店长", "signed_at": signed_at.strftime("%Y-%m-%dT%H:%M"),
                                                  "scan": png_upload("receipt.png")})
    assert response.status_code == 302, response.content.decode()[:2000]
    receipt = Receipt.objects.get(delivery=delivery)
    assert receipt.method == SignMethod.PAPER and receipt.recorded_by == world.ops_a and receipt.signer is None
    assert receipt.signer_name == "王店长" and receipt.scan.name.endswith(".png")
    with receipt.scan.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == receipt.scan_sha256
    event = AuditEvent.objects.get(action="letter.signed")
    assert event.evidence and event.details["scan_sha256"] == receipt.scan_sha256 and event.details["recorded_by"] == world.ops_a.email
    assert audit_verify_chain().ok
    assert receipt.__class__.objects.get(pk=receipt.pk).certificate_state == "ready"


def test_a_malformed_scan_is_refused_with_a_message_and_nothing_is_recorded(world, letter):
    delivery = delivery_of(letter, world.tenant_a2)
    url = reverse("notices_letters:paper", args=[letter.pk, delivery.pk])
    fake = pdf_upload("receipt.pdf", b"MZ\x90\x00 not a pdf at all")
    response = logged_in(world.ops_a).post(url, {"signer_name": "王店长", "signed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                                              "scan": fake})
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert errors and errors[0] in response.content.decode()
    assert not Receipt.objects.exists()


def test_a_paper_receipt_after_an_online_one_is_refused_clearly(world, letter):
    _sign(world, letter)
    with pytest.raises(AlreadySigned):
        receipt_record_paper(delivery=delivery_of(letter, world.tenant_a), actor=world.ops_a, signer_name="x",
                             signed_at=timezone.now(), scan=png_upload())


def test_only_operations_staff_or_managers_of_the_centre_record_paper_receipts(world, letter):
    for who in ("ops_b", "leader_a", "signer_a"):  # on one letter: stamping it takes a second
        with pytest.raises(PermissionDenied):
            receipt_record_paper(delivery=delivery_of(letter, world.tenant_a), actor=getattr(world, who),
                                 signer_name="x", signed_at=timezone.now(), scan=png_upload())


# --- reminders -----------------------------------------------------------------------


def test_the_default_schedule_is_one_day_after_delivery_then_every_two_days_until_due_at_most_five(world):
    letter = stamped_letter(world, sign_by=None)
    d = delivery_of(letter, world.tenant_a)
    assert d.next_reminder_at - d.created_at == timedelta(days=1)
    at, count, times = d.next_reminder_at, 0, []
    while at is not None:
        times.append(at)
        count += 1
        at = next_reminder_after(letter, at, count)
    assert len(times) == 5 and times[1] - times[0] == timedelta(days=2)
    letter.sign_by = timezone.localdate(d.created_at) + timedelta(days=4)
    assert next_reminder_after(letter, d.created_at + timedelta(days=1), 1) is not None  # day 3
    assert next_reminder_after(letter, d.created_at + timedelta(days=3), 2) is None  # day 5 is after the due date


def test_due_reminders_go_to_unsigned_tenants_only_and_are_logged(world, letter):
    _sign(world, letter)
    later = timezone.now() + timedelta(days=1, minutes=1)
    due = reminders_due(now=later)
    assert due == [delivery_of(letter, world.tenant_a2).pk]
    mail.outbox.clear()
    assert reminders_send(delivery_ids=due, kind=Reminder.Kind.SCHEDULED, now=later) == 1
    assert [m.to for m in mail.outbox] == [[world.signer_a2.email]] and "催签" in mail.outbox[0].subject
    d = delivery_of(letter, world.tenant_a2)
    assert d.reminders_sent == 1 and d.next_reminder_at - later == timedelta(days=2)
    assert Reminder.objects.filter(delivery=d, kind="scheduled").count() == 1
    # Running again at the same moment sends nothing twice.
    assert reminders_send(delivery_ids=due, kind=Reminder.Kind.SCHEDULED, now=later) == 0


def test_the_hourly_task_sends_due_reminders(world, letter):
    Delivery.objects.update(next_reminder_at=timezone.now() - timedelta(minutes=1))
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = follow_up_letters()
    assert result["reminders"] == 2 and Reminder.objects.count() == 2 and len(mail.outbox) == 2


def test_remind_now_reminds_every_unsigned_tenant(world, letter):
    _sign(world, letter)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = logged_in(world.ops_a).post(reverse("notices_letters:remind", args=[letter.pk]))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[world.signer_a2.email]]
    reminder = Reminder.objects.get()
    assert reminder.kind == "manual" and reminder.sent_by == world.ops_a
    assert AuditEvent.objects.filter(action="letter.remind_now").exists()


def test_remind_now_is_refused_to_staff_of_another_centre(world, letter):
    response = logged_in(world.ops_b).post(reverse("notices_letters:remind", args=[letter.pk]))
    assert response.status_code in (302, 403, 404) and not Reminder.objects.exists()


def test_overdue_deliveries_are_flagged_and_handed_to_operations(world, letter):
    _sign(world, letter)
    mail.outbox.clear()
    assert deliveries_flag_overdue(today=letter.sign_by + timedelta(days=1)) == 1
    d = delivery_of(letter, world.tenant_a2)
    assert d.overdue_at and d.next_reminder_at is None
    assert [m.to for m in mail.outbox] == [[world.ops_a.email]]
    assert world.tenant_a2.trading_name in mail.outbox[0].body and "逾期" in mail.outbox[0].subject
    assert deliveries_flag_overdue(today=letter.sign_by + timedelta(days=2)) == 0  # once


def test_my_work_counts_the_shops_overdue_and_leads_to_their_letters(world, letter):
    other = stamped_letter(world, title="关于物业费调整的通知", requires_receipt=False)
    deliveries_flag_overdue(today=letter.sign_by + timedelta(days=1))  # both of centre A's shops unsigned
    item = next(i for i in work_items_for(world.ops_a) if i.url.endswith("?overdue=true"))
    with translation.override("zh-hans"):
        assert (item.count, str(item.label)) == (2, "家商户逾期未签收函件，需上门送达")
    body = logged_in(world.ops_a).get(item.url).content.decode()
    assert letter.title in body and other.title not in body


# --- the letter page, export, ZIP, verify ----------------------------------------------


def test_the_letter_page_lists_signed_viewed_and_not_viewed_with_filters(world, letter):
    _sign(world, letter)
    client = logged_in(world.ops_a)
    url = reverse("notices_letters:detail", args=[letter.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["delivery_counts"] == {
        "all": 2, "signed": 1, "viewed": 0, "not_viewed": 1, "overdue": 0, "unknown": 0, "refused": 0}
    signed = client.get(url, {"show": "signed"}).context["deliveries"]
    assert [d.tenant for d in signed] == [world.tenant_a]
    assert [d.tenant for d in client.get(url, {"show": "not_viewed"}).context["deliveries"]] == [world.tenant_a2]


def test_the_xlsx_export_escapes_formulae(world, letter):
    world.tenant_a2.trading_name = "=HYPERLINK(\"http://x\")"
    world.tenant_a2.save()
    _sign(world, letter)
    response = logged_in(world.ops_a).get(reverse("notices_letters:deliveries_xlsx", args=[letter.pk]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://x\")" in values and world.tenant_a.trading_name in values


def test_the_receipts_zip_holds_the_letter_every_receipt_and_a_manifest_of_hashes(world, letter):
    _sign(world, letter)
    with TestCase.captureOnCommitCallbacks(execute=True):
        receipt_record_paper(delivery=delivery_of(letter, world.tenant_a2), actor=world.ops_a, signer_name="王店长",
                             signed_at=timezone.now(), scan=pdf_upload())
    archive = receipts_zip_of(logged_in(world.ops_a), letter)
    names = set(archive.namelist())
    assert f"{letter.doc_number}.pdf" in names
    assert {"receipts/TA001-receipt.pdf", "receipts/TA002-receipt.pdf", "receipts/TA002-paper-scan.pdf"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["sha256"]
    assert manifest["letter_sha256"] == letter.pdf_sha256
    assert letter.pdf_sha256 in archive.read("SHA256SUMS.txt").decode()


def test_verify_says_how_many_tenants_signed_without_naming_them(world, letter):
    _sign(world, letter)
    response = Client().post(reverse("notices:verify"), {"sha256": letter.pdf_sha256})
    page = response.content.decode()
    assert "2 家收件商户中已有 1 家签收" in page
    assert world.tenant_a.trading_name not in page and world.signer_a.email not in page


def test_the_database_refuses_a_paper_receipt_without_its_scan_or_recorder(world, letter):
    from django.db import IntegrityError, transaction

    d = delivery_of(letter, world.tenant_a2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Receipt.objects.create(delivery=d, letter=letter, tenant=world.tenant_a2, method="paper", signer_name="x",
                               signed_at=timezone.now(), recorded_by=world.ops_a, pdf_sha256=d.pdf_sha256)
    with pytest.raises(IntegrityError), transaction.atomic():
        Receipt.objects.create(delivery=d, letter=letter, tenant=world.tenant_a2, method="email_code", signer_name="x",
                               signed_at=timezone.now(), pdf_sha256=d.pdf_sha256)
