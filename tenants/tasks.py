"""Scheduled work of the tenants app. Tasks take ids (or nothing), call a
service, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

SWEEP_TASK_NAME = "tenants.tasks.sweep_request_deadlines"


@shared_task(name=SWEEP_TASK_NAME, acks_late=True)
def sweep_request_deadlines() -> dict:
    from tenants.services.deadlines import request_deadlines_sweep

    return request_deadlines_sweep()


EXPIRY_TASK_NAME = "tenants.tasks.remind_expiring_documents"


@shared_task(name=EXPIRY_TASK_NAME, acks_late=True)
def remind_expiring_documents() -> int:
    from tenants.services.archive import document_expiry_reminders

    return document_expiry_reminders()


PURGE_TASK_NAME = "tenants.tasks.purge_call_recordings"


@shared_task(name=PURGE_TASK_NAME, acks_late=True)
def purge_call_recordings() -> int:
    from tenants.services.imports import import_uploads_cleanup
    from tenants.services.recordings import recordings_purge

    # The same nightly run drops import previews nobody confirmed: both are
    # personal data kept no longer than needed.
    import_uploads_cleanup()
    return recordings_purge()


HOLD_EXPIRY_TASK_NAME = "tenants.tasks.release_expired_recording_holds"


@shared_task(name=HOLD_EXPIRY_TASK_NAME, acks_late=True)
def release_expired_recording_holds() -> int:
    from tenants.services.recordings import recording_holds_expire

    return recording_holds_expire()


@shared_task(name="tenants.tasks.reindex_imported", acks_late=True)
def reindex_imported(model_label: str, ids: list[int]) -> int:
    from tenants.search_index import reindex

    return reindex(model_label, ids)


# The imports' tasks may run longer than the default limits: writing 20,000
# rows took 4-5 minutes on a loaded 2-core machine. The hard limit is the
# longest any task may have (ATRIUM_LONGEST_TASK_SECONDS, below the broker's
# visibility timeout: portal/settings/recovery.py).
IMPORT_SOFT_LIMIT, IMPORT_HARD_LIMIT = settings.ATRIUM_LONGEST_TASK_SECONDS - 60, settings.ATRIUM_LONGEST_TASK_SECONDS


@shared_task(name="tenants.tasks.run_import_job", acks_late=True, soft_time_limit=IMPORT_SOFT_LIMIT,
             time_limit=IMPORT_HARD_LIMIT)
def run_import_job(job_id: int) -> str:
    from tenants.services.imports import import_job_run

    return import_job_run(job_id=job_id)


@shared_task(name="tenants.tasks.preview_import_job", acks_late=True, soft_time_limit=IMPORT_SOFT_LIMIT,
             time_limit=IMPORT_HARD_LIMIT)
def preview_import_job(job_id: int) -> str:
    from tenants.services.imports import import_job_preview

    return import_job_preview(job_id=job_id)


# The feedback board's tasks live with the board; imported here so that the
# worker's autodiscovery (one `tasks` module per app) registers them.
from tenants.feedback.tasks import notify_reply_published  # noqa: E402, F401
