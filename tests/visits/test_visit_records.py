"""Recording a visit on the phone: the shop's QR code proves presence; a
wrong, replaced, reused or stale code is refused; requests raised become
requests in the log; photos are content-checked and served only to staff."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tenants.models import Channel, ServiceRequest
from tests.base import ANONYMOUS, assert_access, logged_in, png_upload
from visits.models import PlannedVisitStatus, UnitCheckIn, VisitRecord
from visits.services.plans import plan_sync
from visits.services.records import (
    RaisedRequest,
    VisitError,
    checkin_scan,
    unit_code_for,
    unit_token,
    visit_record_create,
)

pytestmark = pytest.mark.django_db


def _token(tenant):
    return unit_token(unit_code_for(tenant.units.first()))


def test_scanning_the_shop_code_leads_to_the_visit_form(world):
    response = logged_in(world.ops_a).get(reverse("visits:scan", args=[_token(world.tenant_a)]))
    checkin = UnitCheckIn.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?checkin={checkin.pk}")
    assert (checkin.tenant, checkin.staff) == (world.tenant_a, world.ops_a)


def test_a_wrong_or_forged_code_is_refused(world):
    good = _token(world.tenant_a)
    for bad in ("nonsense", good[:-3] + "abc", good.replace(":", ";", 1)):
        response = logged_in(world.ops_a).get(reverse("visits:scan", args=[bad]))
        assert response.status_code == 400
        assert "不是有效" in response.content.decode() or "not a valid" in response.content.decode()
    assert not UnitCheckIn.objects.exists()


def test_a_replaced_code_is_refused(world):
    old = _token(world.tenant_a)
    unit_code_for(world.tenant_a.units.first(), renew=True)
    with pytest.raises(VisitError):
        checkin_scan(actor=world.ops_a, token=old)
    response = logged_in(world.ops_a).get(reverse("visits:scan", args=[old]))
    assert response.status_code == 400


def test_staff_of_another_centre_cannot_check_in(world):
    response = logged_in(world.ops_b).get(reverse("visits:scan", args=[_token(world.tenant_a)]))
    assert response.status_code == 403
    assert not UnitCheckIn.objects.exists()


def test_a_check_in_proves_one_visit_only(world):
    checkin = checkin_scan(actor=world.ops_a, token=_token(world.tenant_a))
    visit_record_create(actor=world.ops_a, tenant=world.tenant_a, mode="on_site", people_met="店长", topics="客流",
                        checkin=checkin)
    with pytest.raises(VisitError, match="already used|已用于"):
        visit_record_create(actor=world.ops_a, tenant=world.tenant_a, mode="on_site", people_met="店长", topics="再来",
                            checkin=checkin)
    assert VisitRecord.objects.count() == 1


def test_a_stale_or_foreign_check_in_is_refused(world):
    checkin = checkin_scan(actor=world.ops_a, token=_token(world.tenant_a))
    with pytest.raises(VisitError):  # another shop
        visit_record_create(actor=world.ops_a, tenant=world.tenant_a2, mode="on_site", people_met="x", topics="y",
                            checkin=checkin)
    UnitCheckIn.objects.filter(pk=checkin.pk).update(scanned_at=timezone.now() - timedelta(hours=5))
    checkin.refresh_from_db()
    with pytest.raises(VisitError):  # too old
        visit_record_create(actor=world.ops_a, tenant=world.tenant_a, mode="on_site", people_met="x", topics="y",
                            checkin=checkin)
    with pytest.raises(VisitError):  # on site without a scan
        visit_record_create(actor=world.ops_a, tenant=world.tenant_a, mode="on_site", people_met="x", topics="y")


def test_requests_raised_on_a_visit_go_into_the_request_log_and_the_plan_is_fulfilled(world):
    plan_sync(centre=world.centre_a, year=timezone.localdate().year)
    record = visit_record_create(
        actor=world.ops_a, tenant=world.tenant_a, mode="phone", people_met="李店长", topics="空调、招牌",
        raised=[RaisedRequest("repair", "空调噪音大", "空调噪音大"), RaisedRequest("enquiry", "招牌报批流程", "")],
        photos=[png_upload()],
    )
    requests = list(record.requests.order_by("pk"))
    assert [sr.subject for sr in requests] == ["空调噪音大", "招牌报批流程"]
    assert all(sr.channel == Channel.VISIT and sr.tenant == world.tenant_a for sr in requests)
    assert record.photos.count() == 1
    planned = record.planned_visit
    assert planned.status == PlannedVisitStatus.DONE and planned.tenant == world.tenant_a


def test_a_double_submit_records_one_visit(world):
    c = logged_in(world.ops_a)
    data = {"tenant": world.tenant_a.pk, "mode": "phone", "people_met": "店长", "topics": "问候",
            "submission_key": "abc123", "req1_category": "repair", "req1_subject": "门锁坏了"}
    first = c.post(reverse("visits:record_new"), data)
    second = c.post(reverse("visits:record_new"), data)
    assert first.status_code == second.status_code == 302
    assert VisitRecord.objects.count() == 1 and ServiceRequest.objects.count() == 1


def test_a_photo_that_is_not_a_picture_is_refused_with_a_message(world):
    fake = SimpleUploadedFile("p.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    response = logged_in(world.ops_a).post(reverse("visits:record_new"), {
        "tenant": world.tenant_a.pk, "mode": "phone", "people_met": "店长", "topics": "问候", "photos": [fake],
    })
    assert response.status_code == 400 and not VisitRecord.objects.exists()


def test_staff_pages_answer_only_staff_of_the_centre(world):
    record = visit_record_create(actor=world.ops_a, tenant=world.tenant_a, mode="phone", people_met="x", topics="y",
                                 photos=[png_upload()])
    photo = record.photos.get()
    for url in (reverse("visits:record", args=[record.pk]), reverse("visits:photo", args=[photo.pk])):
        assert_access(url, allowed=[world.ops_a, world.manager],
                      refused=[world.ops_b, world.signer_a, world.nonsigner_a, world.editor_a, ANONYMOUS])
    for url in (reverse("visits:my_visits"), reverse("visits:record_new"), reverse("visits:qr_sheet", args=[world.centre_a.pk])):
        assert_access(url, allowed=[world.ops_a, world.manager], refused=[world.signer_a, world.editor_a, ANONYMOUS])
    assert_access(reverse("visits:qr_sheet", args=[world.centre_a.pk]), refused=[world.ops_b])


def test_the_code_sheet_prints_one_code_per_let_unit(world):
    response = logged_in(world.ops_a).get(reverse("visits:qr_sheet", args=[world.centre_a.pk]))
    html = response.content.decode()
    assert html.count('data-testid="qr-card"') == 2 and "<svg" in html
