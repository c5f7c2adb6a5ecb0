"""A reviewer who saves a draft while the page is in review.

Pages are approved as revisions (WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT):
Wagtail keeps the step on the version it started with, so the next reviewer's
approval counted for the version before the draft and only started the step
again: they had to approve twice. The step now starts again when the draft is
saved, on that version, and one approval publishes exactly it."""

import pytest
from django.urls import reverse
from wagtail.models import TaskState

from portal.models import NoticePage, Role
from tests.base import logged_in, make_staff

from .site import notice_form
from .test_self_approval import _submit

pytestmark = pytest.mark.django_db


def _save_draft(user, page, title, **form):
    """The editor's "save draft" (no action key: Wagtail's plain save)."""
    return logged_in(user).post(reverse("wagtailadmin_pages:edit", args=(page.pk,)),
                                notice_form(title, slug=page.slug, **form), follow=True)


def _approve(user, page):
    step = NoticePage.objects.get(pk=page.pk).current_workflow_task_state
    return logged_in(user).post(reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", step.pk)),
                                {"comment": ""})


def test_one_approval_publishes_the_draft_a_reviewer_saved_during_review(site):
    page, first_step = _submit(site.w.editor_a, site, "lift")
    response = _save_draft(site.reviewer_a, page, "电梯维保通知（时间已更正）")
    assert response.status_code == 200

    page = NoticePage.objects.get(pk=page.pk)
    draft = page.get_latest_revision()
    assert draft.user == site.reviewer_a and draft.as_object().title == "电梯维保通知（时间已更正）"
    step = page.current_workflow_task_state
    # The step awaits a decision on the draft, not on the version it started with.
    assert step.status == TaskState.STATUS_IN_PROGRESS and step.revision_id == draft.pk
    assert TaskState.objects.get(pk=first_step.pk).status == TaskState.STATUS_CANCELLED

    # The reviewer who wrote the draft may not approve it; another reviewer does, once.
    assert "approve" not in [a[0] for a in step.task.specific.get_actions(page, site.reviewer_a)]
    second = make_staff("reviewer2@a.test", site.w.centre_a, Role.WEB_REVIEWER)
    _approve(second, page)
    page.refresh_from_db()
    assert page.live and page.title == "电梯维保通知（时间已更正）"


def test_a_second_draft_restarts_the_step_again_and_one_approval_still_publishes(site):
    page, _step = _submit(site.w.editor_a, site, "lift")
    _save_draft(site.reviewer_a, page, "电梯维保通知（一）")
    _save_draft(site.reviewer_a, page, "电梯维保通知（二）")
    page = NoticePage.objects.get(pk=page.pk)
    assert page.current_workflow_task_state.revision_id == page.get_latest_revision().pk
    assert page.workflow_states.get().task_states.filter(status=TaskState.STATUS_IN_PROGRESS).count() == 1
    _approve(make_staff("reviewer2@a.test", site.w.centre_a, Role.WEB_REVIEWER), page)
    page.refresh_from_db()
    assert page.live and page.title == "电梯维保通知（二）"


def test_the_editors_autosave_restarts_the_step_once_not_at_every_save(site):
    page, _step = _submit(site.w.editor_a, site, "lift")
    client = logged_in(site.reviewer_a)
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    first = client.post(url, notice_form("电梯维保通知（修改中）", slug=page.slug), HTTP_ACCEPT="application/json").json()
    assert first["success"]
    step = NoticePage.objects.get(pk=page.pk).current_workflow_task_state
    assert step.revision_id == first["revision_id"]
    # The session's next autosaves overwrite its own draft: the same version, the same step.
    again = client.post(url, {**notice_form("电梯维保通知（修改完成）", slug=page.slug),
                              "overwrite_revision_id": first["revision_id"]}, HTTP_ACCEPT="application/json").json()
    assert again["success"] and again["revision_id"] == first["revision_id"]
    assert NoticePage.objects.get(pk=page.pk).current_workflow_task_state.pk == step.pk
    _approve(make_staff("reviewer2@a.test", site.w.centre_a, Role.WEB_REVIEWER), page)
    page.refresh_from_db()
    assert page.live and page.title == "电梯维保通知（修改完成）"


def test_a_draft_saved_outside_a_review_starts_nothing(site):
    page = site.public_notice
    _save_draft(site.w.editor_a, page, "国庆营业时间调整（草稿）", audience="public")
    page = NoticePage.objects.get(pk=page.pk)
    assert page.current_workflow_state is None and page.has_unpublished_changes
