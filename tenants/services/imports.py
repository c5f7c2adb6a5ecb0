"""Importing a sheet, off the request path: the upload stores the file and
queues its check (a dry run, in a Celery task, counting rows for the admin
to show); the confirmation claims the job once and queues the import, which
writes every row or none, with the centres the user may import into at the
time it runs."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from tenants.imports.resources import RESOURCES
from tenants.imports.running import ImportOutcome, run_import
from tenants.imports.sheets import ImportFileError, read_sheet, sniff_format
from tenants.models import ImportJob
from tenants.selectors.directory import archive_centres_editable_by

log = logging.getLogger(__name__)

JOB_LIFETIME = timedelta(hours=24)
# The rows with errors kept to show; the count of them all is in the totals.
PROBLEMS_KEPT = 200
Status = ImportJob.Status


class ImportJobError(Exception):
    """The import cannot be confirmed now; the message says why."""


class _Replaced(Exception):
    """The job is gone (its owner uploaded another file): stop checking it."""


def import_job_upload(*, actor, resource: str, upload, request=None) -> ImportJob:
    """Store the file and queue its check; ImportFileError if it is plainly
    not a spreadsheet (the rest is found by the check)."""
    from tenants.tasks import preview_import_job

    data = upload.read()
    fmt = sniff_format(data)
    with transaction.atomic():
        # One pending import per user: older ones that were not confirmed go.
        for old in ImportJob.objects.filter(user=actor, status__in=[Status.PREVIEWING, Status.PREVIEWED,
                                                                    Status.REJECTED]):
            old.file.delete(save=False)
            old.delete()
        job = ImportJob(token=uuid.uuid4().hex, user=actor, resource=resource, file_format=fmt,
                        original_name=(upload.name or "")[:255], status=Status.PREVIEWING)
        job.file.save(f"{actor.pk}-{job.token}.{fmt}", ContentFile(data), save=False)
        job.save()
        audit_record(actor=actor, action="archive.import_uploaded", request=request,
                     details={"resource": resource, "file": job.original_name})
        transaction.on_commit(lambda: preview_import_job.delay(job.pk))
    return job


def _problems(outcome: ImportOutcome) -> list[dict]:
    return [{"row": p.number + 1 if p.number else 0, "messages": p.messages} for p in outcome.problems[:PROBLEMS_KEPT]]


def _totals(outcome: ImportOutcome) -> dict:
    return {"total": outcome.total, "new": outcome.new, "update": outcome.updated, "invalid": len(outcome.problems)}


def _report(job_id: int, **values) -> None:
    if not ImportJob.objects.filter(pk=job_id, status=Status.PREVIEWING).update(**values):
        raise _Replaced


def _reject(job_id: int, message: str) -> str:
    ImportJob.objects.filter(pk=job_id, status=Status.PREVIEWING).update(
        status=Status.REJECTED, valid=False, problems=[{"row": 0, "messages": [message]}])
    return "rejected"


def import_job_preview(*, job_id: int) -> str:
    """The dry run of a stored file. Safe to run twice: only a job still
    being checked is checked, from the start."""
    job = ImportJob.objects.select_related("user").filter(pk=job_id, status=Status.PREVIEWING).first()
    if job is None:
        return "skipped"
    resource_cls = RESOURCES[job.resource]
    try:
        _report(job_id, rows_done=0, rows_total=None)
        with job.file.open("rb") as handle:
            data = handle.read()
        dataset, _fmt = read_sheet(data, resource_cls, progress=lambda n: _report(job_id, rows_done=n))
        _report(job_id, rows_done=0, rows_total=len(dataset))
        outcome = run_import(dataset, resource_cls, centres=list(archive_centres_editable_by(job.user)),
                             dry_run=True, progress=lambda n: _report(job_id, rows_done=n))
    except _Replaced:
        return "replaced"
    except ImportFileError as exc:
        return _reject(job_id, str(exc))
    except Exception:
        # Whatever broke, the person waiting on the page is told, not left
        # watching it refresh.
        log.exception("import %s could not be checked", job_id)
        return _reject(job_id, _("The file could not be checked. Upload it again, or ask for help."))
    if not ImportJob.objects.filter(pk=job_id, status=Status.PREVIEWING).update(
            status=Status.PREVIEWED, valid=outcome.ok, totals=_totals(outcome), problems=_problems(outcome),
            rows_done=outcome.total):
        return "replaced"
    audit_record(actor=job.user, action="archive.import_previewed",
                 details={"resource": job.resource, "file": job.original_name, **_totals(outcome)})
    return "previewed"


def _refusal(job: ImportJob) -> str:
    return {
        Status.PREVIEWING: _("The file is still being checked: wait for the preview."),
        Status.REJECTED: _("This file was refused: correct it and upload it again."),
        Status.QUEUED: _("This import is already running."),
        Status.IMPORTED: _("This import is already done."),
        Status.FAILED: _("This import was already tried and nothing was written: upload the file again."),
    }.get(job.status, _("Correct the rows with errors and upload the file again."))


def import_job_confirm(*, actor, job: ImportJob, request=None) -> ImportJob:
    """Claim the job for its import, once: a second or third confirmation
    (a double click, another device) is told why and queues nothing."""
    from tenants.tasks import run_import_job

    if job.user_id != actor.pk:
        raise ImportJobError(_("This import is not yours."))
    if job.status == Status.PREVIEWED and job.created_at < timezone.now() - JOB_LIFETIME:
        raise ImportJobError(_("This preview is too old. Upload the file again."))
    # Read before writing: on SQLite a confirmation that would only be refused
    # must not wait for the write lock an import in progress holds.
    if job.status != Status.PREVIEWED or not job.valid:
        raise ImportJobError(_refusal(job))
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, user=actor, status=Status.PREVIEWED, valid=True).update(
            status=Status.QUEUED)
        if not claimed:
            job.refresh_from_db()
            raise ImportJobError(_refusal(job))
        audit_record(actor=actor, action="archive.import_confirmed", request=request,
                     details={"resource": job.resource, "file": job.original_name})
        transaction.on_commit(lambda: run_import_job.delay(job.pk))
    job.status = Status.QUEUED
    return job


def _fail(job: ImportJob, problems: list[dict]) -> str:
    job.status, job.problems = Status.FAILED, problems
    job.save(update_fields=["status", "problems"])
    return "failed"


def import_job_run(*, job_id: int) -> str:
    """Write every row or none. Safe to run twice: only a queued job runs."""
    try:
        return _write(job_id)
    except Exception:
        # The transaction was rolled back: nothing was written, and the page
        # says so rather than "importing" for ever.
        log.exception("import %s could not be written", job_id)
        ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(status=Status.FAILED, problems=[
            {"row": 0, "messages": [_("The import stopped on an error: nothing was written. Upload the file again.")]}])
        return "failed"


def _write(job_id: int) -> str:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("user").filter(pk=job_id).first()
        if job is None or job.status != Status.QUEUED:
            return "skipped"
        resource_cls = RESOURCES[job.resource]
        try:
            with job.file.open("rb") as handle:
                dataset, _fmt = read_sheet(handle.read(), resource_cls)
        except (ImportFileError, OSError) as exc:
            return _fail(job, [{"row": 0, "messages": [str(exc)]}])
        outcome = run_import(dataset, resource_cls, centres=list(archive_centres_editable_by(job.user)), dry_run=False,
                             actor=job.user)
        if not outcome.ok:
            # Someone changed the archive since the preview: nothing was written.
            audit_record(actor=job.user, action="archive.import_failed",
                         details={"resource": job.resource, "problems": len(outcome.problems)})
            return _fail(job, _problems(outcome))
        job.status, job.imported_at, job.totals = Status.IMPORTED, timezone.now(), _totals(outcome)
        job.rows_done = job.rows_total = outcome.total
        job.save(update_fields=["status", "imported_at", "totals", "rows_done", "rows_total"])
        audit_record(actor=job.user, action="archive.imported",
                     details={"resource": job.resource, "file": job.original_name, **job.totals})
        name = job.file.name
    # The sheet held personal data; once imported it is not kept.
    if name:
        ImportJob._meta.get_field("file").storage.delete(name)
        ImportJob.objects.filter(pk=job_id).update(file="")
    return "imported"


def import_uploads_cleanup(*, older_than_hours: int = 24) -> int:
    """Imports nobody confirmed keep a sheet of personal data on the server:
    drop them after a day (the confirmation refuses them by then anyway)."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    removed = 0
    for job in ImportJob.objects.filter(status__in=[Status.PREVIEWING, Status.PREVIEWED, Status.REJECTED],
                                        created_at__lt=cutoff):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
