"""Staff letter page (status, approval history, PDF, hash, signature) and the PDF download."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import audit_record

from .models import LetterStatus, SealUse
from .pdf.sign import validate_pdf
from .selectors import letter_history, letter_recipients, letters_visible_to
from .services import LetterError, letter_retry_stamping


def _letter_for(request, pk):
    return get_object_or_404(letters_visible_to(request.user).select_related("centre", "drafter"), pk=pk)


def letter_detail(request, pk):
    letter = _letter_for(request, pk)
    validation = None
    if letter.status == LetterStatus.STAMPED and letter.pdf:
        seal_use = SealUse.objects.filter(letter=letter).first()
        with letter.pdf.open("rb") as fh:
            validation = validate_pdf(fh.read(), trust_cert_pem=seal_use.certificate_pem.encode() if seal_use else None)
    recipients = letter_recipients(letter)
    return TemplateResponse(
        request,
        "notices/admin/letter_detail.html",
        {
            "letter": letter,
            "history": letter_history(letter),
            "validation": validation,
            "recipient_count": recipients.count(),
            "recipients": recipients[:200],
            "can_retry": letter.status == LetterStatus.STAMPING_FAILED,
        },
    )


def letter_pdf(request, pk):
    letter = _letter_for(request, pk)
    if not letter.pdf:
        raise Http404
    audit_record(actor=request.user, action="letter.pdf_downloaded", obj=letter, request=request)
    response = FileResponse(letter.pdf.open("rb"), content_type="application/pdf", as_attachment=False,
                            filename=f"{letter.doc_number or letter.pk}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def letter_retry(request, pk):
    letter = _letter_for(request, pk)
    try:
        letter_retry_stamping(letter=letter, user=request.user, request=request)
    except PermissionDenied:
        raise
    except LetterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Stamping queued again."))
    return redirect("notices_letters:detail", pk=letter.pk)
