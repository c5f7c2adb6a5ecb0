"""Background work of the published site: scheduled publishing, handbook PDFs
and acknowledgement requests/reminders. Every task takes ids and is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command


@shared_task(acks_late=True)
def publish_scheduled_pages() -> None:
    """Wagtail's publish_scheduled, every minute from beat: approved pages whose
    go-live time has come go live, expired ones are unpublished. It only acts
    on rows whose time has passed, so a second run finds nothing to do."""
    call_command("publish_scheduled", verbosity=0)


@shared_task(acks_late=True, time_limit=240, soft_time_limit=200)
def handbook_render_pdf(edition_id: int, language: str | None = None) -> None:
    """One language's PDF of the edition (a message queued before there
    were two carries none: the Chinese)."""
    from .handbook import handbook_edition_render

    handbook_edition_render(edition_id, language)


@shared_task(acks_late=True)
def handbook_send_ack_requests(edition_id: int) -> int:
    from .handbook import handbook_ack_requests_send

    return handbook_ack_requests_send(edition_id)


@shared_task(acks_late=True)
def handbook_ack_reminders() -> int:
    """Daily: remind signatories of tenants that have not acknowledged the
    latest edition that needs it."""
    from .handbook import handbook_ack_reminders_send

    return handbook_ack_reminders_send()


@shared_task(acks_late=True)
def handbook_pdf_sweep() -> int:
    """Re-queue editions whose PDF is still missing a while after issue."""
    from .handbook import handbook_pdf_requeue_missing

    return handbook_pdf_requeue_missing()


@shared_task(acks_late=True, time_limit=120, soft_time_limit=90)
def fee_notice_render(notice_id: int, language: str | None = None) -> None:
    """One language's PDF of the notice (none: the Chinese, as queued before
    there were two)."""
    from .fee_notices import fee_notice_make

    fee_notice_make(notice_id, language)


@shared_task(acks_late=True)
def fee_notices_refresh_task(index_ids: list[int] | None = None) -> int:
    """On publishing a fee schedule, and daily just after midnight: a
    schedule whose effective date has come gets its printable notice."""
    from .fee_notices import fee_notices_refresh

    return len(fee_notices_refresh(index_ids=index_ids))
