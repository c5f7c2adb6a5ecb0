"""Staff screens of editions, alerts and greetings answer only the right staff."""

from datetime import date

from django.test import Client
from django.urls import reverse

from portal.broadcasts.greetings import greetings_prepare_upcoming
from portal.models import HolidayGreeting
from portal.pages.handbook import handbook_edition_issue
from tests.base import ANONYMOUS, assert_access


def test_edition_screens(site):
    w = site.w
    edition = handbook_edition_issue(actor=site.reviewer_a, handbook=site.handbook_a, changes="第一版", requires_ack=True)
    assert_access(reverse("portal_editions:index"), allowed=[site.reviewer_a, w.manager],
                  refused=[ANONYMOUS, w.editor_a, w.ops_a, w.signer_a])
    detail = reverse("portal_editions:detail", args=(edition.pk,))
    assert_access(detail, allowed=[site.reviewer_a], refused=[ANONYMOUS, site.reviewer_b, w.editor_a, w.signer_a])
    client = Client()
    client.force_login(site.reviewer_a)
    body = client.get(detail).content.decode()
    assert w.tenant_a.trading_name in body and w.tenant_b.trading_name not in body


def test_a_reviewer_issues_an_edition_from_the_admin(site):
    client = Client()
    client.force_login(site.reviewer_a)
    response = client.post(reverse("portal_editions:new"), {
        "handbook": site.handbook_a.pk, "changes": "新增消防章节", "requires_ack": "on", "ack_due": "2026-12-31",
    })
    assert response.status_code == 302
    assert site.handbook_a.editions.get().ack_due == date(2026, 12, 31)
    # Another centre's reviewer is not offered this handbook.
    other = Client()
    other.force_login(site.reviewer_b)
    response = other.post(reverse("portal_editions:new"), {"handbook": site.handbook_a.pk, "changes": "越权"})
    assert response.status_code in (200, 302, 403) and site.handbook_a.editions.count() == 1


def test_alert_and_greeting_screens(world):
    assert_access(reverse("portal_alerts:index"), allowed=[world.ops_a, world.manager],
                  refused=[ANONYMOUS, world.editor_a, world.leader_a, world.signer_a])
    greetings_prepare_upcoming(today=date(2026, 9, 27))
    greeting = HolidayGreeting.objects.get(centre=world.centre_a)
    assert_access(reverse("portal_greetings:index"), allowed=[world.ops_a, world.editor_a, world.leader_a],
                  refused=[ANONYMOUS, world.drafter_a, world.signer_a])
    detail = reverse("portal_greetings:detail", args=(greeting.pk,))
    assert_access(detail, allowed=[world.ops_a], refused=[ANONYMOUS, world.ops_b, world.signer_a])
    client = Client()
    client.force_login(world.ops_a)
    client.post(detail, {"title": "国庆快乐", "message": "祝您国庆快乐！"})
    greeting.refresh_from_db()
    assert greeting.title == "国庆快乐" and greeting.edited_by == world.ops_a
    client.post(detail, {"approve": "1"})  # operations staff edit, they do not approve
    greeting.refresh_from_db()
    assert greeting.status == "draft"
    client.force_login(world.leader_a)
    client.post(detail, {"approve": "1"})
    greeting.refresh_from_db()
    assert greeting.status == "approved" and greeting.approved_by == world.leader_a
