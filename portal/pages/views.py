"""Tenant- and public-side views around the published pages: search, notice
attachments, the handbook PDF and the acknowledgement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Page

from portal.files import private_stream_response
from portal.models.handbook import HandbookEdition
from portal.models.pages import NoticeAttachment
from portal.pdf.kept import kept_name, reader_pdf_language
from portal.search import segment_query
from portal.uploads import sniff

from .handbook import HandbookError, handbook_acknowledge
from .privacy import page_visible_to, pages_visible_to

MAX_QUERY = 100


@require_GET
def search(request):
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    # Only the words reach the backend (see portal.search.segment_query).
    words = segment_query(query)
    results = []
    if words:
        pages = pages_visible_to(request.user, Page.objects.live().filter(depth__gt=2))
        results = list(pages.search(words, operator="or")[:50])
    return render(request, "portal/pages/search.html", {"query": query, "results": results})


def _private_file(fileobj, name: str, *, inline: bool) -> FileResponse:
    head = fileobj.read(2048)
    fileobj.seek(0)
    kind = sniff(head)
    content_type = "application/pdf" if kind and kind[0] == "pdf" else "application/octet-stream"
    return private_stream_response(fileobj, content_type=content_type, download_name=None if inline else name,
                                   inline_name=name if inline else None)


@require_GET
def notice_attachment(request, page_id: int, attachment_id: int):
    """Attachments follow their notice's privacy; Wagtail's own document URLs
    are closed to everyone but staff (see wagtail_hooks)."""
    attachment = get_object_or_404(NoticeAttachment.objects.select_related("document", "page"), pk=attachment_id, page_id=page_id)
    page = attachment.page
    if not page_visible_to(page, request.user):
        if not request.user.is_authenticated:
            return redirect(f"{_login_url()}?next={request.get_full_path()}")
        raise Http404
    document = attachment.document
    document.file.open("rb")
    return _private_file(document.file, document.filename, inline=False)


def _login_url():
    from django.urls import reverse

    return reverse("account_login")


@require_GET
def handbook_pdf(request, edition_id: int):
    edition = get_object_or_404(HandbookEdition.objects.select_related("handbook"), pk=edition_id)
    handbook = edition.handbook.specific
    if not page_visible_to(handbook, request.user):
        if not request.user.is_authenticated:
            return redirect(f"{_login_url()}?next={request.get_full_path()}")
        raise Http404
    # In the reader's language: the file kept for it (portal.pdf.kept).
    language = reader_pdf_language(request)
    pdf = edition.pdf_in(language)
    if not pdf:
        messages.info(request, _("The PDF of this edition is being prepared. Please try again in a minute."))
        return redirect(handbook.url)
    pdf.open("rb")
    return _private_file(pdf, kept_name(f"handbook-{edition.number}", language), inline=True)


@login_required
@require_POST
def handbook_ack(request, edition_id: int):
    edition = get_object_or_404(HandbookEdition.objects.select_related("handbook"), pk=edition_id)
    handbook = edition.handbook.specific
    if not page_visible_to(handbook, request.user):
        raise Http404
    try:
        recorded = handbook_acknowledge(user=request.user, edition=edition, request=request)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except HandbookError as exc:
        messages.error(request, str(exc))
    else:
        if recorded:
            messages.success(request, _("Thank you: your acknowledgement of %(edition)s is recorded.") % {"edition": edition.label})
        else:
            messages.info(request, _("This edition was already acknowledged for your shop."))
    return redirect(handbook.url)
