from celery import shared_task

from .services import letter_stamp, letters_stuck_in_stamping


@shared_task(acks_late=True, time_limit=120, soft_time_limit=90)
def stamp_letter_task(letter_id: int) -> str:
    return letter_stamp(letter_id=letter_id).status


@shared_task
def sweep_stuck_letters() -> int:
    """Re-queue letters whose stamping worker died half-way (acks_late covers a
    killed worker; this covers a lost message)."""
    count = 0
    for letter_id in letters_stuck_in_stamping().values_list("pk", flat=True):
        stamp_letter_task.delay(letter_id)
        count += 1
    return count


@shared_task(acks_late=True)
def notify_approvers(task_state_id: int) -> int:
    """Email the people who can decide the step a letter has just reached."""
    from .notifications import send_approval_request

    return send_approval_request(task_state_id)


@shared_task(acks_late=True)
def notify_drafter_rejected(workflow_state_id: int) -> int:
    from .notifications import send_returned_to_drafter

    return send_returned_to_drafter(workflow_state_id)
