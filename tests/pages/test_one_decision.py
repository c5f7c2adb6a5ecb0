"""A page's review is decided once: a second "approve" that passed Wagtail's
check before the first one finished (two reviewers, or a double click) gets
a message and the editor back — not a 500, not a second approval."""

import pytest
from django.urls import reverse
from wagtail.admin.views.pages.edit import EditView
from wagtail.models import TaskState, WorkflowState

from portal.models import NoticePage, Role
from tests.base import logged_in, make_staff

from .site import notice_form
from .test_self_approval import _submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(site):
    page, task_state = _submit(site.w.editor_a, site, "escalator")
    second = make_staff("reviewer2@a.test", site.w.centre_a, Role.WEB_REVIEWER)
    return page, task_state, second


@pytest.fixture
def other_click_between(monkeypatch, site):
    """The race: Wagtail's check passes for this request, then the other
    reviewer's approval is committed before this one acts."""
    original = EditView.workflow_action_is_valid
    calls = []

    def check_then_other_click(self):
        answer = original(self)
        calls.append(answer)
        if len(calls) == 1:
            state = TaskState.objects.get(pk=self.page.current_workflow_task_state.pk)
            state.task.specific.on_action(state, site.reviewer_a, "approve")
        return answer

    monkeypatch.setattr(EditView, "workflow_action_is_valid", check_then_other_click)
    return calls


def _approve_in_editor(user, page):
    return logged_in(user).post(
        reverse("wagtailadmin_pages:edit", args=(page.pk,)),
        {**notice_form("电梯维保通知", slug=page.slug), "action-workflow-action": "1", "workflow-action-name": "approve"},
        follow=True,
    )


def test_a_second_approve_in_the_editor_after_the_first_gets_a_message(site, submitted, other_click_between):
    page, task_state, second = submitted
    revisions = page.revisions.count()

    response = _approve_in_editor(second, page)
    assert response.status_code == 200
    assert "已由其他审核人处理（或您已点过一次），本次未做任何更改" in response.content.decode()
    assert other_click_between == [True]  # the check under the lock found the task decided
    page.refresh_from_db()
    assert page.live  # by the other reviewer's approval
    assert page.revisions.count() == revisions  # the late click saved nothing
    assert TaskState.objects.filter(workflow_state__object_id=str(page.pk), status="approved").count() == 1


def test_a_second_approve_in_the_modal_does_not_approve_the_task_again(site, submitted):
    page, task_state, second = submitted
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))
    logged_in(site.reviewer_a).post(url, {"comment": ""})
    # A second workflow on the page is in progress when the late click lands:
    # Wagtail's own check (is a workflow in progress?) passes, the old task state is done.
    later = _submit_again(site, page)
    response = logged_in(second).post(url, {"comment": ""}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200 and response.json()["redirect"] == reverse("wagtailadmin_explore", args=(page.get_parent().pk,))
    later.refresh_from_db()
    assert later.status == TaskState.STATUS_IN_PROGRESS  # the new review was not decided by the old click
    assert TaskState.objects.filter(pk=task_state.pk, status="approved").count() == 1


def _submit_again(site, page):
    logged_in(site.w.editor_a).post(reverse("wagtailadmin_pages:edit", args=(page.pk,)),
                                    {**notice_form("电梯维保通知（更正）", slug=page.slug), "action-submit": "1"})
    state = WorkflowState.objects.for_instance(NoticePage.objects.get(pk=page.pk)).get(
        status=WorkflowState.STATUS_IN_PROGRESS)
    return state.current_task_state
