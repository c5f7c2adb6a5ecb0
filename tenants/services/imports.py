"""Running a confirmed import: in a Celery task, from the file the preview
read, with the centres the user may import into at the time it runs."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from tenants.imports.resources import RESOURCES
from tenants.imports.running import run_import
from tenants.imports.sheets import ImportFileError, read_sheet
from tenants.models import ImportJob
from tenants.selectors.directory import archive_centres_editable_by


class ImportJobError(Exception):
    """The import cannot be confirmed now; the message says why."""


def import_job_confirm(*, actor, job: ImportJob, request=None) -> ImportJob:
    from tenants.tasks import run_import_job

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.user_id != actor.pk:
            raise ImportJobError(_("This import is not yours."))
        if job.status != ImportJob.Status.PREVIEWED:
            raise ImportJobError(_("This import was already confirmed."))
        if not job.valid:
            raise ImportJobError(_("Correct the rows with errors and upload the file again."))
        job.status = ImportJob.Status.QUEUED
        job.save(update_fields=["status"])
        audit_record(actor=actor, action="archive.import_confirmed", request=request,
                     details={"resource": job.resource, "file": job.original_name})
        transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return job


def import_job_run(*, job_id: int) -> str:
    """Write every row or none. Safe to run twice: only a queued job runs."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("user").filter(pk=job_id).first()
        if job is None or job.status != ImportJob.Status.QUEUED:
            return "skipped"
        resource_cls = RESOURCES[job.resource]
        try:
            with job.file.open("rb") as handle:
                dataset, _fmt = read_sheet(handle.read(), resource_cls)
        except (ImportFileError, OSError) as exc:
            job.status, job.problems = ImportJob.Status.FAILED, [{"row": 0, "messages": [str(exc)]}]
            job.save(update_fields=["status", "problems"])
            return "failed"
        outcome = run_import(dataset, resource_cls, centres=list(archive_centres_editable_by(job.user)), dry_run=False)
        if not outcome.ok:
            # Someone changed the archive since the preview: nothing was written.
            job.status = ImportJob.Status.FAILED
            job.problems = [{"row": p.number + 1 if p.number else 0, "messages": p.messages} for p in outcome.problems]
            job.save(update_fields=["status", "problems"])
            audit_record(actor=job.user, action="archive.import_failed",
                         details={"resource": job.resource, "problems": len(outcome.problems)})
            return "failed"
        job.status, job.imported_at = ImportJob.Status.IMPORTED, timezone.now()
        job.totals = {"total": outcome.total, "new": outcome.new, "update": outcome.updated, "invalid": 0}
        job.save(update_fields=["status", "imported_at", "totals"])
        audit_record(actor=job.user, action="archive.imported",
                     details={"resource": job.resource, "file": job.original_name, **job.totals})
        name = job.file.name
    # The sheet held personal data; once imported it is not kept.
    if name:
        ImportJob._meta.get_field("file").storage.delete(name)
        ImportJob.objects.filter(pk=job_id).update(file="")
    return "imported"


def import_uploads_cleanup(*, older_than_hours: int = 24) -> int:
    """Previews nobody confirmed keep a sheet of personal data on the server:
    drop them after a day (the confirm view refuses them by then anyway)."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    removed = 0
    for job in ImportJob.objects.filter(status=ImportJob.Status.PREVIEWED, created_at__lt=cutoff):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
