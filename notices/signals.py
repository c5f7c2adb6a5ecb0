"""Wagtail's workflow engine drives the approval chain; these receivers turn its
steps into the letter's status, audit events, notifications and stamping."""

from django.db import transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils import timezone
from wagtail.signals import (
    task_approved,
    task_rejected,
    task_submitted,
    workflow_approved,
    workflow_cancelled,
    workflow_rejected,
    workflow_submitted,
)

from notices.models import Letter, LetterStatus


def _letter_of(workflow_state):
    obj = workflow_state.content_object
    return obj if isinstance(obj, Letter) else None


@receiver(workflow_submitted)
def on_submitted(sender, instance, user=None, **kwargs):
    letter = _letter_of(instance)
    if letter:
        from notices.services.letters import letter_mark

        letter_mark(letter.pk, LetterStatus.IN_APPROVAL, action="letter.submitted", actor=user)


@receiver(task_submitted)
def on_task_submitted(sender, instance, user=None, **kwargs):
    letter = _letter_of(instance.workflow_state)
    if letter:
        from notices.tasks import notify_approvers

        task_state_id = instance.pk
        transaction.on_commit(lambda: notify_approvers.delay(task_state_id))


_TASK_DECISIONS = {task_approved: "letter.approved", task_rejected: "letter.rejected"}


@receiver([task_approved, task_rejected])
def on_task_decided(sender, instance, signal, user=None, **kwargs):
    letter = _letter_of(instance.workflow_state)
    if letter:
        from portal.audit import audit_record

        audit_record(actor=user, action=_TASK_DECISIONS[signal], obj=letter,
                     details={"task": instance.task.name, "comment": instance.comment})


@receiver(workflow_rejected)
def on_rejected(sender, instance, user=None, **kwargs):
    letter = _letter_of(instance)
    if letter:
        from notices.services.letters import letter_mark
        from notices.tasks import notify_drafter_rejected

        letter_mark(letter.pk, LetterStatus.DRAFT, action="letter.returned", actor=user)
        # Wagtail would resume a rejected chain at the step that rejected it;
        # 4.8.4 wants a returned letter to start again from the leader. Closing
        # this run makes the drafter's next submission a fresh chain.
        instance.cancel(user=user)
        workflow_state_id = instance.pk
        transaction.on_commit(lambda: notify_drafter_rejected.delay(workflow_state_id))


@receiver(workflow_cancelled)
def on_cancelled(sender, instance, user=None, **kwargs):
    letter = _letter_of(instance)
    if letter and not instance.task_states.filter(status="rejected").exists():
        from notices.services.letters import letter_mark

        letter_mark(letter.pk, LetterStatus.DRAFT, action="letter.withdrawn", actor=user)


@receiver(workflow_approved)
def on_approved(sender, instance, user=None, **kwargs):
    letter = _letter_of(instance)
    if letter:
        from notices.services.letters import letter_mark, letter_queue_stamping

        letter_mark(letter.pk, LetterStatus.APPROVED, action="letter.chain_completed", actor=user)
        Letter.objects.filter(pk=letter.pk).update(stamping_started_at=timezone.now())
        letter_queue_stamping(letter.pk)


@receiver(post_migrate)
def ensure_workflow(sender, app_config=None, **kwargs):
    if app_config is not None and app_config.label == "notices":
        from notices.services.letters import ensure_letter_workflow

        ensure_letter_workflow()
