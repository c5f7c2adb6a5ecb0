"""A reply goes only to a department that can approve it (someone at the
post's centre other than its drafter), and one that waits for nobody anyway
(submitted before that rule, or whose last approver left) is decided by a
leader of the centre or the superuser instead: never stuck, never the
drafter's own."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.models import Department, Role
from tenants.feedback.models import FeedbackReply
from tenants.services.requests import request_assign
from tests.base import make_staff

from .helpers import decide, draft_reply, officer_for, post_as, submit

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_tenants_feedbackreply:add"


@pytest.fixture
def cast(world):
    world.ops_a.memberships.update(department=Department.OPERATIONS)
    return officer_for(world.centre_a)


def _add(client, post, department, **extra):
    url = reverse(ADD) + f"?post={post.pk}"
    return client.post(url, {"post": post.pk, "department": department, "body": "明天上午检修。",
                             "action-submit": "1", **extra})


def test_the_form_offers_only_departments_with_an_approver(client, world, cast):
    post = post_as(world)
    client.force_login(cast)
    page = client.get(reverse(ADD) + f"?post={post.pk}").content.decode()
    assert 'value="operations"' in page and 'value="safety"' in page
    # Nobody in engineering at centre A; the officer alone in marketing.
    assert 'value="engineering"' not in page and 'value="marketing"' not in page


def test_submitting_to_a_department_without_approvers_is_refused_with_its_name(client, world, cast):
    post = post_as(world)
    client.force_login(cast)
    response = _add(client, post, "engineering")
    assert response.status_code == 200
    page = response.content.decode()
    assert "的工程部除您以外没有人能审批回复" in page, page[:3000]
    assert not FeedbackReply.objects.exists()


def test_the_drafter_alone_in_the_department_is_no_approver(client, world, cast):
    post = post_as(world)
    client.force_login(cast)
    response = _add(client, post, "marketing")
    assert response.status_code == 200 and not FeedbackReply.objects.exists()
    assert "的企划部除您以外没有人能审批回复" in response.content.decode()
    # A colleague in marketing makes it possible; the drafter still is not one.
    colleague = make_staff("mkt@a.test", world.centre_a, Role.OPERATIONS, department=Department.MARKETING)
    assert _add(client, post, "marketing").status_code == 302
    reply = FeedbackReply.objects.get()
    task = reply.current_workflow_state.current_task_state.task.specific
    assert task.get_actions(reply, cast) == [] and task.get_actions(reply, colleague)


def test_a_request_assigned_to_a_department_is_reviewed_there(client, world, cast):
    post = post_as(world)
    request_assign(actor=world.ops_a, service_request=post.service_request, department=Department.SAFETY)
    client.force_login(cast)
    response = _add(client, post, "operations")
    assert response.status_code == 200 and "该诉求已分派给安全部" in response.content.decode()
    assert _add(client, post, "safety").status_code == 302
    assert FeedbackReply.objects.get().department == Department.SAFETY


def _stuck_reply(world, cast):
    # Drafted and submitted before the rule: straight through the engine.
    return submit(draft_reply(post_as(world), cast, department=Department.ENGINEERING), cast)


def test_a_stuck_reply_is_decided_by_a_leader_of_the_centre(client, world, cast):
    reply = _stuck_reply(world, cast)
    leader_b = make_staff("leader@b.test", world.centre_b, Role.LEADER)
    task = reply.current_workflow_state.current_task_state.task.specific
    for nobody in (cast, world.ops_a, leader_b):
        assert task.get_actions(reply, nobody) == []
    assert task.get_actions(reply, world.leader_a)
    client.force_login(world.leader_a)
    assert str(reply)[:10] in client.get(reverse("wagtailadmin_home")).content.decode()
    decide(reply, world.leader_a)
    assert reply.live


def test_a_stuck_reply_reaches_the_superuser(client, world, cast):
    reply = _stuck_reply(world, cast)
    root = get_user_model().objects.create_superuser(email="root@test", password="x")
    task = reply.current_workflow_state.current_task_state.task.specific
    assert task.get_actions(reply, root)
    client.force_login(root)
    assert str(reply)[:10] in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_leader_steps_in_only_once_the_last_approver_left(world, cast):
    reply = submit(draft_reply(post_as(world), cast), cast)
    task = reply.current_workflow_state.current_task_state.task.specific
    assert task.get_actions(reply, world.leader_a) == []
    world.ops_a.memberships.update(active=False)
    assert task.get_actions(reply, world.leader_a)
    decide(reply, world.leader_a)
    assert reply.live


def test_a_leader_who_drafted_the_reply_never_approves_it(world, cast):
    world.leader_a.memberships.update(department=Department.ENGINEERING)
    reply = submit(draft_reply(post_as(world), world.leader_a, department=Department.ENGINEERING), world.leader_a)
    task = reply.current_workflow_state.current_task_state.task.specific
    assert task.get_actions(reply, world.leader_a) == []
