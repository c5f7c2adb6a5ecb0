"""4.16: nothing reaches the site without the centre's web reviewer."""

from django.test import Client
from django.urls import reverse
from wagtail.models import Page, WorkflowState

from portal.models import NoticePage
from tests.base import logged_in

from .site import notice_form


def _add_url(parent):
    return reverse("wagtailadmin_pages:add", args=("portal", "noticepage", parent.pk))


def test_an_editor_cannot_publish_a_notice_alone(site):
    editor = logged_in(site.w.editor_a)
    response = editor.post(_add_url(site.bulletin_a), {**notice_form("停车场改造通知", slug="parking"), "action-publish": "1"})
    assert response.status_code in (200, 302, 403)
    page = NoticePage.objects.filter(slug="parking").first()
    assert page is None or not page.live
    # Saved as a draft instead, and editing it with "publish" changes nothing either.
    editor.post(_add_url(site.bulletin_a), notice_form("停车场改造通知", slug="parking"))
    page = NoticePage.objects.get(slug="parking")
    assert not page.live
    editor.post(reverse("wagtailadmin_pages:edit", args=(page.pk,)), {**notice_form("停车场改造通知", slug="parking"), "action-publish": "1"})
    page.refresh_from_db()
    assert not page.live


def test_the_reviewer_of_the_centre_approves_and_the_notice_goes_live(site):
    editor = logged_in(site.w.editor_a)
    editor.post(_add_url(site.bulletin_a), {**notice_form("电梯维保通知", slug="lift"), "action-submit": "1"})
    page = NoticePage.objects.get(slug="lift")
    assert not page.live
    state = WorkflowState.objects.for_instance(page).get(status=WorkflowState.STATUS_IN_PROGRESS)
    task_state = state.current_task_state

    # Another centre's reviewer is not this page's reviewer.
    other = logged_in(site.reviewer_b)
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))
    other.post(url, {"comment": ""})
    page.refresh_from_db()
    assert not page.live

    # Neither is the editor who submitted it.
    editor.post(url, {"comment": ""})
    page.refresh_from_db()
    assert not page.live

    reviewer = logged_in(site.reviewer_a)
    response = reviewer.post(url, {"comment": "同意发布"})
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live
    assert page.get_latest_revision().user == site.w.editor_a


def test_an_editor_of_one_centre_cannot_add_pages_to_another(site):
    response = logged_in(site.editor_b).post(_add_url(site.bulletin_a), {**notice_form("越权通知", slug="foreign"), "action-submit": "1"})
    assert response.status_code in (302, 403)
    assert not NoticePage.objects.filter(slug="foreign").exists()


def test_staff_without_a_web_role_cannot_edit_pages(site):
    for user in (site.w.ops_a, site.w.leader_a, site.w.signer_a):
        response = logged_in(user).get(reverse("wagtailadmin_pages:edit", args=(site.public_notice.pk,)))
        assert response.status_code in (302, 403), user


def test_every_centre_page_is_under_its_review_workflow(site):
    for page in (site.public_notice, site.handbook_a, site.chapters[0], site.fees_a, site.home_b):
        workflow = Page.objects.get(pk=page.pk).get_workflow()
        assert workflow is not None and workflow.active
        task = workflow.tasks.get().specific
        assert [g.name for g in task.groups.all()] == [f"网站审核 Web reviewer · {page.specific.centre.code}"]


def test_a_centre_site_can_be_made_on_a_database_without_wagtails_roots(world):
    """What a flushed test database or a partial restore looks like."""
    from wagtail.models import Collection, Locale, Site

    from portal.pages.site import centre_site_ensure

    Site.objects.all().delete()
    Page.objects.all().delete()
    Collection.objects.all().delete()
    Locale.objects.all().delete()
    home = centre_site_ensure(world.centre_a)
    assert home.live and home.get_workflow() is not None
    assert Site.objects.get(is_default_site=True).root_page_id == home.get_parent().pk
    assert Client().get(home.url).status_code == 200
