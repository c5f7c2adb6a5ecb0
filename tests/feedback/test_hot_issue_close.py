"""A hot issue is closed with what was done; posts of its kind that come
afterwards make a new issue instead of joining the handled one. Closing and
reopening are audited; an outcome is required."""

import pytest
from django.urls import reverse

from portal.models.audit import AuditEvent
from tenants.feedback.models import HotIssue
from tests.base import logged_in

from .helpers import officer_for, post_as

pytestmark = pytest.mark.django_db


def _complaints(world, n, start=0):
    for i in range(start, start + n):
        post_as(world, subject=f"停车难{i}")


def _edit(officer, issue, **changes):
    fields = {"centre": issue.centre_id, "kind": issue.kind, "title": issue.title, "owner": issue.owner_id or "",
              "response_plan": "增加临时停车引导员。", "outcome": "", **changes}
    return logged_in(officer).post(reverse("wagtailsnippets_tenants_hotissue:edit", args=(issue.pk,)), fields,
                                   follow=True)


def test_closing_needs_an_outcome_and_then_new_posts_make_a_new_issue(world):
    officer = officer_for(world.centre_a)
    _complaints(world, 3)
    issue = HotIssue.objects.get()

    page = _edit(officer, issue, closed="on").content.decode()
    assert "关闭前请写明采取了哪些措施" in page
    issue.refresh_from_db()
    assert issue.closed_at is None

    _edit(officer, issue, closed="on", outcome="地下车库B2开放临时车位，已通知各商户。")
    issue.refresh_from_db()
    assert issue.closed_at and issue.closed_by == officer and issue.outcome.startswith("地下车库")
    event = AuditEvent.objects.get(action="feedback.hot_closed")
    assert event.details["outcome"] == issue.outcome and event.details["posts"] == 3

    # Saving the closed issue again (a second click) closes nothing twice.
    _edit(officer, issue, closed="on", outcome=issue.outcome)
    assert AuditEvent.objects.filter(action="feedback.hot_closed").count() == 1

    _complaints(world, 3, start=3)
    assert HotIssue.objects.count() == 2
    assert issue.posts.count() == 3


def test_a_closed_issue_can_be_reopened_and_collects_posts_again(world):
    officer = officer_for(world.centre_a)
    _complaints(world, 3)
    issue = HotIssue.objects.get()
    _edit(officer, issue, closed="on", outcome="已处理。")
    _edit(officer, issue, outcome="已处理。")  # "closed" unticked
    issue.refresh_from_db()
    assert issue.closed_at is None and issue.closed_by is None
    assert AuditEvent.objects.filter(action="feedback.hot_reopened", object_id=str(issue.pk)).exists()
    post_as(world, subject="停车难又来了")
    assert issue.posts.count() == 4 and HotIssue.objects.count() == 1


def test_the_listing_shows_when_an_issue_was_closed(world):
    officer = officer_for(world.centre_a)
    _complaints(world, 3)
    _edit(officer, HotIssue.objects.get(), closed="on", outcome="已处理。")
    listing = logged_in(officer).get(reverse("wagtailsnippets_tenants_hotissue:list"))
    assert listing.status_code == 200
    assert "关闭时间" in listing.content.decode() or "closed at" in listing.content.decode()
