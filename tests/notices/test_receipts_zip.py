"""The receipts ZIP of a letter page (4.8.6), packed by a worker: staff press
"prepare", watch the progress, download the file. The ZIP holds what it held
when it was built in the request; a double click reuses the running job; the
task is safe to run twice and after a killed worker; old ZIPs are deleted.
Staff of another centre, tenants and visitors get nothing."""

import hashlib
import json
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from notices.models import ArchiveStatus, ReceiptsArchive
from notices.services import receipts_zip as service
from notices.services.receipts import receipt_record_paper
from notices.tasks import (
    build_receipts_zip_task,
    purge_receipts_zips,
    sweep_stuck_deliveries,
)
from portal.models import AuditEvent
from tests.base import ANONYMOUS, assert_access, logged_in, pdf_upload
from tests.fixtures.shared_world import on_world

from .delivery import delivery_of, receipts_zip_of, signed_online, stamped_letter
from .letters import draft_letter

pytestmark = pytest.mark.django_db


def _signed_letter(world):
    """A stamped letter signed online by tenant A (its certificate sealed)."""
    return signed_online(world)[0]


letter = on_world("letter", _signed_letter)  # built once for the tests around one (tests/fixtures/shared_world.py)


def _paper(world, letter):
    with TestCase.captureOnCommitCallbacks(execute=True):
        receipt_record_paper(delivery=delivery_of(letter, world.tenant_a2), actor=world.ops_a, signer_name="王店长",
                             signed_at=timezone.now(), scan=pdf_upload())


def _queued(world, letter) -> ReceiptsArchive:
    """A job asked for whose worker has not run yet (its message waits for a commit that never comes)."""
    return service.receipts_zip_request(letter=letter, actor=world.ops_a)


def _built(world, letter) -> ReceiptsArchive:
    job = _queued(world, letter)
    build_receipts_zip_task(job.pk)
    job.refresh_from_db()
    return job


def _silent(job, settings, *, field="progress_at"):
    minutes = settings.ATRIUM_RECEIPTS_ZIP_STUCK_MINUTES + 1
    ReceiptsArchive.objects.filter(pk=job.pk).update(**{field: timezone.now() - timedelta(minutes=minutes)})


def _urls(letter, job):
    return (reverse("notices_letters:receipts_zip_job", args=[letter.pk, job.pk]),
            reverse("notices_letters:receipts_zip", args=[letter.pk, job.pk]))


# --- what the worker builds ---------------------------------------------------------


def test_the_zip_holds_the_same_files_names_and_manifest_as_when_built_in_the_request(world, letter):
    _paper(world, letter)
    archive = receipts_zip_of(logged_in(world.ops_a), letter)
    assert archive.namelist() == [f"{letter.doc_number}.pdf", "receipts/TA001-receipt.pdf", "receipts/TA002-receipt.pdf",
                                  "receipts/TA002-paper-scan.pdf", "SHA256SUMS.txt", "manifest.json"]
    # PDFs stored (they are compressed already), the two lists deflated.
    assert [i.compress_type for i in archive.infolist()] == [zipfile.ZIP_STORED] * 4 + [zipfile.ZIP_DEFLATED] * 2
    manifest = json.loads(archive.read("manifest.json"))
    assert set(manifest) == {"letter", "title", "letter_sha256", "generated_at", "files"}
    assert (manifest["letter"], manifest["title"], manifest["letter_sha256"]) == (
        letter.doc_number, letter.title, letter.pdf_sha256)
    scan = manifest["files"][-1]
    assert set(scan) == {"file", "sha256", "kind", "tenant", "method", "signed_at", "document_sha256"}
    assert (scan["kind"], scan["tenant"], scan["method"]) == ("paper_scan", "TA002", "paper")
    sums = archive.read("SHA256SUMS.txt").decode()
    assert sums == "".join(f"{m['sha256']}  {m['file']}\n" for m in manifest["files"])
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["sha256"]


def test_the_worker_records_the_zips_sha256_its_progress_and_what_receipts_it_holds(world, letter):
    _paper(world, letter)
    job = _built(world, letter)
    assert job.status == ArchiveStatus.READY and job.done == job.total == 2 and job.attempts == 1
    assert job.finished_at and job.receipts_digest == service.receipts_digest(letter)
    with job.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == job.sha256


def test_a_second_press_reuses_the_running_job_and_the_finished_one_while_receipts_are_unchanged(world, letter):
    first = _queued(world, letter)
    assert first.total == 1
    # A double click, a second device, a colleague: the same job.
    assert service.receipts_zip_request(letter=letter, actor=world.manager) == first
    build_receipts_zip_task(first.pk)
    assert service.receipts_zip_request(letter=letter, actor=world.ops_a) == first
    assert AuditEvent.objects.filter(action="letter.receipts_zip_requested").count() == 1
    _paper(world, letter)  # a receipt comes in: the finished ZIP no longer holds every receipt
    second = service.receipts_zip_request(letter=letter, actor=world.ops_a)
    assert second != first and second.status == ArchiveStatus.QUEUED and second.total == 2


def test_the_task_run_twice_builds_the_zip_once(world, letter):
    job = _built(world, letter)
    # The broker hands the message out again, or a sweep re-queued it.
    assert build_receipts_zip_task(job.pk) == "skipped"
    again = ReceiptsArchive.objects.get(pk=job.pk)
    assert (again.file.name, again.sha256, again.attempts, again.finished_at) == (
        job.file.name, job.sha256, 1, job.finished_at)


def test_a_run_leaves_a_job_a_live_worker_packs_and_the_sweep_takes_over_a_silent_one(world, letter, settings):
    job = _queued(world, letter)
    ReceiptsArchive.objects.filter(pk=job.pk).update(attempts=1, progress_at=timezone.now())
    assert build_receipts_zip_task(job.pk) == "skipped"
    assert not service.receipts_zips_stalled().exists()
    _silent(job, settings)  # its worker was killed half-way
    assert list(service.receipts_zips_stalled()) == [job]
    sweep_stuck_deliveries()
    job.refresh_from_db()
    assert job.status == ArchiveStatus.READY and job.attempts == 2


def test_the_sweep_queues_a_job_whose_message_was_lost(world, letter, settings):
    job = _queued(world, letter)
    assert not service.receipts_zips_stalled().exists()
    _silent(job, settings, field="created_at")
    sweep_stuck_deliveries()
    assert ReceiptsArchive.objects.get(pk=job.pk).status == ArchiveStatus.READY


def test_when_two_runs_pack_one_job_the_first_file_stored_stays(world, letter, settings):
    job = _queued(world, letter)
    slow = service._claim(job.pk)  # run A claims, then seems dead
    _silent(job, settings)
    build_receipts_zip_task(job.pk)  # run B takes over and finishes
    kept = ReceiptsArchive.objects.get(pk=job.pk)
    slow.file.save("late.zip", ContentFile(b"late"), save=False)  # run A finishes too
    late = slow.file.name
    assert service._finish(slow, sha256="0" * 64, digest="", count=0) == kept
    assert not slow.file.storage.exists(late)
    kept.refresh_from_db()
    assert kept.sha256 != "0" * 64 and kept.file.storage.exists(kept.file.name)


def test_a_job_whose_worker_dies_every_time_fails_instead_of_running_for_ever(world, letter, settings):
    job = _queued(world, letter)
    ReceiptsArchive.objects.filter(pk=job.pk).update(attempts=service.MAX_ATTEMPTS)
    _silent(job, settings)
    build_receipts_zip_task(job.pk)
    job.refresh_from_db()
    assert job.status == ArchiveStatus.FAILED and "3" in job.error


def test_zips_asked_for_before_the_keep_days_are_deleted_with_their_files(world, letter, settings):
    old = ReceiptsArchive.objects.create(letter=letter, status="ready", file=ContentFile(b"old", name="old.zip"))
    new = ReceiptsArchive.objects.create(letter=letter, status="ready", file=ContentFile(b"new", name="new.zip"))
    ReceiptsArchive.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.ATRIUM_RECEIPTS_ZIP_KEEP_DAYS, minutes=1))
    assert purge_receipts_zips() == 1
    assert list(ReceiptsArchive.objects.all()) == [new]
    assert not old.file.storage.exists(old.file.name) and new.file.storage.exists(new.file.name)


# --- the pages ---------------------------------------------------------------------


def test_staff_prepare_the_zip_watch_its_progress_and_download_it(world, letter):
    client = logged_in(world.ops_a)
    detail = reverse("notices_letters:detail", args=[letter.pk])
    assert 'data-testid="receipts-zip-prepare"' in client.get(detail).content.decode()
    response = client.post(reverse("notices_letters:receipts_zip_prepare", args=[letter.pk]))
    job = ReceiptsArchive.objects.get()
    page_url, download_url = _urls(letter, job)
    assert response.status_code == 302 and response["Location"] == page_url
    page = client.get(page_url).content.decode()
    assert "已打包 0 / 1 份回执" in page and 'http-equiv="refresh"' in page
    assert "已打包 0 / 1 份回执" in client.get(detail).content.decode()
    assert client.get(download_url).status_code == 404  # not ready yet
    build_receipts_zip_task(job.pk)
    page = client.get(page_url).content.decode()
    assert download_url in page and 'http-equiv="refresh"' not in page
    assert download_url in client.get(detail).content.decode()
    download = client.get(download_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["Cache-Control"].startswith("private, no-store") and "letter-" in download["Content-Disposition"]
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == ReceiptsArchive.objects.get().sha256
    event = AuditEvent.objects.get(action="letter.receipts_zip_downloaded")
    assert event.actor == world.ops_a and event.details["archive"] == job.pk


def test_receipts_come_in_after_the_zip_so_the_page_offers_to_prepare_it_again(world, letter):
    job = _built(world, letter)
    _paper(world, letter)
    client = logged_in(world.ops_a)
    page = client.get(_urls(letter, job)[0]).content.decode()
    assert 'data-testid="receipts-zip-outdated"' in page and 'data-testid="receipts-zip-prepare"' in page
    detail = client.get(reverse("notices_letters:detail", args=[letter.pk])).content.decode()
    assert 'data-testid="receipts-zip-outdated"' in detail


def test_a_failure_is_said_plainly_and_pressing_again_retries(world, letter, caplog):
    client = logged_in(world.ops_a)
    prepare = reverse("notices_letters:receipts_zip_prepare", args=[letter.pk])
    with mock.patch("notices.services.receipts_zip.write_receipts_zip", side_effect=OSError("S3 unreachable")), \
            TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(prepare)
    failed = ReceiptsArchive.objects.get()
    assert failed.status == ArchiveStatus.FAILED and "S3 unreachable" in failed.error
    page = client.get(response["Location"])
    assert page.status_code == 200 and "回执压缩包未能生成" in page.content.decode()
    detail = client.get(reverse("notices_letters:detail", args=[letter.pk])).content.decode()
    assert 'data-testid="receipts-zip-failed"' in detail
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(prepare)
    retried = ReceiptsArchive.objects.first()
    assert retried != failed and retried.status == ArchiveStatus.READY


def test_a_zip_whose_file_is_gone_is_a_404_not_an_error(world, letter):
    job = _built(world, letter)
    job.file.storage.delete(job.file.name)
    assert logged_in(world.ops_a).get(_urls(letter, job)[1]).status_code == 404


def test_a_letter_not_stamped_has_no_zip(world):
    draft = draft_letter(world.drafter_a, world.centre_a)
    response = logged_in(world.drafter_a).post(reverse("notices_letters:receipts_zip_prepare", args=[draft.pk]))
    assert response.status_code == 404 and not ReceiptsArchive.objects.exists()


def test_only_staff_who_see_the_letter_reach_its_zip(world, letter):
    job = _built(world, letter)
    for url in _urls(letter, job):
        assert_access(url, allowed=[world.ops_a, world.manager],
                      refused=[world.ops_b, world.signer_a, world.nonsigner_a, ANONYMOUS])
    assert_access(reverse("notices_letters:receipts_zip_prepare", args=[letter.pk]), method="post",
                  allowed=[world.ops_a, world.manager], refused=[world.ops_b, world.signer_a, ANONYMOUS],
                  ok_status=(302,))
    assert ReceiptsArchive.objects.count() == 1  # the allowed presses found the finished job


def test_staff_of_another_centre_get_404_and_start_nothing(world, letter):
    job = _built(world, letter)
    client = logged_in(world.ops_b)
    assert client.post(reverse("notices_letters:receipts_zip_prepare", args=[letter.pk])).status_code == 404
    for url in _urls(letter, job):
        assert client.get(url).status_code == 404
    assert ReceiptsArchive.objects.count() == 1
    # Another letter's job under this letter's address: not found either.
    other = stamped_letter(world, title="第二封")
    page = reverse("notices_letters:receipts_zip_job", args=[other.pk, job.pk])
    assert logged_in(world.ops_a).get(page).status_code == 404


def test_the_prepare_button_only_posts(world, letter):
    assert logged_in(world.ops_a).get(
        reverse("notices_letters:receipts_zip_prepare", args=[letter.pk])).status_code == 405
