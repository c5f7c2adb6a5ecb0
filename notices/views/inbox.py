"""Tenant side: my letters (/my/letters/). Thin views: the selector decides
whose deliveries a user reaches (their tenants' signatories only), the
services in notices.services.receipts (and its neighbours) do the rest."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from notices.forms import LetterQuestionForm, SignCodeRequestForm, SignForm
from notices.models import CertificateState, Delivery, LetterAttachment, Receipt
from notices.selectors import deliveries_for_signatory, inbox_page
from notices.services.attachments import attachment_of, attachment_response
from notices.services.letter_pages import PageImageError, letter_page_open
from notices.services.letter_questions import letter_question_raise
from notices.services.receipts import (
    AlreadySigned,
    SignError,
    delivery_mark_viewed,
    receipt_sign,
    signatory_contact,
)
from notices.services.sign_codes import sign_code_send
from portal.audit import audit_record
from portal.files import private_file_response, private_stream_response
from portal.keyset import BadCursor
from tenants.selectors.contacts import tenant_contacts_of


def _delivery_for(request, pk) -> Delivery:
    return get_object_or_404(deliveries_for_signatory(request.user).select_related("letter__centre", "tenant"), pk=pk)


def _receipt_of(delivery: Delivery) -> Receipt | None:
    return Receipt.objects.filter(delivery=delivery).first()


@login_required
@require_GET
def inbox(request):
    if not tenant_contacts_of(request.user).filter(may_sign=True).exists():
        raise PermissionDenied
    try:
        page = inbox_page(request.user, after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    except BadCursor:
        # An edited or stale page link: the first page, and say so.
        messages.info(request, _("That page link could not be read; here is the start of your letters."))
        page = inbox_page(request.user)
    return render(request, "notices/inbox/list.html", {"items": page.items, "page": page})


def _letter_page(request, delivery: Delivery, *, sign_form=None, question_form=None, status=200):
    receipt = _receipt_of(delivery)
    return render(
        request,
        "notices/inbox/letter.html",
        {
            "delivery": delivery, "letter": delivery.letter, "receipt": receipt,
            "attachments": LetterAttachment.objects.filter(letter=delivery.letter),
            "contact": signatory_contact(request.user, delivery),
            "code_form": SignCodeRequestForm(),
            "sign_form": sign_form or SignForm(initial={"pdf_sha256": delivery.pdf_sha256}),
            "question_form": question_form or LetterQuestionForm(),
            "questions": delivery.questions.select_related("service_request"),
            "pages": range(1, (delivery.letter.pdf_pages or 0) + 1),
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def letter(request, pk):
    delivery = _delivery_for(request, pk)
    delivery_mark_viewed(delivery=delivery, user=request.user, request=request)
    return _letter_page(request, delivery)


@login_required
@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def letter_pdf(request, pk):
    """The sealed PDF, inline (the browser's viewer, on a phone too). Opening
    the PDF counts as viewing the letter."""
    delivery = _delivery_for(request, pk)
    letter = delivery.letter
    response = private_file_response(letter.pdf, content_type="application/pdf", inline_name=f"{letter.doc_number}.pdf")
    delivery_mark_viewed(delivery=delivery, user=request.user, request=request)
    return response


@login_required
@require_GET
def letter_page_image(request, pk, page):
    """One page of the stamped letter as an image (made at stamping), what the
    letter page shows inline on a phone. Seeing the letter page already
    counted as viewing it."""
    delivery = _delivery_for(request, pk)
    try:
        handle = letter_page_open(letter=delivery.letter, page=page)
    except PageImageError as exc:
        raise Http404 from exc
    if handle is None:
        raise Http404
    return private_stream_response(handle, content_type="image/png")


@login_required
@require_GET
def attachment(request, pk, attachment_pk):
    delivery = _delivery_for(request, pk)
    found = attachment_of(delivery.letter, attachment_pk)
    audit_record(actor=request.user, action="letter.attachment_downloaded", obj=delivery.letter, request=request,
                 details={"attachment": found.pk, "sha256": found.sha256, "tenant": delivery.tenant.code})
    return attachment_response(found)


@login_required
@require_POST
def send_code(request, pk):
    delivery = _delivery_for(request, pk)
    form = SignCodeRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose email or SMS."))
        return redirect("notices_inbox:letter", pk=delivery.pk)
    try:
        sign_code_send(delivery=delivery, user=request.user, channel=form.cleaned_data["channel"], request=request)
    except SignError as exc:
        messages.error(request, str(exc))
    else:
        where = _("by SMS") if form.cleaned_data["channel"] == "sms" else _("by email")
        messages.success(request, _("We sent you a one-time code %(where)s. Enter it below to sign.") % {"where": where})
    return redirect("notices_inbox:letter", pk=delivery.pk)


@login_required
@require_POST
def sign(request, pk):
    delivery = _delivery_for(request, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _letter_page(request, delivery, sign_form=form, status=400)
    try:
        receipt_sign(
            delivery=delivery, user=request.user, pdf_sha256=form.cleaned_data["pdf_sha256"],
            code=form.cleaned_data.get("code", ""), password=form.cleaned_data.get("password", ""), request=request,
        )
    except AlreadySigned as exc:
        messages.info(request, str(exc))
        return redirect("notices_inbox:letter", pk=delivery.pk)
    except SignError as exc:
        form.add_error(None, str(exc))
        return _letter_page(request, delivery, sign_form=form, status=400)
    messages.success(request, _("Signed. Your receipt certificate is being sealed and will be ready to download in a moment."))
    return redirect("notices_inbox:letter", pk=delivery.pk)


@login_required
@require_POST
def question(request, pk):
    delivery = _delivery_for(request, pk)
    form = LetterQuestionForm(request.POST)
    if form.is_valid():
        try:
            q = letter_question_raise(delivery=delivery, user=request.user, subject=form.cleaned_data["subject"],
                                      description=form.cleaned_data["description"], request=request)
        except SignError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your question was sent to the centre as request %(number)s.") % {
                "number": q.service_request.number})
            return redirect("tenants:my_request", pk=q.service_request.pk)
    return _letter_page(request, delivery, question_form=form, status=400)


@login_required
@require_GET
def receipt_pdf(request, pk):
    delivery = _delivery_for(request, pk)
    receipt = _receipt_of(delivery)
    if receipt is None or receipt.certificate_state != CertificateState.READY:
        raise Http404
    response = private_file_response(receipt.certificate, content_type="application/pdf",
                                     download_name=f"{delivery.letter.doc_number}-签收回执.pdf")
    audit_record(actor=request.user, action="receipt.downloaded", obj=delivery.letter, request=request,
                 details={"receipt": receipt.pk})
    return response
