"""A record through Wagtail's workflow engine as a person takes it: a draft
with its first revision, submitted, then decided step by step (letters,
feedback replies, the board's telephone block)."""

from django.test import TestCase


def save_draft(obj, drafter):
    obj.save()
    obj.save_revision(user=drafter)
    return obj


def submit(obj, user):
    # Tests run inside a transaction; run what would happen on commit
    # (notifications, stamping) as the real commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        obj.get_workflow().start(obj, user)
    obj.refresh_from_db()
    return obj


def decide(obj, user, action="approve", comment=""):
    obj.refresh_from_db()
    task_state = obj.current_workflow_state.current_task_state
    kwargs = {"comment": comment} if comment else {}
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_state.task.specific.on_action(task_state, user, action, **kwargs)
    obj.refresh_from_db()
    return obj
