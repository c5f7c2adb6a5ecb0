"""Scheduled publishing works in the embedded default: beat runs publish_scheduled."""

from datetime import timedelta
from unittest import mock

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from wagtail.models import Revision, WorkflowState

from portal.models import NoticePage
from portal.pages.tasks import publish_scheduled_pages

from .site import notice_form


def test_beat_runs_the_publisher_every_minute(db):
    task = PeriodicTask.objects.get(task="portal.pages.tasks.publish_scheduled_pages")
    assert task.enabled and task.interval.every == 1 and task.interval.period == "minutes"


def test_an_approved_notice_goes_live_at_its_time_and_not_before(site):
    editor = Client()
    editor.force_login(site.w.editor_a)
    go_live = timezone.localtime() + timedelta(hours=2)
    data = notice_form("元旦活动预告", slug="new-year", audience="public", go_live_at=go_live.strftime("%Y-%m-%d %H:%M"))
    editor.post(reverse("wagtailadmin_pages:add", args=("portal", "noticepage", site.bulletin_a.pk)), {**data, "action-submit": "1"})
    page = NoticePage.objects.get(slug="new-year")
    task_state = WorkflowState.objects.for_instance(page).get(status="in_progress").current_task_state
    reviewer = Client()
    reviewer.force_login(site.reviewer_a)
    reviewer.post(reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)), {"comment": ""})

    page.refresh_from_db()
    assert not page.live
    scheduled = Revision.page_revisions.filter(object_id=str(page.pk), approved_go_live_at__isnull=False).get()
    publish_scheduled_pages()  # too early: nothing happens
    page.refresh_from_db()
    assert not page.live

    assert scheduled.approved_go_live_at > timezone.now()
    later = timezone.now() + timedelta(hours=2, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        publish_scheduled_pages()
    page.refresh_from_db()
    assert page.live
    assert Client().get(page.url).status_code == 200
    publish_scheduled_pages()  # a second run finds nothing to do
    assert NoticePage.objects.get(pk=page.pk).live


def test_an_unapproved_scheduled_draft_is_never_published(site):
    editor = Client()
    editor.force_login(site.w.editor_a)
    past = (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M")
    data = notice_form("未审核的通知", slug="unreviewed", audience="public", go_live_at=past)
    editor.post(reverse("wagtailadmin_pages:add", args=("portal", "noticepage", site.bulletin_a.pk)), data)
    publish_scheduled_pages()
    assert not NoticePage.objects.get(slug="unreviewed").live
