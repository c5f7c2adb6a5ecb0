"""Import and export of tenants, units and contacts in the Wagtail admin.

Upload → the file is stored and checked by a task (a dry run listing every
row's error), on a page that shows the rows done and refreshes itself →
confirm → a task writes every row or none → the same page shows the result.
The file waits on the server (an ImportJob keyed to the user), never in the
form, so the confirmed import reads exactly the bytes that were previewed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import audit_record
from tenants.admin.archive_screen import archive_screen
from tenants.forms.archive import ImportUploadForm
from tenants.imports.downloads import export_bytes, template_xlsx
from tenants.imports.resources import RESOURCE_LABELS, RESOURCES
from tenants.imports.sheets import ImportFileError
from tenants.models import ImportJob
from tenants.selectors.directory import (
    archive_centres_editable_by,
    centres_visible_to,
    contacts_visible_to,
    tenants_visible_to,
    units_visible_to,
)
from tenants.services.imports import (
    PROBLEMS_KEPT,
    ImportJobError,
    import_job_confirm,
    import_job_upload,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _import_centres(user):
    centres = archive_centres_editable_by(user)
    if not centres.exists():
        raise PermissionDenied
    return list(centres)


def _resource_choices():
    return [(key, label) for key, label in RESOURCE_LABELS.items()]


@archive_screen.route("import/", "import")
def import_start(request):
    """GET: the upload form. POST: store the file, queue its check, follow it."""
    _import_centres(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, resources=_resource_choices())
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_upload(actor=request.user, resource=form.cleaned_data["resource"],
                                    upload=form.cleaned_data["file"], request=request)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("tenants_archive:import_job", job.token)
    return TemplateResponse(request, "tenants/admin/import.html", {
        "form": form, "resources": _resource_choices(),
        "page_title": _("Import and export"), "header_icon": "upload",
    }, status=400 if form.errors else 200)


@archive_screen.route("import/<str:token>/confirm/", "import_confirm")
@require_POST
def import_confirm(request, token):
    _import_centres(request.user)
    job = get_object_or_404(ImportJob, token=token, user=request.user)
    try:
        import_job_confirm(actor=request.user, job=job, request=request)
    except ImportJobError as exc:
        messages.error(request, str(exc))
    return redirect("tenants_archive:import_job", job.token)


@archive_screen.route("import/<str:token>/", "import_job")
def import_job(request, token):
    """One import followed from its check to its result; the page refreshes
    itself while a task works on it."""
    _import_centres(request.user)
    job = get_object_or_404(ImportJob, token=token, user=request.user)
    working = job.status in (ImportJob.Status.PREVIEWING, ImportJob.Status.QUEUED)
    return TemplateResponse(request, "tenants/admin/import_job.html", {
        "job": job, "working": working, "label": RESOURCE_LABELS.get(job.resource, job.resource),
        "problems_cut": job.totals.get("invalid", 0) > PROBLEMS_KEPT, "problems_kept": PROBLEMS_KEPT,
        "page_title": _("Import and export"), "header_icon": "upload",
    })


@archive_screen.route("import/template/<slug:resource>/", "import_template")
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


@archive_screen.route("export/<slug:resource>.<slug:fmt>", "export")
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
