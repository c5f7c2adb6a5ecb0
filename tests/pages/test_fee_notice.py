"""The printable fee-schedule notice (4.14, R17): made by a task for the
schedule in force, made again when a new schedule takes effect or the one in
force is republished, never twice for the same revision; downloaded by the
centre's staff only; opened and read with pdftotext."""

import re
import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.demo.pages import FEE_NOTES, fee_items
from portal.models import AuditEvent, FeeItem, FeeNotice, FeeSchedulePage, PdfStatus
from portal.pages.fee_notices import (
    fee_notice_make,
    fee_notices_refresh,
    render_fee_notice_pdf,
    schedule_url,
)
from portal.pages.tasks import fee_notices_refresh_task
from tests.base import ANONYMOUS, assert_access, logged_in
from tests.notices import pdftotext, squash

from .site import publish


def _refresh(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return fee_notices_refresh(**kwargs)


def test_the_schedule_in_force_becomes_an_a4_notice_with_letterhead_table_date_and_qr(site, django_capture_on_commit_callbacks):
    _refresh(django_capture_on_commit_callbacks)
    notice = FeeNotice.objects.get()
    current = site.fees_a.current_schedule()
    assert notice.schedule_id == current.pk and notice.status == PdfStatus.READY and notice.centre == site.w.centre_a
    pdf = notice.pdf.read()
    text = squash(pdftotext(pdf))
    for expected in ("收费标准公示", current.title, "物业服务费", "28.00", "元/m²/月", "有偿服务", "建筑垃圾清运",
                     f"自{current.effective_from.year}年1月1日起执行", site.w.centre_a.name, "扫描二维码"):
        assert squash(expected) in text, expected
    assert squash(f"http://testserver{current.get_url_parts()[2]}") in text
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf  # the QR code
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "(A4)" in info and re.search(r"^Pages:\s+1$", info, re.M)

    # Run again: nothing new, nothing re-rendered.
    assert _refresh(django_capture_on_commit_callbacks) == []
    assert FeeNotice.objects.count() == 1


def test_a_render_that_fails_leaves_the_notice_failed_with_its_error_and_is_raised(site, monkeypatch):
    [notice_id] = fee_notices_refresh()  # queued on commit, which never comes here: not rendered yet

    def broken(page, centre, *, language):
        raise RuntimeError("no CJK font")

    monkeypatch.setattr("portal.pages.fee_notices.render_fee_notice_pdf", broken)
    with pytest.raises(RuntimeError):  # raised again, for the task to be retried
        fee_notice_make(notice_id)
    notice = FeeNotice.objects.get(pk=notice_id)
    assert notice.status == PdfStatus.FAILED and notice.error == "no CJK font" and not notice.pdf


def test_a_new_schedule_gets_its_notice_when_it_takes_effect(site, django_capture_on_commit_callbacks, time_machine):
    _refresh(django_capture_on_commit_callbacks)
    soon = timezone.localdate() + timedelta(days=3)
    nxt = FeeSchedulePage(title="新收费标准", slug="fees-next", effective_from=soon)
    nxt.items = [FeeItem(kind="service", name="物业服务费", price="30.00", unit="元/m²/月")]
    with django_capture_on_commit_callbacks(execute=True):
        publish(site.fees_a, nxt, by=site.reviewer_a)  # published ahead: not in force yet
    assert not FeeNotice.objects.filter(schedule=nxt).exists()

    time_machine.move_to(timezone.make_aware(timezone.datetime.combine(soon, timezone.datetime.min.time())) + timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        fee_notices_refresh_task.delay()  # the beat task just after midnight
    notice = FeeNotice.objects.get(schedule=nxt)
    assert notice.status == PdfStatus.READY and "30.00" in pdftotext(notice.pdf.read())


def test_republishing_the_schedule_in_force_makes_a_new_notice(site, django_capture_on_commit_callbacks):
    _refresh(django_capture_on_commit_callbacks)
    current = site.fees_a.current_schedule()
    items = list(current.items.all())
    items[0].price = "29.50"
    current.items = items
    with django_capture_on_commit_callbacks(execute=True):
        current.save_revision(user=site.reviewer_a).publish(user=site.reviewer_a)
    newest = FeeNotice.objects.filter(schedule=current).order_by("-pk").first()
    assert FeeNotice.objects.filter(schedule=current).count() == 2
    assert "29.50" in pdftotext(newest.pdf.read())


def test_staff_of_the_centre_download_it_others_do_not(site, django_capture_on_commit_callbacks):
    _refresh(django_capture_on_commit_callbacks)
    notice = FeeNotice.objects.get()
    w = site.w
    index = reverse("portal_fee_notices:index")
    url = reverse("portal_fee_notices:pdf", args=[notice.pk])
    page = logged_in(w.ops_a).get(index).content.decode()
    assert url in page
    response = logged_in(w.ops_a).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"].startswith("private, no-store")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="fee_notice.downloaded", actor=w.ops_a).count() == 1
    assert_access(url, allowed=[w.manager], refused=[w.ops_b, w.signer_a, ANONYMOUS])
    assert url not in logged_in(w.ops_b).get(index).content.decode()
    assert logged_in(w.ops_a).get(reverse("portal_fee_notices:pdf", args=[notice.pk + 999])).status_code == 404


def test_the_notice_reads_in_english_when_asked(site):
    current = site.fees_a.current_schedule()
    text = squash(pdftotext(render_fee_notice_pdf(current, site.w.centre_a, language="en")))
    assert "Feeschedule" in text and "Effectivefrom1January" in text and "Servicecharges" in text
    assert "收费标准公示" not in text


def test_no_schedule_in_force_no_notice(site, django_capture_on_commit_callbacks):
    FeeSchedulePage.objects.filter(effective_from__lte=date.today()).update(effective_from=date(2099, 1, 1))
    assert _refresh(django_capture_on_commit_callbacks) == []
    assert not FeeNotice.objects.exists()
    assert logged_in(site.w.ops_a).get(reverse("portal_fee_notices:index")).status_code == 200


def _pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))


def test_the_qr_code_and_printed_address_are_the_portals_public_address(site, settings):
    """Not the Wagtail Site's hostname (localhost in the demo): a phone at the counter cannot open that."""
    settings.WAGTAILADMIN_BASE_URL = "https://portal.example.cn/"
    current = site.fees_a.current_schedule()
    assert current.get_site().hostname == "localhost"
    url = schedule_url(current)
    assert url == f"https://portal.example.cn{current.get_url_parts()[2]}" and url.endswith("/fees/fees-2026/")
    text = squash(pdftotext(render_fee_notice_pdf(current, site.w.centre_a)))
    assert squash(url) in text and "localhost" not in text


def test_the_demos_schedule_fits_one_a4_page_in_both_languages(site):
    """Three charge tables, ten charges, a note and a full letterhead: the
    QR code and the footer stay on the page rather than spilling onto a second."""
    centre = site.w.centre_a
    centre.letterhead_name = "杭州安泰商业管理有限公司滨江分公司"
    centre.letterhead_address = centre.address = "杭州市滨江区江南大道 1888 号"
    centre.letterhead_phone = centre.hotline
    centre.save()
    schedule = FeeSchedulePage(title="2026年度收费标准（演示）", slug="fees-demo", effective_from=date(2026, 1, 1),
                               notes=FEE_NOTES)
    schedule.items = fee_items("28.00", "5.50")
    schedule = publish(site.fees_a, schedule, by=site.reviewer_a)
    assert len(schedule.tables()) == 3
    for language in ("zh-hans", "en"):
        pdf = render_fee_notice_pdf(schedule, centre, language=language)
        assert _pages(pdf) == 1, language
        assert "2000.00" in pdftotext(pdf) and (b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf)
