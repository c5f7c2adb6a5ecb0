"""The board's worker tasks: take ids, call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def notify_reply_published(reply_id: int) -> bool:
    from tenants.feedback.notify import reply_published_email

    return reply_published_email(reply_id)


@shared_task(acks_late=True)
def notify_board_reviewers(task_state_id: int) -> bool:
    from tenants.feedback.notify import review_request_email

    return review_request_email(task_state_id)
