"""Satisfaction surveys: ACSI questions, one answer per tenant, answered by
the tenant's contacts on the phone."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.base import ANONYMOUS, assert_access
from visits.models import Dimension, SurveyResponse
from visits.services.records import VisitError
from visits.services.surveys import survey_answer, survey_create, survey_set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(world, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    s = survey_create(actor=world.ops_a, centre=world.centre_a, title="年度满意度调查", opens_on=today,
                      closes_on=today + timedelta(days=14))
    with django_capture_on_commit_callbacks(execute=True):
        survey_set_status(actor=world.ops_a, survey=s, status="open")
    return s


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
