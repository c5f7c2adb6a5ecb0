"""Every fire-safety screen and file answers only the people allowed: staff
of another centre, another shop's contacts and anonymous visitors get nothing."""

import subprocess

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from notices.fire.models import (
    CaseStatus,
    ChecklistItem,
    FirePhoto,
    InspectionForm,
    RectificationCase,
)
from notices.fire.services.rounds import round_render_report
from portal.models import AuditEvent
from tests.base import ANONYMOUS, PNG_BYTES, assert_access, make_tenant, png_upload

from .helpers import answers, fire_round, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(fire_world):
    w = fire_world
    round_ = fire_round(w.centre_a)
    form = record(round_, w.tenant_a, w.ops_a, fail=1, photos=[png_upload("inspect.png")])
    return w, round_, form, form.case


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


# --- staff screens -------------------------------------------------------------

def test_the_overview_shows_the_users_centres_only(setup):
    w, round_, form, case = setup
    fire_round(w.centre_b)
    url = reverse("fire_admin:overview")
    assert_access(url, allowed=[w.ops_a, w.drafter_a, w.leader_a, w.manager, w.ops_b],
                  refused=[w.signer_a, w.nonsigner_a, w.signer_b, w.editor_a, w.seal_a, ANONYMOUS])
    page = client_for(w.ops_b).get(url).content.decode()
    assert w.centre_b.name in page and w.centre_a.name not in page and w.tenant_a.trading_name not in page
    page = client_for(w.ops_a).get(url).content.decode()
    row = page[page.index(f'data-testid="status-{w.centre_a.code}-'):]
    figures = [row.split(f'data-testid="{name}">', 1)[1].split("<", 1)[0] for name in ("inspected", "not-inspected", "failed")]
    assert figures == ["1", "1", "1"]


def test_the_round_table_is_for_the_centres_staff(setup):
    w, round_, form, case = setup
    url = reverse("fire_admin:round", args=[round_.pk])
    assert_access(url, allowed=[w.ops_a, w.drafter_a, w.leader_a, w.manager],
                  refused=[w.ops_b, w.signer_a, w.nonsigner_a, w.signer_b, w.editor_a, ANONYMOUS])
    page = client_for(w.leader_a).get(url).content.decode()
    assert w.tenant_a.trading_name in page and w.tenant_a2.trading_name in page
    assert reverse("fire_admin:form_new", args=[round_.pk, w.tenant_a2.pk]) not in page  # leaders read only
    assert reverse("fire_admin:form_new", args=[round_.pk, w.tenant_a2.pk]) in client_for(w.ops_a).get(url).content.decode()


def test_the_inspection_form_records_a_tenant_on_a_post(setup):
    w, round_, form, case = setup
    url = reverse("fire_admin:form_new", args=[round_.pk, w.tenant_a2.pk])
    assert_access(url, allowed=[w.ops_a, w.drafter_a],
                  refused=[w.ops_b, w.leader_a, w.manager, w.signer_a, w.nonsigner_a, w.signer_a2, w.signer_b, ANONYMOUS])
    data = {f"item_{a.item_id}": "1" if a.passed else "0" for a in answers(w.centre_a, fail=1)}
    data |= {f"note_{a.item_id}": a.note for a in answers(w.centre_a, fail=1)}
    data["notes"] = "后仓堆放纸箱"
    data["photos"] = [png_upload("a.png"), png_upload("b.png")]
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_for(w.ops_a).post(url, data)
    assert response.status_code == 302
    recorded = InspectionForm.objects.get(round=round_, tenant=w.tenant_a2)
    assert recorded.failed_count == 1 and recorded.photos.count() == 2 and recorded.notes == "后仓堆放纸箱"
    assert RectificationCase.objects.filter(form=recorded).exists()
    # A second device posting the same form: a message, nothing duplicated, no 500.
    response = client_for(w.drafter_a).get(url)
    assert response.status_code == 302 and response["Location"] == reverse("fire_admin:form", args=[recorded.pk])


def test_a_bad_photo_on_the_form_gives_a_message_and_keeps_nothing(setup):
    w, round_, form, case = setup
    url = reverse("fire_admin:form_new", args=[round_.pk, w.tenant_a2.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {f"item_{a.item_id}": "1" for a in answers(w.centre_a)}
    data["photos"] = [SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")]
    response = client_for(w.ops_a).post(url, data)
    assert response.status_code == 400
    assert "picture" in response.content.decode() or "图片" in response.content.decode()
    assert not InspectionForm.objects.filter(tenant=w.tenant_a2).exists()


def test_form_and_case_pages_are_for_the_centres_staff(setup):
    w, round_, form, case = setup
    for url in (reverse("fire_admin:form", args=[form.pk]), reverse("fire_admin:case", args=[case.pk])):
        assert_access(url, allowed=[w.ops_a, w.drafter_a, w.leader_a, w.manager],
                      refused=[w.ops_b, w.signer_a, w.nonsigner_a, w.signer_b, w.editor_a, ANONYMOUS])


def test_the_case_page_closes_a_case_for_inspectors_only(setup):
    w, round_, form, case = setup
    url = reverse("fire_admin:case", args=[case.pk])
    response = client_for(w.leader_a).post(url, {"rectified": "1"})
    assert response.status_code == 302 and response["Location"] == "/admin/"  # Wagtail's refusal
    assert client_for(w.ops_b).post(url, {"rectified": "1"}).status_code == 404
    response = client_for(w.ops_a).post(url, {"rectified": "0", "note": ""})
    assert response.status_code == 400  # not rectified needs a deadline and a note
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    response = client_for(w.ops_a).post(url, {"rectified": "1", "note": "复查合格", "photos": [png_upload()]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_the_report_pdf_is_rendered_with_chinese_fonts_and_served_to_the_centres_staff(setup, tmp_path):
    w, round_, form, case = setup
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_for(w.leader_a).post(reverse("fire_admin:report_request", args=[round_.pk]))
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.report_sha256 and round_.report_pdf
    with round_.report_pdf.open("rb") as fh:
        pdf = fh.read()
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    assert any("CJK" in row or "WenQuanYi" in row for row in fonts.splitlines()[2:]), fonts
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "消防安全检查报告" in text and w.tenant_a.trading_name in text and "不合格" in text
    url = reverse("fire_admin:report_pdf", args=[round_.pk])
    assert_access(url, allowed=[w.ops_a, w.leader_a, w.manager],
                  refused=[w.ops_b, w.signer_a, w.nonsigner_a, w.signer_b, w.editor_a, ANONYMOUS])
    response = client_for(w.ops_a).get(url)
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="fire.report_downloaded").exists()
    assert client_for(w.ops_b).post(reverse("fire_admin:report_request", args=[round_.pk])).status_code == 404


def test_the_report_escapes_what_staff_typed(setup):
    w, round_, form, case = setup
    from notices.fire.services.report import report_html

    form.results.filter(passed=False).update(note='<img src="file:///etc/passwd">')
    html = report_html(round_)
    assert "<img" not in html and "&lt;img" in html
    assert round_render_report(round_id=round_.pk).report_sha256


def test_a_report_pdf_that_does_not_exist_yet_is_a_404(setup):
    w, round_, form, case = setup
    assert client_for(w.ops_a).get(reverse("fire_admin:report_pdf", args=[round_.pk])).status_code == 404


def test_opening_this_months_round_from_the_overview(fire_world):
    w = fire_world
    assert client_for(w.ops_b).post(reverse("fire_admin:round_open", args=[w.centre_a.pk])).status_code == 404
    assert client_for(w.leader_a).post(reverse("fire_admin:round_open", args=[w.centre_a.pk])).status_code == 404
    response = client_for(w.ops_a).post(reverse("fire_admin:round_open", args=[w.centre_a.pk]))
    assert response.status_code == 302
    round_ = w.centre_a.fire_rounds.get()
    assert round_.notice_letter is not None
    assert AuditEvent.objects.get(action="fire.round_opened").actor == w.ops_a
    client_for(w.ops_a).post(reverse("fire_admin:round_open", args=[w.centre_a.pk]))
    assert w.centre_a.fire_rounds.count() == 1


# --- the checklist snippet ----------------------------------------------------------

def test_the_checklist_is_edited_per_centre_in_the_admin(setup):
    w, round_, form, case = setup
    fire_round(w.centre_b)
    item_b = ChecklistItem.objects.filter(centre=w.centre_b).first()
    item_a = ChecklistItem.objects.filter(centre=w.centre_a).first()
    list_url = reverse("wagtailsnippets_fire_checklistitem:list")
    assert_access(list_url, allowed=[w.ops_a, w.drafter_a, w.manager, w.ops_b],
                  refused=[w.signer_a, w.nonsigner_a, w.signer_b, w.editor_a, w.seal_a, ANONYMOUS])
    page = client_for(w.ops_a).get(list_url).content.decode()
    assert w.centre_b.name not in page
    edit_b = reverse("wagtailsnippets_fire_checklistitem:edit", args=[item_b.pk])
    assert client_for(w.ops_a).get(edit_b).status_code == 404
    assert client_for(w.ops_b).get(edit_b).status_code == 200
    add_url = reverse("wagtailsnippets_fire_checklistitem:add")
    response = client_for(w.ops_a).post(add_url, {"centre": w.centre_b.pk, "text": "偷偷加一项", "sort_order": 5, "active": "on"})
    assert not ChecklistItem.objects.filter(text="偷偷加一项").exists()
    response = client_for(w.ops_a).post(add_url, {"centre": w.centre_a.pk, "text": "厨房排油烟管道已清洗", "sort_order": 95, "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ChecklistItem.objects.filter(centre=w.centre_a, text="厨房排油烟管道已清洗").exists()
    assert AuditEvent.objects.filter(action="fire.checklist_item_added").exists()
    assert client_for(w.ops_a).get(reverse("wagtailsnippets_fire_checklistitem:edit", args=[item_a.pk])).status_code == 200


# --- tenant side -------------------------------------------------------------------

def test_the_tenants_case_list_and_page_are_for_its_contacts_only(setup):
    w, round_, form, case = setup
    assert_access(reverse("fire:my_cases"), allowed=[w.signer_a, w.nonsigner_a, w.signer_b],
                  refused=[w.ops_a, ANONYMOUS])
    assert w.tenant_a.trading_name not in client_for(w.signer_b).get(reverse("fire:my_cases")).content.decode()
    assert reverse("fire:my_case", args=[case.pk]) in client_for(w.nonsigner_a).get(reverse("fire:my_cases")).content.decode()
    url = reverse("fire:my_case", args=[case.pk])
    assert_access(url, allowed=[w.signer_a, w.nonsigner_a], refused=[w.signer_a2, w.signer_b, w.ops_a, w.ops_b, ANONYMOUS])


def test_the_tenant_reports_on_the_case_page(setup):
    w, round_, form, case = setup
    url = reverse("fire:my_case", args=[case.pk])
    response = client_for(w.signer_a).post(url, {"note": "已整改"})
    assert response.status_code == 400  # a photo is required
    assert client_for(w.signer_a2).post(url, {"note": "x", "photos": [png_upload()]}).status_code == 404
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_for(w.signer_a).post(url, {"note": "已更换灭火器", "photos": [png_upload()]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED
    # A second phone posting the same report: a message, the case page, nothing doubled.
    response = client_for(w.signer_a).post(url, {"note": "再报一次", "photos": [png_upload()]}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "已更换灭火器" in page and "再报一次" not in page
    assert 'data-testid="report-form"' not in page
    assert case.events.filter(kind="reported").count() == 1


def test_the_tenant_home_lists_open_cases(setup):
    w, round_, form, case = setup
    page = client_for(w.signer_a).get(reverse("portal:tenant_home")).content.decode()
    assert reverse("fire:my_case", args=[case.pk]) in page
    page = client_for(w.signer_a2).get(reverse("portal:tenant_home")).content.decode()
    assert 'data-testid="fire-cases"' not in page


def test_photos_are_served_only_to_the_centres_staff_and_the_tenants_contacts(setup):
    w, round_, form, case = setup
    photo = FirePhoto.objects.get(form=form)
    url = reverse("fire:photo", args=[photo.pk])
    assert_access(url, allowed=[w.ops_a, w.leader_a, w.manager, w.signer_a, w.nonsigner_a],
                  refused=[w.ops_b, w.signer_a2, w.signer_b, w.editor_a, ANONYMOUS])
    response = client_for(w.signer_a).get(url)
    assert b"".join(response.streaming_content) == PNG_BYTES
    assert response["Content-Type"] == "image/png" and "no-store" in response["Cache-Control"]
    assert client_for(w.signer_a).get(photo.file.url).status_code == 404  # no media folder is served
    assert client_for(w.signer_a).get(reverse("fire:photo", args=[999999])).status_code == 404


def test_the_post_only_actions_refuse_outsiders(setup):
    w, round_, form, case = setup
    RectificationCase.objects.filter(pk=case.pk).update(letter=None, letter_error="no drafter then")
    retry = reverse("fire_admin:case_letter_retry", args=[case.pk])
    report = reverse("fire_admin:report_request", args=[round_.pk])
    opening = reverse("fire_admin:round_open", args=[w.centre_a.pk])
    for url in (retry, report, opening):
        assert_access(url, method="post", refused=[w.ops_b, w.signer_a, w.nonsigner_a, w.signer_b, ANONYMOUS])
        assert client_for(w.ops_a).get(url).status_code == 405
    # A leader reads the case but does not act on it.
    response = client_for(w.leader_a).post(retry)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    case.refresh_from_db()
    assert case.letter is None
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client_for(w.ops_a).post(retry).status_code == 302
    case.refresh_from_db()
    assert case.letter is not None


def test_the_tenant_sees_its_letter_only_once_sealed_and_never_the_internal_escalation(setup):
    from datetime import timedelta

    from notices.fire.services.rectification import cases_escalate_overdue
    from tests.notices.letters import decide

    w, round_, form, case = setup
    url = reverse("fire:my_case", args=[case.pk])
    page = client_for(w.signer_a).get(url).content.decode()
    events = page.split('data-testid="case-events"')[1].split("</ol>")[0]
    assert case.letter.title not in page
    assert "开立整改" in events or "Case opened" in events
    letter = decide(decide(case.letter, w.leader_a), w.seal_a)
    case.refresh_from_db()
    cases_escalate_overdue(today=case.deadline + timedelta(days=1))
    page = client_for(w.signer_a).get(url).content.decode()
    events = page.split('data-testid="case-events"')[1].split("</ol>")[0]
    assert letter.doc_number in page
    assert "逾期：已上报" not in events and "Overdue: escalated" not in events
    staff_page = client_for(w.ops_a).get(reverse("fire_admin:case", args=[case.pk])).content.decode()
    assert "逾期：已上报" in staff_page or "Overdue: escalated" in staff_page


def test_record_and_next_goes_to_the_next_shop_not_yet_inspected(setup):
    w, round_, form, case = setup
    third = make_tenant(w.centre_a, "TA003", "第三家店")
    url = reverse("fire_admin:form_new", args=[round_.pk, w.tenant_a2.pk])
    data = {f"item_{a.item_id}": "1" for a in answers(w.centre_a)} | {"next": "1"}
    response = client_for(w.ops_a).post(url, data)
    assert response["Location"] == reverse("fire_admin:form_new", args=[round_.pk, third.pk])
    page = client_for(w.ops_a).get(reverse("fire_admin:round", args=[round_.pk]) + "?todo=1").content.decode()
    assert third.trading_name in page and w.tenant_a2.trading_name not in page and w.tenant_a.trading_name not in page
    data = {f"item_{a.item_id}": "1" for a in answers(w.centre_a)} | {"next": "1"}
    response = client_for(w.ops_a).post(reverse("fire_admin:form_new", args=[round_.pk, third.pk]), data)
    assert response["Location"] == reverse("fire_admin:round", args=[round_.pk])  # everyone done


def test_the_tenant_case_links_to_its_delivered_letter_in_the_inbox(setup):
    # Delivery is part of notices: imported directly (a guard that skipped when
    # the model was missing could never trigger, and would hide a broken import).
    from notices.models import Delivery
    from tests.notices.letters import decide

    w, round_, form, case = setup
    with TestCase.captureOnCommitCallbacks(execute=True):
        decide(decide(case.letter, w.leader_a), w.seal_a)
    delivery = Delivery.objects.get(letter=case.letter, tenant=w.tenant_a)
    page = client_for(w.signer_a).get(reverse("fire:my_case", args=[case.pk])).content.decode()
    assert reverse("notices_inbox:letter", args=[delivery.pk]) in page
