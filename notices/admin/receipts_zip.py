"""The letter page's receipts ZIP (4.8.6): staff press "prepare", a worker
packs it (notices.services.receipts_zip) while the job's page shows how far
it got, and the finished file is downloaded through the private file
response. Every URL finds the letter through letters_visible_to, so staff
of another centre get 404; the job is the letter's, whoever asked for it."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from notices.admin.letter_screen import letter_screen
from notices.models import ArchiveStatus, LetterStatus, ReceiptsArchive
from notices.selectors import letters_visible_to
from notices.services.receipts_zip import receipts_digest, receipts_zip_request
from portal.audit import audit_record
from portal.files import private_file_response


def _stamped_letter(request, pk):
    letter = get_object_or_404(letters_visible_to(request.user).select_related("centre"), pk=pk)
    if letter.status != LetterStatus.STAMPED or not letter.pdf:
        raise Http404
    return letter


def _job_of(letter, job_pk) -> ReceiptsArchive:
    return get_object_or_404(ReceiptsArchive, letter=letter, pk=job_pk)


@letter_screen.route("<int:pk>/receipts-zip/", "receipts_zip_prepare")
@require_POST
def receipts_zip_prepare(request, pk):
    letter = _stamped_letter(request, pk)
    job = receipts_zip_request(letter=letter, actor=request.user, request=request)
    return redirect("notices_letters:receipts_zip_job", pk=letter.pk, job_pk=job.pk)


@letter_screen.route("<int:pk>/receipts-zip/<int:job_pk>/", "receipts_zip_job")
def receipts_zip_job(request, pk, job_pk):
    letter = _stamped_letter(request, pk)
    job = _job_of(letter, job_pk)
    return TemplateResponse(request, "notices/admin/receipts_zip.html", {
        "letter": letter, "job": job, "refresh": job.status == ArchiveStatus.QUEUED,
        "outdated": job.status == ArchiveStatus.READY and job.receipts_digest != receipts_digest(letter),
    })


@letter_screen.route("<int:pk>/receipts-zip/<int:job_pk>/receipts.zip", "receipts_zip")
def receipts_zip_download(request, pk, job_pk):
    letter = _stamped_letter(request, pk)
    job = _job_of(letter, job_pk)
    if job.status != ArchiveStatus.READY:
        raise Http404
    response = private_file_response(job.file, content_type="application/zip",
                                     download_name=f"letter-{letter.pk}-receipts.zip")
    audit_record(actor=request.user, action="letter.receipts_zip_downloaded", obj=letter, request=request,
                 details={"archive": job.pk, "sha256": job.sha256})
    return response
