"""The ZIP that keeps a letter with its receipts (4.8.6): the letter PDF, its
attachment files, every receipt certificate and paper scan, and a manifest
with the SHA-256 of each file.

A letter with thousands of receipts on S3 takes minutes to pack, so a worker
builds it: staff press "prepare" (receipts_zip_request), the page shows the
worker's progress, and the finished file is downloaded from the job
(ReceiptsArchive). A worker can be killed at any point: the job is claimed
and touched as it goes, a silent one is taken over, and only the first run
to finish stores its file."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from notices.models import (
    ArchiveStatus,
    CertificateState,
    Letter,
    LetterAttachment,
    Receipt,
    ReceiptsArchive,
)
from notices.services.attachments import download_name
from portal.audit import audit_record

log = logging.getLogger(__name__)

# Receipts packed between two progress reports: each report is the job's
# sign of life too, so a few seconds apart even on slow storage.
PROGRESS_EVERY = 20
# A job whose worker died this many times (a letter too big for its memory)
# fails instead of being taken over again and again.
MAX_ATTEMPTS = 3


def _receipt_line(r: Receipt) -> bytes:
    """What the ZIP holds of one receipt: its certificate once sealed, its scan."""
    cert = r.certificate_state == CertificateState.READY and bool(r.certificate)
    return f"{r.pk}:{cert:d}{r.certificate_sha256 if cert else ''}:{bool(r.scan):d}{r.scan_sha256}\n".encode()


def _digest(lines: dict[int, bytes]) -> str:
    return hashlib.sha256(b"".join(lines[pk] for pk in sorted(lines))).hexdigest()


def receipts_digest(letter: Letter) -> str:
    """The receipts a ZIP built now would hold, as one hash: a finished ZIP
    with the same digest holds the same receipt files."""
    rows = Receipt.objects.filter(letter=letter).only(
        "pk", "certificate_state", "certificate", "certificate_sha256", "scan", "scan_sha256")
    return _digest({r.pk: _receipt_line(r) for r in rows.iterator(chunk_size=2000)})


def write_receipts_zip(letter: Letter, out, *, progress: Callable[[int], None] | None = None) -> tuple[str, int]:
    """Write to `out` the letter PDF, its attachment files, every receipt
    certificate and paper scan, and a manifest with the SHA-256 of each file (4.8.6: kept with the
    letter). PDFs are stored, not deflated (they are compressed already), so
    a letter with a thousand receipts is mostly a file copy. `progress` hears
    how many receipts are packed; returned: the receipts' digest and count."""
    manifest: list[dict] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        def add(name: str, fh, **extra):
            digest = hashlib.sha256()
            with archive.open(name, "w", force_zip64=True) as dest:
                for chunk in iter(lambda: fh.read(1 << 16), b""):
                    digest.update(chunk)
                    dest.write(chunk)
            manifest.append({"file": name, "sha256": digest.hexdigest(), **extra})

        with letter.pdf.open("rb") as fh:
            add(f"{letter.doc_number}.pdf", fh, kind="letter")
        attachments = LetterAttachment.objects.filter(letter=letter).exclude(file="")
        for n, a in enumerate(attachments, start=1):
            # The manifest keeps the hash recorded at upload (printed in the
            # PDF) beside the hash of the bytes written here: they must agree.
            with a.file.open("rb") as fh:
                add(f"attachments/{n:02d}-{download_name(a)}", fh, kind="attachment", title=a.title,
                    recorded_sha256=a.sha256, size=a.size)
        packed = _add_receipts(letter, add, progress or (lambda n: None))
        lines = [f"{m['sha256']}  {m['file']}" for m in manifest]
        archive.writestr("SHA256SUMS.txt", "\n".join(lines) + "\n", compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("manifest.json", json.dumps(
            {"letter": letter.doc_number, "title": letter.title, "letter_sha256": letter.pdf_sha256,
             "generated_at": timezone.now().astimezone(UTC).isoformat(), "files": manifest},
            ensure_ascii=False, indent=2), compress_type=zipfile.ZIP_DEFLATED)
    return _digest(packed), len(packed)


def _add_receipts(letter: Letter, add, progress: Callable[[int], None]) -> dict[int, bytes]:
    packed: dict[int, bytes] = {}
    receipts = Receipt.objects.filter(letter=letter).select_related("tenant").order_by("tenant__code")
    for r in receipts.iterator(chunk_size=500):
        base = f"receipts/{r.tenant.code}"
        info = {"tenant": r.tenant.code, "method": r.method, "signed_at": r.signed_at.astimezone(UTC).isoformat(),
                "document_sha256": r.pdf_sha256}
        if r.certificate_state == CertificateState.READY and r.certificate:
            with r.certificate.open("rb") as fh:
                add(f"{base}-receipt.pdf", fh, kind="receipt_certificate", **info)
        if r.scan:
            with r.scan.open("rb") as fh:
                add(f"{base}-paper-scan{os.path.splitext(r.scan.name)[1].lower()}", fh, kind="paper_scan", **info)
        packed[r.pk] = _receipt_line(r)
        if len(packed) % PROGRESS_EVERY == 0:
            progress(len(packed))
    return packed


def receipts_zip_latest(letter: Letter) -> ReceiptsArchive | None:
    return ReceiptsArchive.objects.filter(letter=letter).first()


def receipts_zip_request(*, letter: Letter, actor, request=None) -> ReceiptsArchive:
    """The job preparing the ZIP of a stamped letter: the one being built (a
    double click, a second device, a colleague), the finished one while the
    receipts are unchanged, or a new one queued for a worker."""
    with transaction.atomic():
        # One press at a time per letter: the second waits, then finds the first's job.
        list(Letter.objects.select_for_update().filter(pk=letter.pk).values_list("pk", flat=True))
        latest = receipts_zip_latest(letter)
        if latest and latest.status == ArchiveStatus.QUEUED:
            return latest
        if latest and latest.status == ArchiveStatus.READY and latest.receipts_digest == receipts_digest(letter):
            return latest
        try:
            with transaction.atomic():
                job = ReceiptsArchive.objects.create(letter=letter, requested_by=actor,
                                                     total=Receipt.objects.filter(letter=letter).count())
        except IntegrityError:  # another process was first where rows are not locked (SQLite)
            return ReceiptsArchive.objects.get(letter=letter, status=ArchiveStatus.QUEUED)
        audit_record(actor=actor, action="letter.receipts_zip_requested", obj=letter, request=request,
                     details={"archive": job.pk})
        from notices.tasks import build_receipts_zip_task

        transaction.on_commit(lambda: build_receipts_zip_task.delay(job.pk))
    return job


def _silent_since() -> datetime:
    return timezone.now() - timedelta(minutes=settings.ATRIUM_RECEIPTS_ZIP_STUCK_MINUTES)


def _claim(archive_id: int) -> ReceiptsArchive | None:
    """The job for this run: queued and nobody packing it (never claimed, or
    its worker silent too long). A job already tried MAX_ATTEMPTS times fails."""
    with transaction.atomic():
        job = ReceiptsArchive.objects.select_for_update().filter(pk=archive_id, status=ArchiveStatus.QUEUED).first()
        if job is None or (job.progress_at and job.progress_at > _silent_since()):
            return None
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.finished_at = ArchiveStatus.FAILED, timezone.now()
            job.error = f"the worker stopped {job.attempts} times while packing"
            job.save(update_fields=["status", "finished_at", "error"])
            return None
        job.attempts += 1
        job.progress_at, job.done = timezone.now(), 0
        job.total = Receipt.objects.filter(letter_id=job.letter_id).count()
        job.save(update_fields=["attempts", "progress_at", "done", "total"])
    return job


def _report(archive_id: int, done: int) -> None:
    ReceiptsArchive.objects.filter(pk=archive_id, status=ArchiveStatus.QUEUED).update(
        done=done, progress_at=timezone.now())


def receipts_zip_build(*, archive_id: int) -> ReceiptsArchive | None:
    """Build the ZIP of a queued job. Safe to run twice: a run finds the job
    finished, or being packed by a live worker, and leaves it; two runs that
    both pack it (one worker only seemed dead) keep the first file stored."""
    job = _claim(archive_id)
    if job is None:
        return None
    letter = Letter.objects.get(pk=job.letter_id)
    try:
        with tempfile.TemporaryFile() as out:
            digest, count = write_receipts_zip(letter, out, progress=lambda n: _report(job.pk, n))
            out.seek(0)
            sha256 = hashlib.file_digest(out, "sha256").hexdigest()
            out.seek(0)
            _report(job.pk, count)  # a sign of life before the upload
            # Stored before the row is locked: an upload to S3 takes a while.
            job.file.save(f"letter-{letter.pk}-{job.pk}.zip", File(out, name="receipts.zip"), save=False)
    except Exception as exc:
        log.exception("receipts ZIP %s of letter %s failed", job.pk, letter.pk)
        ReceiptsArchive.objects.filter(pk=job.pk, status=ArchiveStatus.QUEUED).update(
            status=ArchiveStatus.FAILED, error=str(exc)[:2000] or type(exc).__name__, finished_at=timezone.now())
        return None
    return _finish(job, sha256=sha256, digest=digest, count=count)


def _finish(job: ReceiptsArchive, *, sha256: str, digest: str, count: int) -> ReceiptsArchive | None:
    with transaction.atomic():
        current = ReceiptsArchive.objects.select_for_update().filter(pk=job.pk).first()
        if current is None or current.status != ArchiveStatus.QUEUED:
            # Another run finished first (or the job was purged): its file stays, this copy goes.
            job.file.delete(save=False)
            return current
        current.file, current.sha256, current.receipts_digest = job.file.name, sha256, digest
        current.done = current.total = count
        current.status, current.finished_at = ArchiveStatus.READY, timezone.now()
        current.save()
    return current


def receipts_zips_stalled():
    """Queued jobs nobody is packing: the message lost before a worker took
    it, or the worker silent (killed) for ATRIUM_RECEIPTS_ZIP_STUCK_MINUTES."""
    return (ReceiptsArchive.objects.filter(status=ArchiveStatus.QUEUED)
            .alias(seen=Coalesce("progress_at", "created_at")).filter(seen__lte=_silent_since()))


def receipts_zips_purge() -> int:
    """Delete the jobs asked for more than ATRIUM_RECEIPTS_ZIP_KEEP_DAYS ago,
    with their files: copies of what the letter keeps, made again on demand."""
    cutoff = timezone.now() - timedelta(days=settings.ATRIUM_RECEIPTS_ZIP_KEEP_DAYS)
    count = 0
    for job in ReceiptsArchive.objects.filter(created_at__lt=cutoff).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
