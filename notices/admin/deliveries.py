"""Staff side of delivery (on the letter page): who has signed, viewed or not
viewed, filters, XLSX export, "remind now", paper sign-off and the receipts
(the ZIP that keeps them with the letter, 4.8.6, is in receipts_zip.py).
Every URL finds the letter through letters_visible_to, so staff of another
centre get 404."""

from __future__ import annotations

import io
import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from notices.admin.letter_screen import letter_screen
from notices.forms import PaperReceiptForm
from notices.models import (
    ArchiveStatus,
    CertificateState,
    Delivery,
    LetterStatus,
    Receipt,
)
from notices.selectors import (
    DELIVERY_FILTERS,
    letter_deliveries,
    letter_delivery_counts,
    letters_visible_to,
    receipts_visible_to_staff,
)
from notices.services.followup import REMIND_ROLES, FollowUpError, letter_remind_now
from notices.services.receipts import (
    PAPER_ROLES,
    AlreadySigned,
    SignError,
    existing_receipt,
    receipt_record_paper,
)
from notices.services.receipts_zip import receipts_digest, receipts_zip_latest
from portal.access import has_role
from portal.audit import audit_record
from portal.files import private_file_response
from portal.spreadsheets import escape_formula


def _letter_for(request, pk):
    return get_object_or_404(letters_visible_to(request.user).select_related("centre"), pk=pk)


def delivery_context(request, letter) -> dict:
    """What the letter page shows about delivery (empty before stamping)."""
    if letter.status != LetterStatus.STAMPED:
        return {}
    show = request.GET.get("show", "all")
    show = show if show in DELIVERY_FILTERS else "all"
    counts = letter_delivery_counts(letter)
    return {
        "delivery_show": show,
        "delivery_filters": [(key, label, counts[key]) for key, label in _filter_labels()],
        "delivery_counts": counts,
        "deliveries": letter_deliveries(letter, show)[:1000],
        "may_remind": letter.requires_receipt and has_role(request.user, letter.centre, *REMIND_ROLES),
        "may_record_paper": has_role(request.user, letter.centre, *PAPER_ROLES),
        **_receipts_zip_context(letter),
    }


def _receipts_zip_context(letter) -> dict:
    """The letter's latest receipts ZIP: its progress, its download, or why
    it must be prepared again (it failed, or receipts came in since)."""
    job = receipts_zip_latest(letter)
    ready = job is not None and job.status == ArchiveStatus.READY
    return {"receipts_zip": job,
            "receipts_zip_outdated": ready and job.receipts_digest != receipts_digest(letter)}


def _filter_labels():
    return [("all", _("All")), ("signed", _("Signed")), ("viewed", _("Viewed, not signed")),
            ("not_viewed", _("Not viewed")), ("overdue", _("Overdue")),
            ("unknown", _("Notification outcome unknown")), ("refused", _("Notification refused"))]


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@letter_screen.route("<int:pk>/deliveries.xlsx", "deliveries_xlsx")
def letter_deliveries_xlsx(request, pk):
    from openpyxl import Workbook

    letter = _letter_for(request, pk)
    show = request.GET.get("show", "all")
    rows = letter_deliveries(letter, show if show in DELIVERY_FILTERS else "all").prefetch_related("tenant__units")
    wb = Workbook()
    ws = wb.active
    ws.title = _("Deliveries")[:31]
    ws.append([escape_formula(v) for v in (letter.doc_number, letter.title)])
    ws.append([
        _("Tenant code"), _("Tenant"), _("Units"), _("Delivered"), _("First viewed"), pgettext("time", "Signed"), _("Signed by"),
        _("Confirmed by"), _("IP address"), _("Reminders sent"), _("Overdue"),
    ])
    for d in rows:
        receipt = getattr(d, "receipt", None)
        ws.append([escape_formula(v) for v in (
            d.tenant.code, d.tenant.trading_name, d.tenant.unit_labels, _local(d.created_at), _local(d.first_viewed_at),
            _local(receipt.signed_at) if receipt else "", receipt.signer_name if receipt else "",
            receipt.get_method_display() if receipt else "", (receipt.ip_address or "") if receipt else "",
            d.reminder_count, _local(d.overdue_at),
        )])
    out = io.BytesIO()
    wb.save(out)
    audit_record(actor=request.user, action="letter.deliveries_exported", obj=letter, request=request)
    response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="letter-{letter.pk}-deliveries.xlsx"'
    return response


@letter_screen.route("<int:pk>/remind/", "remind")
@require_POST
def letter_remind_now_view(request, pk):
    letter = _letter_for(request, pk)
    try:
        n = letter_remind_now(letter=letter, actor=request.user, request=request)
    except FollowUpError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Reminders are on their way to %(n)s tenants.") % {"n": n})
    return redirect("notices_letters:detail", pk=letter.pk)


@letter_screen.route("<int:pk>/paper/<int:delivery_pk>/", "paper")
def paper_receipt(request, pk, delivery_pk):
    letter = _letter_for(request, pk)
    delivery = get_object_or_404(Delivery.objects.select_related("tenant", "letter"), letter=letter, pk=delivery_pk)
    if not has_role(request.user, letter.centre, *PAPER_ROLES):
        raise PermissionDenied
    form = PaperReceiptForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            receipt_record_paper(delivery=delivery, actor=request.user, signer_name=data["signer_name"],
                                 signed_at=data["signed_at"], scan=data["scan"], request=request)
        except AlreadySigned as exc:
            messages.info(request, str(exc))
            return redirect("notices_letters:detail", pk=letter.pk)
        except (SignError, ValidationError) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Paper receipt recorded for %(tenant)s.") % {"tenant": delivery.tenant.trading_name})
            return redirect("notices_letters:detail", pk=letter.pk)
    # Someone recorded it (or the tenant signed online) since the list was
    # shown: the page says who and when instead of offering the form.
    existing = existing_receipt(delivery) if request.method != "POST" else None
    return TemplateResponse(request, "notices/admin/paper_receipt.html",
                            {"letter": letter, "delivery": delivery, "form": form,
                             "already_signed": str(AlreadySigned(existing)) if existing else ""},
                            status=400 if form.errors else 200)


def _receipt_for(request, receipt_pk) -> Receipt:
    return get_object_or_404(receipts_visible_to_staff(request.user).select_related("letter", "tenant"), pk=receipt_pk)


@letter_screen.route("receipts/<int:receipt_pk>/certificate/", "receipt_certificate")
def receipt_certificate(request, receipt_pk):
    receipt = _receipt_for(request, receipt_pk)
    if receipt.certificate_state != CertificateState.READY:
        raise Http404
    return private_file_response(receipt.certificate, content_type="application/pdf",
                                 download_name=f"{receipt.letter.doc_number}-{receipt.tenant.code}-签收回执.pdf")


@letter_screen.route("receipts/<int:receipt_pk>/scan/", "receipt_scan")
def receipt_scan(request, receipt_pk):
    receipt = _receipt_for(request, receipt_pk)
    if not receipt.scan:
        raise Http404
    ext = os.path.splitext(receipt.scan.name)[1].lower()
    content_type = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif",
                    ".webp": "image/webp"}.get(ext, "application/octet-stream")
    response = private_file_response(receipt.scan, content_type=content_type,
                                     download_name=f"{receipt.letter.doc_number}-{receipt.tenant.code}-scan{ext}")
    audit_record(actor=request.user, action="receipt.scan_downloaded", obj=receipt.letter, request=request,
                 details={"receipt": receipt.pk})
    return response
