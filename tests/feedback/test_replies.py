"""A staff reply on the board is a draft until the department responsible
for the request approves it (a Wagtail workflow); only then is it published
under the post, put on the request's timeline, and the poster told: on the
tenant home and by email, once."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse

from portal.models import Department, Role
from portal.models.audit import AuditEvent
from tenants.feedback.models import FeedbackReply
from tenants.feedback.notify import reply_published_email
from tenants.models import RequestEntry
from tests.base import make_staff

from .helpers import decide, draft_reply, officer_for, post_as, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world):
    officer = officer_for(world.centre_a)
    # ops@a.test works in the operations department of centre A.
    world.ops_a.memberships.update(department=Department.OPERATIONS)
    return officer


def test_a_draft_reply_is_not_on_the_board(client, world, cast):
    post = post_as(world)
    reply = submit(draft_reply(post, cast), cast)
    assert reply.workflow_in_progress and not reply.live
    # The department responsible is told it waits for them (and only they).
    asked = [m for m in mail.outbox if "待您审批" in m.subject]
    assert len(asked) == 1 and asked[0].to == [world.ops_a.email]
    page = client.get(reverse("feedback:post", args=[world.centre_a.code, post.pk])).content.decode()
    assert "已安排工程部" not in page


def test_the_department_approves_and_the_tenant_sees_the_reply_once(client, world, cast):
    post = post_as(world)
    reply = submit(draft_reply(post, cast), cast)
    with TestCase.captureOnCommitCallbacks(execute=True):
        decide(reply, world.ops_a)
    reply.refresh_from_db()
    assert reply.live and reply.announced_at is not None
    # On the request's timeline, as the officer's reply: the first response.
    sr = post.service_request
    sr.refresh_from_db()
    assert sr.entries.filter(kind=RequestEntry.Kind.REPLY, body=reply.body, actor=cast).count() == 1
    assert sr.responded_at is not None
    # The email went once; a retry of the task sends nothing more.
    to_tenant = [m for m in mail.outbox if world.signer_a.email in m.to]
    assert len(to_tenant) == 1 and "空调不制冷" in to_tenant[0].subject
    assert reply_published_email(reply.pk) is False
    assert len([m for m in mail.outbox if world.signer_a.email in m.to]) == 1
    # The tenant home says so until the tenant opens the post.
    client.force_login(world.signer_a)
    home = client.get(reverse("portal:tenant_home")).content.decode()
    assert 'data-testid="board-answers"' in home
    page = client.get(reverse("feedback:post", args=[world.centre_a.code, post.pk])).content.decode()
    assert "已安排工程部" in page
    assert 'data-testid="board-answers"' not in client.get(reverse("portal:tenant_home")).content.decode()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"feedback.reply_submitted", "feedback.reply_approved", "feedback.reply_published"} <= actions


def test_only_the_responsible_department_of_the_centre_may_approve(world, cast):
    post = post_as(world)
    reply = submit(draft_reply(post, cast), cast)
    other_department = make_staff("eng@a.test", world.centre_a, Role.OPERATIONS, department=Department.FINANCE)
    other_centre = make_staff("ops2@b.test", world.centre_b, Role.OPERATIONS, department=Department.OPERATIONS)
    task_state = reply.current_workflow_state.current_task_state
    for person in (cast, other_department, other_centre, world.leader_a, world.signer_a):
        assert task_state.task.specific.get_actions(reply, person) == []
        with pytest.raises(PermissionDenied):
            decide(reply, person)
    reply.refresh_from_db()
    assert not reply.live


def test_the_drafter_cannot_approve_their_own_reply_even_in_the_department(world, cast):
    post = post_as(world)
    reply = submit(draft_reply(post, world.ops_a), world.ops_a)
    with pytest.raises(PermissionDenied):
        decide(reply, world.ops_a)
    decide(reply, make_staff("ops3@a.test", world.centre_a, Role.OPERATIONS, department=Department.OPERATIONS))
    assert reply.live


def test_a_returned_reply_stays_off_the_board(world, cast):
    post = post_as(world)
    reply = submit(draft_reply(post, cast), cast)
    decide(reply, world.ops_a, action="reject", comment="请写明检修时间")
    assert not reply.live and not [m for m in mail.outbox if world.signer_a.email in m.to]
    assert not post.service_request.entries.filter(kind=RequestEntry.Kind.REPLY).exists()


def test_the_approver_sees_the_reply_in_awaiting_review(client, world, cast):
    post = post_as(world)
    reply = submit(draft_reply(post, cast), cast)
    client.force_login(world.ops_a)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert str(reply)[:10] in home
    assert client.get(reverse("wagtailsnippets_tenants_feedbackreply:inspect", args=[reply.pk])).status_code == 200
    client.force_login(world.ops_b)
    assert client.get(reverse("wagtailsnippets_tenants_feedbackreply:inspect", args=[reply.pk])).status_code == 404


def test_the_officer_drafts_and_submits_a_reply_in_the_admin(client, world, cast):
    post = post_as(world)
    client.force_login(cast)
    add = reverse("wagtailsnippets_tenants_feedbackreply:add") + f"?post={post.pk}"
    assert client.get(add).status_code == 200
    response = client.post(add, {"post": post.pk, "department": "operations", "body": "明天上午检修。",
                                 "action-submit": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    reply = FeedbackReply.objects.get()
    assert reply.drafter == cast and reply.workflow_in_progress and not reply.live
    # Another centre's post cannot be chosen.
    other = post_as(world, user=world.signer_b, tenant=world.tenant_b)
    client.post(add, {"post": other.pk, "department": "operations", "body": "x", "action-submit": "1"})
    assert FeedbackReply.objects.count() == 1
