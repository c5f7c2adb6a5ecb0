"""Deciding a step of a board workflow: under the record's row lock, so that
of two approvers pressing at once one decides and the other is refused."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import TaskState

from portal.decided_task import StepAlreadyDecided


class BoardError(Exception):
    """The board cannot change this way now; the message says why."""


class BoardStepDecided(BoardError, StepAlreadyDecided):
    """Another approver decided the reply's or telephone block's step first."""


def board_task_decide(*, task_state: TaskState, user, action: str, **kwargs) -> None:
    if action not in ("approve", "reject"):
        raise PermissionDenied(_("Unknown decision."))
    with transaction.atomic():
        state = TaskState.objects.select_related("workflow_state", "task").get(pk=task_state.pk)
        obj = state.workflow_state.content_object
        type(obj).objects.select_for_update(of=("self",)).filter(pk=obj.pk).first()
        if not state.task.specific.user_may_decide(obj, user):
            raise PermissionDenied(_("You may not decide this step."))
        if state.status != TaskState.STATUS_IN_PROGRESS:
            raise BoardStepDecided(_("This step was already decided."))
        state = state.specific
        if action == "approve":
            state.approve(user=user, **kwargs)
        else:
            state.reject(user=user, **kwargs)
