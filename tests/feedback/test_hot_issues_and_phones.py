"""Hot issues (several posts of one kind in a week, or staff-marked) get a
named person; the centre's telephone numbers appear on the board only once a
leader of the centre has approved them."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from portal.models.audit import AuditEvent
from tenants.feedback.hot import hot_issue_mark
from tenants.feedback.models import FeedbackPost, HotIssue
from tests.base import make_staff

from .helpers import decide, draft_phones, officer_for, post_as, submit

pytestmark = pytest.mark.django_db


def test_three_complaints_in_a_week_make_a_hot_issue_followed_by_the_officer(world):
    officer = officer_for(world.centre_a)
    old = post_as(world, subject="停车难0")
    FeedbackPost.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=9))
    post_as(world, subject="停车难1")
    post_as(world, subject="停车难2", kind="suggestion")
    assert not HotIssue.objects.exists()
    post_as(world, subject="停车难3", user=world.signer_a2, tenant=world.tenant_a2)
    post_as(world, subject="停车难4")
    issue = HotIssue.objects.get()
    assert issue.owner == officer and issue.kind == "complaint" and issue.centre == world.centre_a
    assert set(issue.posts.values_list("subject", flat=True)) == {"停车难1", "停车难3", "停车难4"}
    # A later complaint joins the open issue.
    post_as(world, subject="停车难5")
    assert issue.posts.count() == 4 and HotIssue.objects.count() == 1
    assert AuditEvent.objects.filter(action="feedback.hot_found").count() == 1


def test_staff_mark_a_post_into_a_hot_issue_of_its_own_centre_only(world):
    officer = officer_for(world.centre_a)
    post = post_as(world, kind="question")
    issue = HotIssue.objects.create(centre=world.centre_a, kind="question", title="营业时间调整", owner=officer)
    hot_issue_mark(actor=officer, post=post, hot_issue=issue)
    post.refresh_from_db()
    issue.refresh_from_db()
    assert post.hot_issue == issue and issue.marked_by_staff
    with pytest.raises(PermissionDenied):
        hot_issue_mark(actor=world.ops_b, post=post, hot_issue=None)
    assert AuditEvent.objects.filter(action="feedback.hot_marked").count() == 1


def test_the_telephone_block_shows_only_after_a_leaders_approval(client, world):
    officer = officer_for(world.centre_a)
    block = submit(draft_phones(world.centre_a, officer), officer)
    board = reverse("feedback:board", args=[world.centre_a.code])
    assert 'data-testid="board-phones"' not in client.get(board).content.decode()
    leader_b = make_staff("leader@b.test", world.centre_b, "leader")
    for person in (officer, world.ops_a, leader_b):
        with pytest.raises(PermissionDenied):
            decide(block, person)
    decide(block, world.leader_a)
    assert block.live
    page = client.get(board).content.decode()
    assert 'data-testid="board-phones"' in page and "0571-1000-0119" in page and "12345" in page
    assert "0571-1000-0119" not in client.get(reverse("feedback:board", args=[world.centre_b.code])).content.decode()
    assert AuditEvent.objects.filter(action="feedback.phones_published").count() == 1
