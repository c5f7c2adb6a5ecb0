"""The board's two approval workflows, and what their steps do.

A reply is approved by the department responsible for its request; the
telephone block by a leader. Both are Wagtail workflows on snippets, as the
letters are: the engine keeps the steps, these receivers audit them and
turn a reply's publication into the poster's answer."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Workflow, WorkflowContentType, WorkflowTask

from portal.audit import audit_record
from tenants.feedback.approval import Approver, BoardApprovalTask
from tenants.feedback.models import FeedbackReply, PhoneBlock

REPLY_WORKFLOW = "留言回复审核 Feedback reply review"
REPLY_TASK = "责任部门审核 Responsible department review"
PHONE_WORKFLOW = "留言板电话审批 Board telephone approval"
PHONE_TASK = "领导授权 Leader authorisation"


def ensure_board_workflows() -> None:
    """Idempotent: run after every migrate."""
    for model, workflow_name, task_name, approver in (
        (FeedbackReply, REPLY_WORKFLOW, REPLY_TASK, Approver.DEPARTMENT),
        (PhoneBlock, PHONE_WORKFLOW, PHONE_TASK, Approver.LEADER),
    ):
        workflow, _created = Workflow.objects.get_or_create(name=workflow_name, defaults={"active": True})
        task = BoardApprovalTask.objects.filter(name=task_name).first()
        if task is None:
            task = BoardApprovalTask.objects.create(name=task_name, approver=approver, active=True)
        WorkflowTask.objects.update_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
        WorkflowContentType.objects.update_or_create(
            content_type=ContentType.objects.get_for_model(model), defaults={"workflow": workflow}
        )


def board_object(obj):
    return obj if isinstance(obj, (FeedbackReply, PhoneBlock)) else None


def _label(obj) -> str:
    return "feedback.reply" if isinstance(obj, FeedbackReply) else "feedback.phones"


def audit_step(obj, step: str, user, details: dict | None = None) -> None:
    audit_record(actor=user, action=f"{_label(obj)}_{step}", obj=obj, details=details or {})


def on_published(obj, user=None) -> None:
    if isinstance(obj, FeedbackReply):
        from tenants.feedback.services import reply_announce

        reply_id = obj.pk
        audit_step(obj, "published", user, {"post": obj.post_id})
        transaction.on_commit(lambda: reply_announce(reply_id))
    elif isinstance(obj, PhoneBlock):
        audit_step(obj, "published", user, {"centre": obj.centre_id})
