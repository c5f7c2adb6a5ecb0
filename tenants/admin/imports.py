"""Import and export of tenants, units and contacts in the Wagtail admin.

Upload → dry run with every row's error → confirm. The uploaded file waits
on the server (an ImportJob keyed to the user), never in the form, so the
confirmed import reads exactly the bytes that were previewed."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import audit_record
from tenants.forms.archive import ImportUploadForm
from tenants.imports.downloads import export_bytes, template_xlsx
from tenants.imports.resources import RESOURCE_LABELS, RESOURCES
from tenants.imports.running import run_import
from tenants.imports.sheets import ImportFileError, read_sheet
from tenants.models import ImportJob
from tenants.selectors.directory import (
    archive_centres_editable_by,
    centres_visible_to,
    contacts_visible_to,
    tenants_visible_to,
    units_visible_to,
)
from tenants.services.imports import ImportJobError, import_job_confirm

JOB_LIFETIME = timedelta(hours=24)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _import_centres(user):
    centres = archive_centres_editable_by(user)
    if not centres.exists():
        raise PermissionDenied
    return list(centres)


def _resource_choices():
    return [(key, label) for key, label in RESOURCE_LABELS.items()]


def _render(request, form, *, outcome=None, job=None, status=200):
    return TemplateResponse(request, "tenants/admin/import.html", {
        "form": form, "outcome": outcome, "job": job, "resources": _resource_choices(),
        "page_title": _("Import and export"), "header_icon": "upload",
    }, status=status)


def import_start(request):
    """GET: the upload form. POST: store the file, dry-run it, show the preview."""
    centres = _import_centres(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, resources=_resource_choices())
    if request.method != "POST" or not form.is_valid():
        return _render(request, form, status=400 if form.errors else 200)
    key = form.cleaned_data["resource"]
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        dataset, fmt = read_sheet(data, RESOURCES[key])
    except ImportFileError as exc:
        form.add_error("file", str(exc))
        return _render(request, form, status=400)
    outcome = run_import(dataset, RESOURCES[key], centres=centres, dry_run=True)
    # Old previews of this user are dropped: one pending import at a time.
    for old in ImportJob.objects.filter(user=request.user, status=ImportJob.Status.PREVIEWED):
        old.file.delete(save=False)
        old.delete()
    job = ImportJob(token=uuid.uuid4().hex, user=request.user, resource=key, file_format=fmt,
                    original_name=(upload.name or "")[:255], valid=outcome.ok,
                    totals={"total": outcome.total, "new": outcome.new, "update": outcome.updated,
                            "invalid": len(outcome.problems)})
    job.file.save(f"{request.user.pk}-{job.token}.{fmt}", ContentFile(data), save=False)
    job.save()
    audit_record(actor=request.user, action="archive.import_previewed", request=request,
                 details={"resource": key, "file": job.original_name, **job.totals})
    return _render(request, ImportUploadForm(resources=_resource_choices()), outcome=outcome, job=job)


@require_POST
def import_confirm(request, token):
    _import_centres(request.user)
    job = get_object_or_404(ImportJob, token=token, user=request.user, status=ImportJob.Status.PREVIEWED)
    if job.created_at < timezone.now() - JOB_LIFETIME:
        messages.error(request, _("This preview is too old. Upload the file again."))
        return redirect("tenants_archive:import")
    try:
        import_job_confirm(actor=request.user, job=job, request=request)
    except ImportJobError as exc:
        messages.error(request, str(exc))
        return redirect("tenants_archive:import")
    return redirect("tenants_archive:import_job", job.token)


def import_job(request, token):
    """Where the confirmed import is followed until it is done."""
    _import_centres(request.user)
    job = get_object_or_404(ImportJob, token=token, user=request.user)
    return TemplateResponse(request, "tenants/admin/import_job.html", {
        "job": job, "running": job.status == ImportJob.Status.QUEUED,
        "page_title": _("Import and export"), "header_icon": "upload",
    })


def import_template(request, resource):
    _import_centres(request.user)
    if resource not in RESOURCES:
        raise Http404
    response = HttpResponse(template_xlsx(RESOURCES[resource]), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{resource}-template.xlsx"'
    return response


_EXPORT_SCOPES = {
    "tenants": lambda user: tenants_visible_to(user).select_related("centre").prefetch_related("units"),
    "units": lambda user: units_visible_to(user).select_related("centre", "tenant"),
    "contacts": lambda user: contacts_visible_to(user).select_related("tenant__centre"),
}


def export(request, resource, fmt):
    if resource not in RESOURCES or fmt not in ("xlsx", "csv"):
        raise Http404
    if not centres_visible_to(request.user).exists():
        raise PermissionDenied
    queryset = _EXPORT_SCOPES[resource](request.user)
    body = export_bytes(RESOURCES[resource], queryset, fmt)
    audit_record(actor=request.user, action="archive.exported", request=request,
                 details={"resource": resource, "format": fmt})
    response = HttpResponse(body, content_type=XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{resource}-{timezone.localdate():%Y%m%d}.{fmt}"'
    return response
