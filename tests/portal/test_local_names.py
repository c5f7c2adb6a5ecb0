"""Workflow, task and group names stored in both languages are shown in the
reader's language only, and stay what they are for lookups and saving."""

import pytest
from django.contrib.auth.models import Group
from django.template import Context, Template
from django.utils import translation
from wagtail.models import GroupApprovalTask, Workflow


@pytest.mark.django_db
def test_a_bilingual_name_is_shown_in_the_readers_language_and_stored_unchanged():
    workflow = Workflow.objects.create(name="发文审批 Letter approval")
    task = GroupApprovalTask.objects.create(name="网站审核 Web reviewer · A")
    group = Group.objects.create(name="网站编辑 Web editor · A")
    workflow.save()
    with translation.override("en"):
        assert str(Workflow.objects.get(pk=workflow.pk).name) == "Letter approval"
        assert f"{GroupApprovalTask.objects.get(pk=task.pk).name}" == "Web reviewer · A"
        assert Template("{{ g.name }}").render(Context({"g": group})) == "Web editor · A"
        assert "%s" % task.task_ptr.name == "Web reviewer · A"  # noqa: UP031 (as gettext strings are formatted)
    with translation.override("zh-hans"):
        assert str(workflow.name) == "发文审批"
        assert str(task.name) == "网站审核 · A"
        assert str(Workflow.objects.get(name="Moderators approval").name) == "审核员审批"  # Wagtail's migration
    assert Workflow.objects.filter(name="发文审批 Letter approval").exists()
    assert workflow.name == "发文审批 Letter approval"


def test_a_name_in_one_language_is_shown_as_it_is():
    with translation.override("en"):
        assert str(Workflow(name="自定义流程").name) == "自定义流程"
