"""The approver decides on the reply's own page: "Approve" and "Return to
drafter" under the reply, for whoever may decide its step now — not for its
drafter, nor for staff of another department."""

import pytest
from django.test import TestCase
from django.urls import reverse

from portal.models import Department

from .helpers import draft_reply, officer_for, post_as, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(world):
    officer = officer_for(world.centre_a)
    world.ops_a.memberships.update(department=Department.OPERATIONS)
    return submit(draft_reply(post_as(world), officer), officer), officer


def _page(client, user, reply):
    client.force_login(user)
    response = client.get(reverse("wagtailsnippets_tenants_feedbackreply:inspect", args=[reply.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_department_approves_from_the_reply_page(client, world, in_review):
    reply, _officer = in_review
    page = _page(client, world.ops_a, reply)
    assert 'data-testid="decide-approve"' in page and 'data-testid="decide-reject"' in page
    approve = reverse("wagtailsnippets_tenants_feedbackreply:workflow_action",
                      args=[reply.pk, "approve", reply.current_workflow_task_state.pk])
    assert f'action="{approve}"' in page
    inspect = reverse("wagtailsnippets_tenants_feedbackreply:inspect", args=[reply.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(approve, {"comment": "", "next": inspect})
    assert response.status_code == 302 and response["Location"] == inspect
    reply.refresh_from_db()
    assert reply.live
    assert 'data-testid="decision"' not in _page(client, world.ops_a, reply)  # decided: no buttons left


def test_the_drafter_and_another_department_get_no_buttons(client, world, in_review):
    reply, officer = in_review
    assert 'data-testid="decision"' not in _page(client, officer, reply)
    world.ops_a.memberships.update(department=Department.ENGINEERING)
    assert 'data-testid="decision"' not in _page(client, world.ops_a, reply)


def test_returning_it_with_a_comment_keeps_it_off_the_board(client, world, in_review):
    reply, _officer = in_review
    _page(client, world.ops_a, reply)
    reject = reverse("wagtailsnippets_tenants_feedbackreply:workflow_action",
                     args=[reply.pk, "reject", reply.current_workflow_task_state.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reject, {"comment": "请写明检修时间"})
    reply.refresh_from_db()
    assert not reply.live and not reply.workflow_in_progress


def test_the_buttons_read_in_chinese(client, world, in_review):
    reply, _officer = in_review
    page = _page(client, world.ops_a, reply)
    assert "您的审批" in page and "退回拟稿人" in page


def test_the_click_that_loses_the_race_gets_a_message_not_an_error(client, world, in_review, monkeypatch):
    """Both approvers passed Wagtail's checks; the other one's approval is
    committed first. The service refuses under the row lock; the view says so."""
    from wagtail.admin.views.generic.workflow import WorkflowAction

    from portal.models import Role
    from tests.base import make_staff

    from .helpers import decide

    reply, _officer = in_review
    other = make_staff("ops9@a.test", world.centre_a, Role.OPERATIONS, department=Department.OPERATIONS)
    original = WorkflowAction.check_action

    def checked_then_other_decides(self):
        original(self)
        decide(reply, other)

    monkeypatch.setattr(WorkflowAction, "check_action", checked_then_other_decides)
    client.force_login(world.ops_a)
    approve = reverse("wagtailsnippets_tenants_feedbackreply:workflow_action",
                      args=[reply.pk, "approve", reply.current_workflow_task_state.pk])
    response = client.post(approve, {"comment": ""}, follow=True)
    assert response.status_code == 200
    assert "此步骤已有人审批" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("wagtailsnippets_tenants_feedbackreply:inspect", args=[reply.pk])
    reply.refresh_from_db()
    assert reply.live
