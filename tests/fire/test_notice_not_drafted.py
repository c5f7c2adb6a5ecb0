"""A centre without a safety-department drafter cannot have its monthly
fire-safety notice drafted (R15): staff see why on the fire overview and the
round, and its operations staff and managers get it on their home page; once a
drafter is added the daily run or the round's button drafts it, once."""

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from notices.fire.models import InspectionRound
from notices.fire.services.rounds import fire_monthly_cycle
from notices.models import Letter, LetterKind
from portal.admin_home import work_items_for
from tests.base import make_staff

pytestmark = pytest.mark.django_db

LABEL = "月度消防安全检查通知未拟稿"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def run():
    with TestCase.captureOnCommitCallbacks(execute=True):
        return fire_monthly_cycle(today=timezone.localdate())


def notices_of(centre):
    return Letter.objects.filter(kind=LetterKind.FIRE_INSPECTION, centre=centre)


def test_staff_see_why_the_notice_was_not_drafted_and_it_is_drafted_once_a_drafter_exists(fire_world):
    w = fire_world
    run()
    round_b = InspectionRound.objects.get(centre=w.centre_b)
    assert round_b.notice_letter is None  # centre B has no safety drafter
    month = f"{round_b.month:%Y-%m}"

    overview = client_for(w.ops_b).get(reverse("fire_admin:overview")).content.decode()
    warning = overview.split(f'data-testid="notice-missing-{w.centre_b.code}-{month}"')[1].split("</tr>")[0]
    assert "检查通知未拟稿" in warning and "安全部没有拟稿人" in warning and "拟稿人" in warning
    assert reverse("fire_admin:round_notice", args=[round_b.pk]) not in warning  # nobody to draft it yet
    assert f'notice-missing-{w.centre_a.code}' not in overview  # centre A's was drafted
    round_page = client_for(w.ops_b).get(reverse("fire_admin:round", args=[round_b.pk])).content.decode()
    assert "安全部没有拟稿人" in round_page.split('data-testid="round-notice"')[1].split("</td>")[0]

    # On the admin home of centre B's operations staff and of the managers; not of centre A's.
    home = client_for(w.ops_b).get("/admin/").content.decode()
    assert LABEL in home
    assert any(LABEL in str(i.label) and i.count == 1 for i in work_items_for(w.manager))
    assert not any(LABEL in str(i.label) for i in work_items_for(w.ops_a))

    # The button refuses while there is still nobody to draft.
    response = client_for(w.ops_b).post(reverse("fire_admin:round_notice", args=[round_b.pk]), follow=True)
    assert response.status_code == 200 and "安全部没有拟稿人" in response.content.decode()
    assert not notices_of(w.centre_b).exists()

    make_staff("safety@b.test", w.centre_b, "drafter")
    round_page = client_for(w.ops_b).get(reverse("fire_admin:round", args=[round_b.pk])).content.decode()
    assert 'data-testid="draft-notice"' in round_page
    assert not any(LABEL in str(i.label) for i in work_items_for(w.ops_b))
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_for(w.ops_b).post(reverse("fire_admin:round_notice", args=[round_b.pk]))
    assert response.status_code == 302
    # A double submit and the next daily run draft nothing more.
    client_for(w.ops_b).post(reverse("fire_admin:round_notice", args=[round_b.pk]))
    run()
    round_b.refresh_from_db()
    assert notices_of(w.centre_b).count() == 1 and round_b.notice_letter.drafter.email == "safety@b.test"
    round_page = client_for(w.ops_b).get(reverse("fire_admin:round", args=[round_b.pk])).content.decode()
    assert "检查通知未拟稿" not in round_page


def test_the_next_daily_run_drafts_it_once_a_drafter_exists(fire_world):
    w = fire_world
    run()
    make_staff("safety@b.test", w.centre_b, "drafter")
    run()
    run()
    assert notices_of(w.centre_b).count() == 1
    assert not any(LABEL in str(i.label) for i in work_items_for(w.manager))


def test_only_the_centres_fire_staff_may_ask_for_the_notice(fire_world):
    w = fire_world
    run()
    round_b = InspectionRound.objects.get(centre=w.centre_b)
    make_staff("safety@b.test", w.centre_b, "drafter")
    url = reverse("fire_admin:round_notice", args=[round_b.pk])
    for outsider in (w.ops_a, w.leader_a, w.signer_b):
        assert client_for(outsider).post(url).status_code in (302, 403, 404)
    assert not notices_of(w.centre_b).exists()
    assert Client().post(url).status_code == 302  # to the login page
    assert client_for(w.ops_b).get(url).status_code == 405
