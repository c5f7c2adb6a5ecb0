"""Archive documents and confidential access in the Wagtail admin.

Every page finds its tenant or document through the selectors (404 outside
the user's centres), every write goes through tenants.services.archive, and
every view, download and change is written to the audit trail."""

from __future__ import annotations

import mimetypes
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import has_role
from portal.audit import audit_record
from portal.files import private_stream_response
from tenants.admin.archive_screen import archive_screen
from tenants.admin.feedback import act_and_tell
from tenants.forms.archive import AccessRequestForm, DocumentForm
from tenants.models import (
    AccessGrantStatus,
    ArchiveAccessGrant,
    ArchiveDocument,
    DocumentKind,
)
from tenants.selectors.archive import (
    access_grants_visible_to,
    documents_listing_for,
    documents_mark_masked,
    has_confidential_permission,
    may_see_confidential,
    tenant_documents_for,
)
from tenants.selectors.directory import (
    ARCHIVE_EDIT_ROLES,
    centres_visible_to,
    is_centre_manager,
    tenants_visible_to,
)
from tenants.services.archive import (
    ArchiveError,
    access_decide,
    access_request,
    document_open,
    document_upload,
)

SOON_DAYS = 30


def _tenant_or_404(user, pk):
    return get_object_or_404(tenants_visible_to(user).select_related("centre"), pk=pk)


def _document_or_404(user, pk):
    return get_object_or_404(
        ArchiveDocument.objects.filter(tenant__in=tenants_visible_to(user)).select_related("tenant__centre"), pk=pk
    )


def expiry_flag(doc, today) -> str:
    left = doc.days_left(today)
    if left is None or not doc.is_current:
        return ""
    if left < 0:
        return "expired"
    if left <= SOON_DAYS:
        return "soon"
    return ""


@archive_screen.route("tenant/<int:tenant_pk>/documents/", "documents")
def tenant_documents(request, tenant_pk):
    tenant = _tenant_or_404(request.user, tenant_pk)
    docs, may_see = tenant_documents_for(request.user, tenant)
    today = timezone.localdate()
    for doc in docs:
        doc.flag = expiry_flag(doc, today)
    pending = ArchiveAccessGrant.objects.filter(
        tenant=tenant, requested_by=request.user, status=AccessGrantStatus.PENDING
    ).exists()
    audit_record(actor=request.user, action="archive.documents_viewed", obj=tenant, request=request,
                 details={"confidential_shown": may_see})
    return TemplateResponse(request, "tenants/admin/documents.html", {
        "tenant": tenant, "docs": docs, "may_see": may_see,
        "may_edit": has_role(request.user, tenant.centre, *ARCHIVE_EDIT_ROLES),
        "may_ask": not may_see and not has_confidential_permission(request.user) and not pending,
        "pending": pending, "access_form": AccessRequestForm(),
        "page_title": _("Documents of %(tenant)s") % {"tenant": tenant.trading_name}, "header_icon": "doc-full",
    })


def _upload_view(request, *, tenant, replaces=None):
    if not has_role(request.user, tenant.centre, *ARCHIVE_EDIT_ROLES):
        raise PermissionDenied
    if replaces is not None and replaces.is_confidential and not may_see_confidential(request.user, tenant):
        raise PermissionDenied
    may_confidential = may_see_confidential(request.user, tenant)
    initial = {}
    if replaces is not None:
        initial = {"kind": replaces.kind, "title": replaces.title, "confidentiality": replaces.confidentiality,
                   "tenant_renews": replaces.tenant_renews, "issued_on": replaces.issued_on}
    form = DocumentForm(request.POST or None, request.FILES or None, initial=initial,
                        may_choose_confidential=may_confidential)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            doc = document_upload(
                actor=request.user, tenant=tenant, kind=data["kind"], title=data["title"], upload=data["file"],
                issued_on=data["issued_on"], expires_on=data["expires_on"], confidentiality=data["confidentiality"],
                tenant_renews=data["tenant_renews"], replaces=replaces, request=request,
            )
        except ArchiveError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, _("Document “%(title)s” filed.") % {"title": doc.title})
            return redirect("tenants_archive:documents", tenant.pk)
    title = _("Replace “%(title)s”") % {"title": replaces.title} if replaces else _("File a document")
    return TemplateResponse(request, "tenants/admin/document_form.html", {
        "form": form, "tenant": tenant, "replaces": replaces, "page_title": title, "header_icon": "doc-full",
    }, status=400 if form.errors else 200)


@archive_screen.route("tenant/<int:tenant_pk>/documents/new/", "document_new")
def document_new(request, tenant_pk):
    return _upload_view(request, tenant=_tenant_or_404(request.user, tenant_pk))


@archive_screen.route("documents/<int:pk>/replace/", "document_replace")
def document_replace(request, pk):
    doc = _document_or_404(request.user, pk)
    if not doc.is_current:
        messages.error(request, _("This document was already replaced by a newer version."))
        return redirect("tenants_archive:documents", doc.tenant_id)
    return _upload_view(request, tenant=doc.tenant, replaces=doc)


@archive_screen.route("documents/<int:pk>/download/", "document_download")
def document_download(request, pk):
    doc = _document_or_404(request.user, pk)
    try:
        handle = document_open(actor=request.user, document=doc, request=request)
    except PermissionDenied:
        raise
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    name = doc.original_name or doc.file.name.rsplit("/", 1)[-1]
    return private_stream_response(handle, content_type=mimetypes.guess_type(doc.file.name)[0], download_name=name)


@archive_screen.route("documents/", "documents_index")
def documents_index(request):
    """Current documents of the user's centres, with expiry flags."""
    centres = centres_visible_to(request.user)
    if not centres.exists():
        raise PermissionDenied
    qs = documents_listing_for(request.user)
    centre = request.GET.get("centre") or ""
    kind = request.GET.get("kind") or ""
    expiring = request.GET.get("expiring") or ""
    if centre.isdigit():
        qs = qs.filter(tenant__centre_id=int(centre))
    if kind in DocumentKind.values:
        qs = qs.filter(kind=kind)
    today = timezone.localdate()
    if expiring == "expired":
        qs = qs.filter(expires_on__lt=today)
    elif expiring.isdigit():
        days = min(int(expiring), 3660)  # a guessed huge number must not overflow the date
        qs = qs.filter(expires_on__isnull=False, expires_on__lte=today + timedelta(days=days))
    qs = qs.order_by("expires_on", "tenant__code", "kind")
    page = Paginator(qs, 50).get_page(request.GET.get("p"))
    for doc in page:
        doc.flag = expiry_flag(doc, today)
    documents_mark_masked(request.user, page.object_list)
    audit_record(actor=request.user, action="archive.documents_listed", request=request,
                 details={"centre": centre, "kind": kind, "expiring": expiring})
    return TemplateResponse(request, "tenants/admin/documents_index.html", {
        "page": page, "centres": centres, "kinds": DocumentKind.choices, "centre": centre, "kind": kind,
        "expiring": expiring, "page_title": _("Archive documents"), "header_icon": "doc-full",
    })


# --- confidential access -------------------------------------------------------------


@archive_screen.route("tenant/<int:tenant_pk>/access/", "access_ask")
@require_POST
def access_ask(request, tenant_pk):
    tenant = _tenant_or_404(request.user, tenant_pk)
    act_and_tell(request, AccessRequestForm(request.POST), lambda data: access_request(
        actor=request.user, tenant=tenant, reason=data["reason"], hours=data["hours"], request=request,
    ), (ArchiveError,), _("Your request was sent to the centre's managers."))
    return redirect("tenants_archive:documents", tenant.pk)


@archive_screen.route("access/", "access")
def access_index(request):
    if not centres_visible_to(request.user).exists():
        raise PermissionDenied
    grants = list(access_grants_visible_to(request.user).select_related(
        "tenant", "tenant__centre", "requested_by", "decided_by"
    )[:300])
    for grant in grants:
        grant.may_decide = (
            grant.status == AccessGrantStatus.PENDING and grant.requested_by_id != request.user.pk
            and is_centre_manager(request.user, grant.tenant.centre)
        )
    return TemplateResponse(request, "tenants/admin/access_index.html", {
        "grants": grants, "page_title": _("Confidential access requests"), "header_icon": "lock",
    })


@archive_screen.route("access/<int:pk>/<slug:decision>/", "access_decide")
@require_POST
def access_decision(request, pk, decision):
    grant = get_object_or_404(access_grants_visible_to(request.user), pk=pk)
    if decision not in ("grant", "refuse"):
        raise Http404
    try:
        access_decide(actor=request.user, grant=grant, approve=decision == "grant", request=request)
    except ArchiveError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Access granted.") if decision == "grant" else _("Access refused."))
    return redirect(reverse("tenants_archive:access"))
