"""Satisfaction surveys: ACSI questions, one answer per tenant, answered by
the tenant's contacts on the phone."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from tests.base import ANONYMOUS, assert_access, logged_in
from tests.visits.helpers import open_survey
from visits.models import Dimension, Survey, SurveyResponse
from visits.services.records import VisitError
from visits.services.surveys import survey_answer, survey_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(world, django_capture_on_commit_callbacks):
    return open_survey(world, django_capture_on_commit_callbacks)


def _scores(survey, value=5):
    return {q.pk: value for q in survey.questions.all()}


def test_questions_cover_every_acsi_dimension_and_contacts_are_invited(world, survey):
    assert set(survey.questions.values_list("dimension", flat=True)) == set(Dimension.values)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["clerk@a-shop.test", "signer@a-shop.test", "signer@a2-shop.test"]


def test_one_answer_per_tenant(world, survey):
    survey_answer(actor=world.signer_a, survey=survey, tenant=world.tenant_a, scores=_scores(survey), comment="很好")
    with pytest.raises(VisitError):
        survey_answer(actor=world.nonsigner_a, survey=survey, tenant=world.tenant_a, scores=_scores(survey, 2))
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    c = Client()
    c.force_login(world.nonsigner_a)
    assert 'data-testid="survey-done"' in c.get(reverse("visits:survey_answer", args=[survey.pk])).content.decode()


def test_the_tenant_answers_on_the_phone_from_the_home_page(world, survey):
    c = Client()
    c.force_login(world.signer_a2)
    home = c.get(reverse("portal:tenant_home")).content.decode()
    assert reverse("visits:survey_answer", args=[survey.pk]) in home
    data = {f"q{q.pk}": "4" for q in survey.questions.all()} | {"comment": "希望多办活动"}
    response = c.post(reverse("visits:survey_answer", args=[survey.pk]), data)
    assert response.status_code == 302
    answer = SurveyResponse.objects.get(tenant=world.tenant_a2)
    assert (answer.tier, answer.floor, answer.comment) == ("3", 2, "希望多办活动")
    assert answer.scores.count() == survey.questions.count()


def test_incomplete_answers_are_refused_and_others_cannot_answer(world, survey):
    c = Client()
    c.force_login(world.signer_a)
    response = c.post(reverse("visits:survey_answer", args=[survey.pk]), {"comment": "x"})
    assert response.status_code == 400 and not SurveyResponse.objects.exists()
    assert_access(reverse("visits:survey_answer", args=[survey.pk]), allowed=[world.signer_a],
                  refused=[world.signer_b, world.ops_b, ANONYMOUS])
    with pytest.raises(VisitError):
        survey_answer(actor=world.signer_a, survey=survey, tenant=world.tenant_a, scores={})


# --- the management screen (/visits/surveys/manage/) ----------------------------------


@pytest.fixture
def draft(world):
    today = timezone.localdate()
    return survey_create(actor=world.ops_a, centre=world.centre_a, title="季度满意度调查", opens_on=today,
                         closes_on=today + timedelta(days=7))


def test_the_list_shows_the_surveys_of_the_users_centres_with_their_figures(world, survey):
    survey_answer(actor=world.signer_a, survey=survey, tenant=world.tenant_a, scores=_scores(survey, 5))
    page = logged_in(world.ops_a).get(reverse("visits:surveys"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "年度满意度调查" in html and reverse("visits:survey", args=[survey.pk]) in html
    listed = page.context["surveys"][0]
    assert (listed.answers, listed.tenants, listed.satisfaction) == (1, 2, 100.0)
    assert "年度满意度调查" not in logged_in(world.ops_b).get(reverse("visits:surveys")).content.decode()
    assert "年度满意度调查" in logged_in(world.manager).get(reverse("visits:surveys")).content.decode()


def test_who_may_manage_surveys(world, survey):
    assert_access(reverse("visits:surveys"), allowed=[world.ops_a, world.ops_b, world.manager],
                  refused=[world.signer_a, world.drafter_a, world.editor_a, ANONYMOUS])
    # Another centre's survey is a 404, not a hint that it exists.
    assert_access(reverse("visits:survey", args=[survey.pk]), allowed=[world.ops_a, world.manager],
                  refused=[world.ops_b, world.signer_a, world.leader_a, ANONYMOUS])
    assert logged_in(world.ops_b).get(reverse("visits:survey", args=[survey.pk])).status_code == 404
    assert_access(reverse("visits:survey_status", args=[survey.pk]), method="post", data={"status": "closed"},
                  refused=[world.ops_b, world.signer_a, world.drafter_a, ANONYMOUS])
    survey.refresh_from_db()
    assert survey.status == "open"


def test_staff_create_a_draft_survey_that_asks_nobody_yet(world):
    today = timezone.localdate()
    response = logged_in(world.ops_a).post(reverse("visits:surveys"), {
        "centre": world.centre_a.pk, "title": "2026 租户满意度", "opens_on": today, "closes_on": today + timedelta(days=10)})
    survey = Survey.objects.get(title="2026 租户满意度")
    assert response.status_code == 302 and response["Location"] == reverse("visits:survey", args=[survey.pk])
    assert survey.status == "draft" and survey.centre == world.centre_a
    assert set(survey.questions.values_list("dimension", flat=True)) == set(Dimension.values)
    assert AuditEvent.objects.filter(action="survey.created", object_id=str(survey.pk), actor=world.ops_a).exists()
    assert not mail.outbox


@pytest.mark.parametrize(("centre", "opens", "closes"), [
    ("b", 0, 10),  # another centre
    ("a", 5, 1),  # closes before it opens
    ("a", -10, -1),  # already over
])
def test_a_survey_for_another_centre_or_with_bad_dates_is_refused(world, centre, opens, closes):
    today = timezone.localdate()
    response = logged_in(world.ops_a).post(reverse("visits:surveys"), {
        "centre": (world.centre_a if centre == "a" else world.centre_b).pk, "title": "x",
        "opens_on": today + timedelta(days=opens), "closes_on": today + timedelta(days=closes)})
    assert response.status_code == 400 and not Survey.objects.exists()
    assert response.context["form"].errors


def test_opening_emails_the_contacts_through_the_task_once(world, draft, django_capture_on_commit_callbacks):
    url = reverse("visits:survey_status", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = logged_in(world.ops_a).post(url, {"status": "open"})
    assert response.status_code == 302 and response["Location"] == reverse("visits:survey", args=[draft.pk])
    assert len(callbacks) == 1  # the invitations are a task queued after the commit
    draft.refresh_from_db()
    assert draft.status == "open"
    assert sorted(m.to[0] for m in mail.outbox) == ["clerk@a-shop.test", "signer@a-shop.test", "signer@a2-shop.test"]
    assert AuditEvent.objects.filter(action="survey.open", object_id=str(draft.pk)).count() == 1
    # A second press (another tab) is told, and nobody is emailed twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = logged_in(world.manager).post(url, {"status": "open"}, follow=True)
    assert "只有草稿状态的调查可以开放" in again.content.decode() or "Only a draft survey" in again.content.decode()
    assert len(mail.outbox) == 3
    page = logged_in(world.ops_a).get(reverse("visits:survey", args=[draft.pk])).content.decode()
    assert 'data-testid="survey-close"' in page and 'data-testid="survey-open"' not in page


def test_closing_stops_the_answers_and_a_draft_cannot_be_closed(world, draft, survey):
    refused = logged_in(world.ops_a).post(reverse("visits:survey_status", args=[draft.pk]), {"status": "closed"})
    assert refused.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert logged_in(world.ops_a).post(reverse("visits:survey_status", args=[survey.pk]), {"status": "bogus"}).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open"
    logged_in(world.manager).post(reverse("visits:survey_status", args=[survey.pk]), {"status": "closed"})
    survey.refresh_from_db()
    assert survey.status == "closed"
    assert AuditEvent.objects.filter(action="survey.closed", actor=world.manager).exists()
    with pytest.raises(VisitError):
        survey_answer(actor=world.signer_a, survey=survey, tenant=world.tenant_a, scores=_scores(survey))
    assert logged_in(world.signer_a).get(reverse("visits:survey_answer", args=[survey.pk])).status_code == 404


def test_results_by_dimension_tier_and_floor_with_the_comments(world, survey):
    from visits.selectors.surveys import survey_results

    # Tier 1 on floor 1 is happy; tier 3 on floor 2 is not, except on loyalty.
    survey_answer(actor=world.signer_a, survey=survey, tenant=world.tenant_a, scores=_scores(survey, 5),
                  comment="保洁很到位")
    low = {q.pk: (4 if q.dimension == Dimension.LOYALTY else 2) for q in survey.questions.all()}
    survey_answer(actor=world.signer_a2, survey=survey, tenant=world.tenant_a2, scores=low, comment="物业费偏高")
    results = survey_results(survey)
    n = survey.questions.count()
    assert (results.answers, results.tenants, results.invited) == (2, 2, 3)
    assert (results.overall.met, results.overall.total) == (n + 1, 2 * n)
    dims = {r.label: (r.met, r.total) for r in results.dimensions}
    assert dims[Dimension.QUALITY.label] == (2, 4) and dims[Dimension.LOYALTY.label] == (2, 2)
    assert {r.key: r.rate for r in results.tiers if r.total} == {"1": 100.0, "3": round(100 / n, 1)}
    assert [r.key for r in results.tiers] == ["1", "2", "3", "special"]  # unanswered tiers show as gaps
    assert [(r.label, r.met, r.total) for r in results.floors] == [("1F", n, n), ("2F", 1, n)]
    assert [c.comment for c in results.comments] == ["保洁很到位", "物业费偏高"]
    html = logged_in(world.ops_a).get(reverse("visits:survey", args=[survey.pk])).content.decode()
    for testid in ("survey-overall", "by-dimension", "by-tier", "by-floor", "survey-comments"):
        assert f'data-testid="{testid}"' in html
    assert "物业费偏高" in html and "2F" in html
