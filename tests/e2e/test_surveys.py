"""A satisfaction survey from start to end, on phones: operations staff
create and open it, a tenant answers it from the home page, staff close it
and read the results by dimension, tier and floor with the comment."""

import pytest
from django.core import mail
from django.urls import reverse

from portal.models import AuditEvent
from visits.models import Survey, SurveyResponse

pytestmark = pytest.mark.browser


def _fits_the_phone(session):
    assert session.page.evaluate("document.documentElement.scrollWidth") <= 390


def test_create_open_answer_close_and_read_the_results(e2e_world, session_factory):
    w = e2e_world
    staff = session_factory(phone=True)
    staff.login("ops@a.test")
    staff.goto("/visits/surveys/manage/")
    assert staff.page.get_by_test_id("survey-list").is_visible()
    form = staff.page.get_by_test_id("survey-create")
    form.locator("select[name=centre]").select_option(str(w.centre_a.pk))
    form.locator("input[name=title]").fill("2026年冬季租户满意度调查")
    _fits_the_phone(staff)
    form.locator("button[type=submit]").click()
    staff.page.wait_for_load_state("networkidle")
    survey = Survey.objects.get(title="2026年冬季租户满意度调查")
    assert staff.page.url.endswith(f"/visits/surveys/manage/{survey.pk}/")
    assert survey.status == "draft" and not mail.outbox
    assert staff.page.get_by_test_id("survey-no-answers").is_visible()

    staff.page.get_by_test_id("survey-open").click()
    staff.page.wait_for_load_state("networkidle")
    survey.refresh_from_db()
    assert survey.status == "open"
    assert sorted(m.to[0] for m in mail.outbox) == ["clerk@a-shop.test", "signer@a-shop.test", "signer@a2-shop.test"]
    assert staff.page.get_by_test_id("survey-close").is_visible()

    tenant = session_factory(phone=True)
    tenant.login("signer@a2-shop.test")
    tenant.goto(reverse("portal:tenant_home"))
    tenant.page.locator(f"a[href='/visits/surveys/{survey.pk}/']").first.click()
    tenant.page.wait_for_load_state("networkidle")
    questions = list(survey.questions.all())
    for q in questions:
        score = "2" if q.dimension == "value" else "5"
        tenant.page.locator(f"input[name=q{q.pk}][value='{score}']").check()
    tenant.page.fill("textarea[name=comment]", "希望周末多办亲子活动")
    _fits_the_phone(tenant)
    tenant.page.get_by_test_id("survey-form").locator("button[type=submit]").click()
    tenant.page.wait_for_load_state("networkidle")
    answer = SurveyResponse.objects.get(survey=survey)
    assert answer.tenant == w.tenant_a2 and answer.comment == "希望周末多办亲子活动"

    staff.page.reload()
    staff.page.get_by_test_id("survey-close").click()
    staff.page.wait_for_load_state("networkidle")
    survey.refresh_from_db()
    assert survey.status == "closed"
    assert not staff.page.get_by_test_id("survey-close").count()
    good = sum(1 for q in questions if q.dimension != "value")
    overall = staff.page.get_by_test_id("survey-overall").inner_text()
    assert f"{round(100 * good / len(questions), 1)}%" in overall
    assert "1" in staff.page.get_by_test_id("survey-answers").inner_text()
    dimensions = staff.page.get_by_test_id("by-dimension").inner_text()
    assert "0/1" in dimensions and "2/2" in dimensions  # value scored 2; quality's two questions 5
    assert f"{good}/{len(questions)}" in staff.page.get_by_test_id("by-floor").inner_text()
    assert "2F" in staff.page.get_by_test_id("by-floor").inner_text()
    assert f"{good}/{len(questions)}" in staff.page.get_by_test_id("by-tier").inner_text()
    assert "希望周末多办亲子活动" in staff.page.get_by_test_id("survey-comments").inner_text()
    _fits_the_phone(staff)
    assert {"survey.created", "survey.open", "survey.answered", "survey.closed"} <= set(
        AuditEvent.objects.values_list("action", flat=True))

    # The closed survey is gone from the tenant's side.
    tenant.goto(f"/visits/surveys/{survey.pk}/")
    assert "2026年冬季租户满意度调查" not in tenant.page.content()
    assert not staff.csp_violations and not tenant.csp_violations


def test_a_shop_without_an_account_answers_from_the_emailed_link(e2e_world, session_factory):
    import re
    from datetime import timedelta

    from django.test import TestCase
    from django.utils import timezone

    from tests.base import make_contact, make_tenant
    from visits.services.surveys import survey_create, survey_set_status

    w = e2e_world
    shop = make_tenant(w.centre_a, "TA009", "茶语轩")
    make_contact(shop, "boss@tea.test", may_sign=True, with_account=False)
    today = timezone.localdate()
    survey = survey_create(actor=w.ops_a, centre=w.centre_a, title="春季满意度调查", opens_on=today,
                           closes_on=today + timedelta(days=7))
    with TestCase.captureOnCommitCallbacks(execute=True):
        survey_set_status(actor=w.ops_a, survey=survey, status="open")
    body = next(m.body for m in mail.outbox if m.to == ["boss@tea.test"])
    path = re.search(r"茶语轩: https?://[^/]+(/\S+)", body).group(1)

    boss = session_factory(phone=True)  # not signed in: no account
    boss.goto(path)
    assert "茶语轩" in boss.page.get_by_test_id("survey-shop").inner_text()
    for q in survey.questions.all():
        boss.page.locator(f"input[name=q{q.pk}][value='4']").check()
    _fits_the_phone(boss)
    boss.page.get_by_test_id("survey-form").locator("button[type=submit]").click()
    boss.page.wait_for_load_state("networkidle")
    assert boss.page.get_by_test_id("survey-thanks").is_visible()
    assert SurveyResponse.objects.get(survey=survey).tenant == shop
    boss.goto(path[:-6] + "xxxxx/")
    assert boss.page.get_by_test_id("survey-link-refused").is_visible()
