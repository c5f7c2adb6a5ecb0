from django.db.models.signals import post_delete, post_save

from tenants.search_index import on_tenant_deleted, on_tenant_saved

post_save.connect(on_tenant_saved, sender="tenants.Tenant", dispatch_uid="tenants.index_tenant_saved")
post_delete.connect(on_tenant_deleted, sender="tenants.Tenant", dispatch_uid="tenants.index_tenant_deleted")

# The feedback board's workflows (tenants.feedback.workflows): set up after
# migrate, audited at each step, and a reply's publication announced.
from django.db.models.signals import post_migrate  # noqa: E402
from django.dispatch import receiver  # noqa: E402
from wagtail.signals import (  # noqa: E402
    published,
    task_approved,
    task_rejected,
    task_submitted,
    workflow_cancelled,
    workflow_rejected,
    workflow_submitted,
)


@receiver(post_migrate, dispatch_uid="tenants.board_workflows")
def ensure_board_workflows(sender, app_config=None, **kwargs):
    if app_config is not None and app_config.label == "tenants":
        from tenants.feedback.workflows import ensure_board_workflows as ensure

        ensure()


_BOARD_STEPS = {workflow_submitted: "submitted", workflow_cancelled: "withdrawn", workflow_rejected: "returned"}


@receiver([workflow_submitted, workflow_cancelled, workflow_rejected], dispatch_uid="tenants.board_workflow_steps")
def board_workflow_step(sender, instance, signal, user=None, **kwargs):
    from tenants.feedback.workflows import audit_step, board_object

    obj = board_object(instance.content_object)
    if obj is not None:
        audit_step(obj, _BOARD_STEPS[signal], user)


@receiver([task_approved, task_rejected], dispatch_uid="tenants.board_task_steps")
def board_task_step(sender, instance, signal, user=None, **kwargs):
    from tenants.feedback.workflows import audit_step, board_object

    obj = board_object(instance.workflow_state.content_object)
    if obj is not None:
        audit_step(obj, "approved" if signal is task_approved else "rejected", user,
                   {"task": instance.task.name, "comment": instance.comment})


@receiver(published, dispatch_uid="tenants.board_published")
def board_published(sender, instance, revision=None, user=None, **kwargs):
    from tenants.feedback.workflows import on_published

    on_published(instance, user=user)


@receiver(task_submitted, dispatch_uid="tenants.board_task_submitted")
def board_task_submitted(sender, instance, user=None, **kwargs):
    from django.db import transaction

    from tenants.feedback.tasks import notify_board_reviewers
    from tenants.feedback.workflows import board_object

    if board_object(instance.workflow_state.content_object) is not None:
        task_state_id = instance.pk
        transaction.on_commit(lambda: notify_board_reviewers.delay(task_state_id))
