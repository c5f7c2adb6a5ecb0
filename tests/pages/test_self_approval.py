"""R18 (4.16): someone who is both web editor and web reviewer at a centre
cannot approve a page they wrote; another reviewer still can."""

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
    # The edit view's own approve button, forged.
    client.post(reverse("wagtailadmin_pages:edit", args=(page.pk,)),
                {**notice_form("电梯维保通知", slug="lift"), "action-workflow-action": "1",
                 "workflow-action-name": "approve"})
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
