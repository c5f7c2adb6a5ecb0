"""R18 (4.16): someone who is both web editor and web reviewer at a centre
cannot approve a page they wrote; another reviewer still can."""

import re
from html import unescape

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from portal.models import NoticePage, Role
from portal.models.audit import AuditEvent
from tests.base import logged_in, make_staff
from tests.factories import StaffMembershipFactory

from .site import notice_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(site):
    """The centre's editor, made its reviewer too."""
    w = site.w
    StaffMembershipFactory(user=w.editor_a, centre=w.centre_a, operator=w.operator, role=Role.WEB_REVIEWER)
    return w.editor_a


def _submit(user, site, slug):
    logged_in(user).post(reverse("wagtailadmin_pages:add", args=("portal", "noticepage", site.bulletin_a.pk)),
                         {**notice_form("电梯维保通知", slug=slug), "action-submit": "1"})
    page = NoticePage.objects.get(slug=slug)
    state = WorkflowState.objects.for_instance(page).get(status=WorkflowState.STATUS_IN_PROGRESS)
    return page, state.current_task_state


def test_the_author_is_not_offered_approve_and_a_forged_post_is_refused_and_audited(site, both):
    page, task_state = _submit(both, site, "lift")
    task = task_state.task.specific
    assert task.groups.filter(user=both).exists()  # a reviewer of the centre indeed
    assert [a[0] for a in task.get_actions(page, both)] == ["reject"]
    edit = logged_in(both).get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).content.decode()
    assert 'data-workflow-action-name="reject"' in edit and 'data-workflow-action-name="approve"' not in edit

    client = logged_in(both)
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))
    response = client.post(url, {"comment": ""}, follow=True)
    page.refresh_from_db()
    assert not page.live
    assert "另一位审核人" in response.content.decode()
    # The edit view's own approve button, forged (the form unchanged).
    _approve_in_editor(both, page, "电梯维保通知")
    page.refresh_from_db()
    assert not page.live
    assert AuditEvent.objects.filter(action="pages.self_approval_refused", actor=both).count() == 2

    # Another reviewer of the centre approves it as before.
    assert [a[0] for a in task.get_actions(page, site.reviewer_a)] == ["reject", "approve", "approve"]
    logged_in(site.reviewer_a).post(url, {"comment": "同意发布"})
    page.refresh_from_db()
    assert page.live


def test_the_task_itself_refuses_its_author_whoever_calls_it(site, both):
    from django.core.exceptions import PermissionDenied

    page, task_state = _submit(site.w.editor_a, site, "water")
    with pytest.raises(PermissionDenied):
        task_state.task.specific.on_action(task_state, both, "approve")
    page.refresh_from_db()
    assert not page.live


def test_the_person_with_both_roles_still_approves_someone_elses_page(site, both):
    writer = make_staff("writer@a.test", site.w.centre_a, Role.WEB_EDITOR)
    page, task_state = _submit(writer, site, "gas")
    assert "approve" in [a[0] for a in task_state.task.specific.get_actions(page, both)]
    logged_in(both).post(reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)),
                         {"comment": ""})
    page.refresh_from_db()
    assert page.live


def test_the_author_cannot_skip_the_review_with_the_publish_button(site, both):
    page, _state = _submit(both, site, "lift")
    client = logged_in(both)
    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    assert 'name="action-publish"' not in client.get(edit_url).content.decode()
    response = client.post(edit_url, {**notice_form("电梯维保通知", slug="lift"), "action-publish": "1"}, follow=True)
    page.refresh_from_db()
    assert not page.live and "另一位审核人" in response.content.decode()
    # Nor when creating a page: whoever creates it wrote it.
    add_url = reverse("wagtailadmin_pages:add", args=("portal", "noticepage", site.bulletin_a.pk))
    assert 'name="action-publish"' not in client.get(add_url).content.decode()
    client.post(add_url, {**notice_form("燃气检修通知", slug="gas-now"), "action-publish": "1"})
    assert not NoticePage.objects.filter(slug="gas-now", live=True).exists()
    assert AuditEvent.objects.filter(action="pages.self_approval_refused", actor=both).count() == 2


def test_a_reviewer_who_did_not_write_the_page_keeps_the_publish_button(site):
    page, _state = _submit(site.w.editor_a, site, "lift")
    html = logged_in(site.reviewer_a).get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).content.decode()
    assert 'name="action-publish"' in html and 'data-workflow-action-name="approve"' in html


def _approve_in_editor(user, page, title):
    """The editor's approve button, with the body as the editor rendered it
    (Draftail posts back the block keys it was given: an untouched body is
    no change)."""
    client = logged_in(user)
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    body = unescape(re.search(r'name="body" value="([^"]*)"', client.get(url).content.decode()).group(1))
    return client.post(url, {**notice_form(title, slug=page.slug, body=body), "action-workflow-action": "1",
                             "workflow-action-name": "approve"}, follow=True)


def test_a_reviewer_who_edits_while_approving_keeps_the_edit_and_is_told_why_it_is_not_approved(site):
    page, task_state = _submit(site.w.editor_a, site, "lift")
    response = _approve_in_editor(site.reviewer_a, page, "电梯维保通知（时间已更正）")
    html = response.content.decode()
    # Not Wagtail's "no permission" on the dashboard: the editor again, and why.
    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_pages:edit", args=(page.pk,))
    assert "您修改了此页面内容，按规定不能批准自己修改的版本：修改已保存，请交由其他审核人批准。" in html
    assert "没有权限" not in html
    page.refresh_from_db()
    assert not page.live
    latest = page.get_latest_revision()
    assert latest.user == site.reviewer_a and latest.as_object().title == "电梯维保通知（时间已更正）"
    assert AuditEvent.objects.filter(action="pages.self_approval_refused", actor=site.reviewer_a).exists()

    # The step awaits a decision on the edited version; another reviewer's one approval publishes it.
    step = NoticePage.objects.get(pk=page.pk).current_workflow_task_state
    assert step.status == "in_progress" and step.revision_id == latest.pk
    second = make_staff("reviewer2@a.test", site.w.centre_a, Role.WEB_REVIEWER)
    assert "approve" not in [a[0] for a in step.task.specific.get_actions(page, site.reviewer_a)]
    logged_in(second).post(reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", step.pk)),
                           {"comment": ""})
    page.refresh_from_db()
    assert page.live and page.title == "电梯维保通知（时间已更正）"


def test_a_reviewer_whose_edit_was_saved_before_the_click_is_told_the_same(site):
    page, task_state = _submit(site.w.editor_a, site, "lift")
    edited = NoticePage.objects.get(pk=page.pk)
    edited.title = "电梯维保通知（自动保存）"
    edited.save_revision(user=site.reviewer_a)  # what the editor's autosave does while they type
    html = _approve_in_editor(site.reviewer_a, page, "电梯维保通知（自动保存）").content.decode()
    assert "修改已保存，请交由其他审核人批准" in html
    page = NoticePage.objects.get(pk=page.pk)
    step = page.current_workflow_task_state
    assert not page.live and step.pk != task_state.pk  # the step started again, on the edited version
    assert step.revision_id == page.get_latest_revision().pk and step.revision.user == site.reviewer_a


def test_a_reviewer_who_approves_without_editing_still_approves_in_the_editor(site):
    page, _state = _submit(site.w.editor_a, site, "lift")
    _approve_in_editor(site.reviewer_a, page, "电梯维保通知")
    page.refresh_from_db()
    assert page.live


def test_the_author_approving_in_the_editor_keeps_the_edit_and_gets_the_message(site, both):
    page, _state = _submit(both, site, "lift")
    html = _approve_in_editor(both, page, "电梯维保通知（补充）").content.decode()
    assert "修改已保存，请交由其他审核人批准" in html and "没有权限" not in html
    page.refresh_from_db()
    assert not page.live and page.get_latest_revision().as_object().title == "电梯维保通知（补充）"
    html = _approve_in_editor(both, page, "电梯维保通知（补充）").content.decode()  # nothing changed this time
    assert "另一位审核人" in html and not NoticePage.objects.get(pk=page.pk).live


def test_the_author_in_the_approve_modal_gets_the_message_not_a_broken_modal(site, both):
    page, task_state = _submit(both, site, "lift")
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))
    client = logged_in(both)
    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    for response in (client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest"),
                     client.post(url, {"comment": "同意"}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")):
        # The modal closes and opens the editor, where the message waits.
        assert response.status_code == 200 and response.json() == {"step": "success", "redirect": edit_url}
    assert "另一位审核人" in client.get(edit_url).content.decode()
    page.refresh_from_db()
    assert not page.live
