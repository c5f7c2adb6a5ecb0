"""Every shop can answer a survey (R25): contacts without a portal account
are emailed a link signed for their shop, once per address; the link shows
the survey and records the shop's one answer, and stops with the survey."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.base import make_contact, make_staff, make_tenant
from tests.visits.helpers import open_survey
from visits.models import SurveyResponse
from visits.services.notify import survey_invitations
from visits.services.survey_links import survey_link_path
from visits.services.surveys import survey_create, survey_set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops(world):
    """Two shops whose contacts have no account (one person manages both),
    and one shop with no contact email at all."""
    a3 = make_tenant(world.centre_a, "TA003", "茶语轩")
    a4 = make_tenant(world.centre_a, "TA004", "茶语轩二店")
    make_contact(a3, "boss@tea.test", may_sign=True, with_account=False)
    make_contact(a4, "Boss@Tea.test", may_sign=True, with_account=False)
    silent = make_tenant(world.centre_a, "TA005", "无邮箱书店")
    make_contact(silent, "", may_sign=True, with_account=False)
    return a3, a4, silent


@pytest.fixture
def survey(world, shops, django_capture_on_commit_callbacks):
    return open_survey(world, django_capture_on_commit_callbacks)


def _link_for(shop_name):
    body = next(m.body for m in mail.outbox if m.to == ["boss@tea.test"])
    return re.search(rf"{shop_name}: https?://[^/]+(/\S+)", body).group(1)


def _answers(survey, value="4"):
    return {f"q{q.pk}": value for q in survey.questions.all()} | {"comment": "服务很好"}


def test_every_address_is_mailed_once_with_a_link_per_shop(world, shops, survey):
    to = sorted(m.to[0].lower() for m in mail.outbox)
    assert to == ["boss@tea.test", "clerk@a-shop.test", "signer@a-shop.test", "signer@a2-shop.test"]
    body = next(m.body for m in mail.outbox if m.to == ["boss@tea.test"])
    assert "茶语轩: " in body and "茶语轩二店: " in body and "/visits/surveys/answer/" in body
    # A contact with an account answers signed in.
    signer = next(m.body for m in mail.outbox if m.to == ["signer@a2-shop.test"])
    assert reverse("visits:survey_answer", args=[survey.pk]) in signer and "/answer/" not in signer
    # A rerun (a redelivered task) mails nobody again.
    assert survey_invitations(survey_id=survey.pk) == 0
    assert len(mail.outbox) == 4


def test_the_staff_screen_counts_true_and_names_who_cannot_be_reached(client, world, shops, survey):
    client.force_login(world.ops_a)
    page = client.get(reverse("visits:survey", args=[survey.pk])).content.decode()
    invited = re.search(r'data-testid="survey-invited">(\d+)<', page).group(1)
    assert invited == "4"
    unreached = re.search(r'data-testid="survey-unreached">(.*?)</dd>', page, re.S).group(1)
    assert "无邮箱书店" in unreached and "茶语轩" not in unreached


def test_a_shop_answers_through_its_link_without_an_account(world, shops, survey):
    a3 = shops[0]
    path = _link_for("茶语轩")
    anonymous = Client()
    page = anonymous.get(path)
    assert page.status_code == 200 and 'data-testid="survey-form"' in page.content.decode()
    assert "茶语轩" in page.content.decode()
    response = anonymous.post(path, _answers(survey))
    assert response.status_code == 200 and 'data-testid="survey-thanks"' in response.content.decode()
    answer = SurveyResponse.objects.get(survey=survey, tenant=a3)
    assert answer.user is None and answer.contact.email == "boss@tea.test" and answer.scores.count() == 6
    # One answer per shop: the link (or a colleague's) now says it is done.
    again = anonymous.post(path, _answers(survey, "1"))
    assert 'data-testid="survey-done"' in again.content.decode()
    assert SurveyResponse.objects.filter(survey=survey, tenant=a3).count() == 1
    assert SurveyResponse.objects.get(survey=survey, tenant=a3).scores.filter(score=1).count() == 0


def test_a_tampered_link_gets_a_clear_page(world, shops, survey):
    path = _link_for("茶语轩")
    token = path.rstrip("/").rsplit("/", 1)[1]
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "not-a-token", token + "x"):
        response = Client().get(reverse("visits:survey_link", args=[bad]))
        assert response.status_code == 400 and 'data-testid="survey-link-refused"' in response.content.decode()
    # A link for another shop cannot be made by editing the ids: only the
    # signature makes one (and the staff's own link for another centre's shop fails too).
    other = make_contact(world.tenant_b, "b@shop.test", may_sign=False, with_account=False)
    assert Client().get(survey_link_path(survey, other)).status_code == 410


def test_the_link_stops_when_the_survey_closes_or_the_contact_leaves(world, shops, survey):
    path = _link_for("茶语轩")
    shops[0].contacts.update(active=False)
    assert Client().get(path).status_code == 410
    shops[0].contacts.update(active=True)
    page = Client()
    assert page.get(path).status_code == 200
    survey_set_status(actor=world.ops_a, survey=survey, status="closed")
    closed = page.post(path, _answers(survey))
    assert closed.status_code == 410 and "已结束" in closed.content.decode()
    assert not SurveyResponse.objects.filter(survey=survey).exists()


def test_staff_of_another_centre_see_no_count(world, survey):
    c = Client()
    c.force_login(make_staff("ops9@b.test", world.centre_b, "operations"))
    assert c.get(reverse("visits:survey", args=[survey.pk])).status_code == 404


def test_a_survey_invited_under_the_earlier_scheme_mails_those_accounts_no_more(world, shops, django_capture_on_commit_callbacks):
    from visits.models import ReminderSent

    today = timezone.localdate()
    s = survey_create(actor=world.ops_a, centre=world.centre_a, title="旧调查", opens_on=today,
                      closes_on=today + timedelta(days=14))
    with django_capture_on_commit_callbacks():  # opened, not yet sent
        survey_set_status(actor=world.ops_a, survey=s, status="open")
    ReminderSent.objects.create(kind="survey", key=str(s.pk), user=world.signer_a, notified_at=timezone.now())
    survey_invitations(survey_id=s.pk)
    assert "signer@a-shop.test" not in [m.to[0] for m in mail.outbox]
    assert "boss@tea.test" in [m.to[0].lower() for m in mail.outbox]
