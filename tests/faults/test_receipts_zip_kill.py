"""A worker killed while it packs a letter's receipts ZIP: the job stays
queued with the progress it reported, the sweep finds its worker silent and
hands it to the next worker, which packs it again from the start. The job
ends ready with one file in media that holds every receipt once.

The worker is held mid-pack by the disk: one receipt's paper scan, after the
first progress report (every PROGRESS_EVERY receipts), is on a file system
that stops answering (tests/fixtures/gate.py, StalledFile)."""

import hashlib
import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from notices.models import (
    ArchiveStatus,
    CertificateState,
    Letter,
    Receipt,
    ReceiptsArchive,
)
from notices.services.receipts import receipt_record_paper
from notices.services.receipts_zip import (
    PROGRESS_EVERY,
    receipts_digest,
    receipts_zip_request,
)
from notices.tasks import build_receipts_zip_task, sweep_stuck_deliveries
from portal.models import AuditEvent
from tests.base import make_tenant, png_upload
from tests.faults.conftest import beat
from tests.fixtures.gate import stalled_file
from tests.fixtures.worker import tasks_to_the_broker
from tests.notices.delivery import stamped_letter

STUCK_MINUTES = 0.1  # the worker's ATRIUM_RECEIPTS_ZIP_STUCK_MINUTES: 6 s
SWEEP_EVERY = 1.0
EXTRA_TENANTS = 24  # with the world's two tenants of centre A: 26 receipts
HELD_AT = PROGRESS_EVERY + 2  # the receipt (by tenant code, from 0) whose scan stops answering


def _signed_on_paper(world) -> Letter:
    """A stamped letter to every tenant of centre A, each receipt recorded on
    paper with a scan. Their certificates are sealed here, on commit, before
    the ZIP is asked for: none changes what the ZIP holds while it is packed."""
    for i in range(EXTRA_TENANTS):
        make_tenant(world.centre_a, f"TK{i:03d}", f"商户{i}")
    letter = stamped_letter(world)  # stamped and delivered in this process
    for delivery in letter.deliveries.select_related("tenant"):
        receipt_record_paper(delivery=delivery, actor=world.ops_a, signer_name=f"{delivery.tenant.code}店长",
                             signed_at=timezone.now(), scan=png_upload("receipt.png"))
    receipts = Receipt.objects.filter(letter=letter)
    assert receipts.count() == EXTRA_TENANTS + 2
    assert not receipts.exclude(certificate_state=CertificateState.READY).exists()
    return letter


def _job(letter) -> ReceiptsArchive:
    return ReceiptsArchive.objects.get(letter=letter)


def _zips_in_media() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file() and ".zip" in p.name)


def _assert_holds_every_receipt_once(job: ReceiptsArchive, letter: Letter, held: Receipt, held_bytes: bytes) -> None:
    """The ZIP has each receipt's certificate and scan once, its lists agree
    with its bytes, and the scan the killed worker was reading is whole."""
    with job.file.open("rb") as fh:
        data = fh.read()
    assert hashlib.sha256(data).hexdigest() == job.sha256
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert len(names) == len(set(names))
    codes = list(Receipt.objects.filter(letter=letter).values_list("tenant__code", flat=True))
    expected = {f"receipts/{c}-receipt.pdf" for c in codes} | {f"receipts/{c}-paper-scan.png" for c in codes}
    assert {n for n in names if n.startswith("receipts/")} == expected and len(expected) == 2 * len(codes)
    assert archive.read(f"receipts/{held.tenant.code}-paper-scan.png") == held_bytes
    manifest = json.loads(archive.read("manifest.json"))
    assert [m["file"] for m in manifest["files"]] == names[:-2]  # all but the two lists
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["sha256"]
    sums = "".join(f"{m['sha256']}  {m['file']}\n" for m in manifest["files"])
    assert archive.read("SHA256SUMS.txt").decode() == sums


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_packing_the_receipts_zip_leaves_a_job_the_next_worker_packs_once(
        world, start_worker, figures):
    letter = _signed_on_paper(world)
    receipts = list(Receipt.objects.filter(letter=letter).select_related("tenant").order_by("tenant__code"))
    held = receipts[HELD_AT]  # packed after the report at PROGRESS_EVERY: the hold comes after a sign of life
    if not isinstance(held.scan.storage, FileSystemStorage):
        pytest.skip("the disk that stops answering is a named pipe in media on the local file system")

    env = {"ATRIUM_RECEIPTS_ZIP_STUCK_MINUTES": str(STUCK_MINUTES)}
    with stalled_file(Path(held.scan.path)) as disk:
        with tasks_to_the_broker():  # the build waits in the broker for a worker
            receipts_zip_request(letter=letter, actor=world.ops_a)
        worker = start_worker(**env)
        worker.wait_for(disk.held, timeout=180, what=f"the worker to read {held.tenant.code}'s scan")
        killed_at = worker.kill()
        disk.answer()  # the real bytes back before another worker can read them
    before = _job(letter)
    assert (before.status, before.attempts, before.done) == (ArchiveStatus.QUEUED, 1, PROGRESS_EVERY)
    assert not before.file and _zips_in_media() == []

    worker = start_worker(**env)
    worker.wait_ready()
    beat(worker, sweep_stuck_deliveries, every=SWEEP_EVERY, until=lambda: _job(letter).status != ArchiveStatus.QUEUED,
         timeout=300, what="the receipts ZIP")
    recovery = time.monotonic() - killed_at
    worker.stop()

    job = _job(letter)  # still the one job: taken over, not asked for again
    assert job.pk == before.pk and job.status == ArchiveStatus.READY and job.attempts == 2
    assert job.done == job.total == len(receipts) and job.receipts_digest == receipts_digest(letter)
    assert _zips_in_media() == [Path(job.file.path)]  # the killed run stored nothing; its temp file died with it
    _assert_holds_every_receipt_once(job, letter, held, disk.original)
    # The service records the request (once); the build itself is not an audited act.
    zip_events = AuditEvent.objects.filter(action__startswith="letter.receipts_zip")
    assert list(zip_events.values_list("action", flat=True)) == ["letter.receipts_zip_requested"]
    threshold, limit = STUCK_MINUTES * 60, build_receipts_zip_task.time_limit
    bound = threshold + SWEEP_EVERY + limit
    figures(f"{len(receipts)} receipts, {before.done} packed before the kill; the ZIP ready {recovery:.1f} s "
            f"after it; bound {bound:.0f} s = threshold {threshold:.0f} s + sweep every {SWEEP_EVERY:.0f} s + "
            f"time limit {limit} s")
    assert recovery < bound
