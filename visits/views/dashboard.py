"""The managers' dashboard in the Wagtail admin: targets against goals,
charts, drill-down lists and exports. Managers and operations staff see
their centres (an operator-wide manager every centre); tenants nothing."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.admin_menu import AdminScreen, MenuEntry
from portal.audit import audit_record
from portal.files import private_file_response
from portal.models.accounts import User
from tenants.models import Tier

from ..exports.jobs import export_request_create
from ..exports.xlsx import dashboard_xlsx
from ..forms import DashboardFilterForm, ExportRequestForm
from ..models import AuditExport, ExportStatus
from ..selectors import dashboard_centres_for, sees_dashboard
from ..selectors import targets as t
from ..selectors.dashboard import dashboard_data, meeting_gaps
from ..selectors.target_lists import narrowed

DRILLS = {
    "overdue": gettext_lazy("Overdue visits"),
    "behind": gettext_lazy("Tenants not visited as often as their tier requires"),
    "not_met": gettext_lazy("Tenants who attended no tenant meeting this year"),
    "not_on_site": gettext_lazy("Tenants not visited in person this year"),
    "unanswered": gettext_lazy("Meeting suggestions not answered"),
    "unsatisfied": gettext_lazy("Tenants who gave a score below 4"),
    "unsigned": gettext_lazy("Letters not yet signed for"),
}


FIGURE_DRILLS = {
    "visit_rate": "behind", "attainment": "overdue", "face_to_face": "not_met", "on_site": "not_on_site", "suggestion_reply": "unanswered",
    "satisfaction": "unsatisfied", "sign_for": "unsigned",
}

screen = AdminScreen("visits/dashboard/", "visits_dashboard",
                     MenuEntry(gettext_lazy("Relationship targets"), "index", sees_dashboard, "table", 211))


def _scope(request):
    centres_qs = dashboard_centres_for(request.user)
    centres = list(centres_qs.select_related("operator").order_by("name"))
    if not centres:
        raise PermissionDenied
    today = timezone.localdate()
    form = DashboardFilterForm(request.GET or None, centres=centres_qs, initial={"year": today.year})
    year = today.year
    if form.is_valid():
        year = form.cleaned_data.get("year") or year
        if form.cleaned_data.get("centre"):
            centres = [c for c in centres if c.pk == form.cleaned_data["centre"].pk]
    return form, centres, t.period_for(year, today)


def _query(request) -> str:
    return request.GET.urlencode()


@screen.route("", "index")
def dashboard(request):
    form, centres, period = _scope(request)
    data = dashboard_data(centres=centres, period=period, cache_seconds=settings.ATRIUM_DASHBOARD_CACHE_SECONDS)
    query = _query(request)
    links = {key: f"{reverse('visits_dashboard:drill', args=[kind])}?{query}" for key, kind in FIGURE_DRILLS.items()}
    # Deadlines are the service desk's: its log lists the overdue requests.
    links["response"] = links["resolution"] = reverse("wagtailsnippets_tenants_servicerequest:list") + "?overdue=true"
    data["cards"] = [(key, fig, links.get(key)) for key, fig in data["figures"].items()]
    _link_breakdowns(request, data["breakdowns"])
    data.update({"form": form, "query": query, "drills": DRILLS, "meeting_gaps": meeting_gaps(centres, period),
                 "export_form": ExportRequestForm(initial={"start": date(period.year, 1, 1), "end": period.as_of}),
                 "exports": AuditExport.objects.filter(requested_by=request.user)[:5]})
    return TemplateResponse(request, "visits/admin/dashboard.html", data)


def _link_breakdowns(request, tables) -> None:
    """A staff member's or a tier's cell opens its figure's drill-down list
    narrowed to that person or tier."""
    for table in tables:
        if table.group not in ("staff", "tier"):
            continue
        for key, _label, cells in table.rows:
            for cell in cells:
                kind = FIGURE_DRILLS.get(cell[0])
                if kind and cell[1] is not None and key is not None:
                    query = request.GET.copy()
                    query[table.group] = key
                    cell[2] = f"{reverse('visits_dashboard:drill', args=[kind])}?{query.urlencode()}"


def drill_queryset(kind: str, centre_ids, period):
    if kind == "overdue":
        return t.overdue_visits(centre_ids, period).select_related("tenant", "assignee", "centre").order_by("window_end")
    if kind == "behind":
        return t.tenants_behind_on_visits(centre_ids, period).select_related("centre").order_by("centre", "code")
    if kind == "not_met":
        return t.tenants_not_met(centre_ids, period).select_related("centre").order_by("centre", "code")
    if kind == "not_on_site":
        return t.tenants_not_visited_in_person(centre_ids, period).select_related("centre").order_by("centre", "code")
    if kind == "unanswered":
        return t.suggestions(centre_ids, period).filter(responded_at__isnull=True).select_related("tenant", "centre")
    if kind == "unsigned":
        from notices.selectors import unsigned_deliveries

        return unsigned_deliveries(centres=centre_ids, start=period.start, end=period.end).select_related(
            "centre", "tenant", "letter").order_by("letter__sign_by", "centre", "tenant__code")
    if kind == "unsatisfied":
        return t.unsatisfied_tenants(centre_ids, period).select_related("centre").order_by("centre", "code")
    raise Http404


@screen.route("drill/<slug:kind>/", "drill")
def drill(request, kind):
    if kind not in DRILLS:
        raise Http404
    form, centres, period = _scope(request)
    staff, tier = _drill_narrowing(request)
    rows = narrowed(kind, drill_queryset(kind, [c.pk for c in centres], period), period, staff=staff, tier=tier)
    return TemplateResponse(request, "visits/admin/drill.html", {
        "kind": kind, "title": DRILLS[kind], "rows": rows[:1000], "period": period, "query": _query(request),
        "narrowed_to": _narrowing_label(staff, tier, centres),
    })


def _drill_narrowing(request) -> tuple[int | None, str | None]:
    """?staff=<id>&tier=<tier> from a breakdown's cell; anything else is ignored."""
    staff, tier = request.GET.get("staff", ""), request.GET.get("tier", "")
    return (int(staff) if staff.isdigit() and len(staff) < 10 else None), (tier if tier in Tier.values else None)


def _narrowing_label(staff: int | None, tier: str | None, centres) -> str:
    parts = []
    if staff is not None:
        # Named only if they work at one of the centres shown: an id is not a way to look people up.
        user = User.objects.filter(pk=staff, memberships__operator__in={c.operator_id for c in centres}).first()
        parts.append(str(user) if user else "—")
    if tier is not None:
        parts.append(str(Tier(tier).label))
    return " · ".join(parts)


@screen.route("export.xlsx", "xlsx")
def export_xlsx(request):
    form, centres, period = _scope(request)
    data = dashboard_data(centres=centres, period=period)
    overdue = drill_queryset("overdue", [c.pk for c in centres], period)[:5000]
    content = dashboard_xlsx(data, overdue=overdue)
    audit_record(actor=request.user, action="visits.dashboard_exported", details={"year": period.year,
                 "centres": [c.pk for c in centres]}, request=request)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="targets-{period.year}.xlsx"'
    return response


@screen.route("exports/", "export_request")
@require_POST
def export_request(request):
    form, centres, period = _scope(request)
    export_form = ExportRequestForm(request.POST)
    if not export_form.is_valid():
        messages.error(request, _("Choose a valid period."))
        return redirect(reverse("visits_dashboard:index") + "?" + _query(request))
    d = export_form.cleaned_data
    job = export_request_create(actor=request.user, centres=centres, kind=d["kind"], start=d["start"], end=d["end"],
                                request=request)
    return redirect("visits_dashboard:export", pk=job.pk)


@screen.route("exports/<int:pk>/", "export")
def export_status(request, pk):
    job = get_object_or_404(AuditExport, pk=pk, requested_by=request.user)
    return TemplateResponse(request, "visits/admin/export.html", {"job": job, "refresh": job.status == ExportStatus.QUEUED})


@screen.route("exports/<int:pk>/download/", "export_download")
def export_download(request, pk):
    job = get_object_or_404(AuditExport, pk=pk, requested_by=request.user, status=ExportStatus.READY)
    # The centres of a pack may have been taken away from its requester since.
    allowed = set(dashboard_centres_for(request.user).values_list("pk", flat=True))
    if not set(job.centre_ids) <= allowed:
        raise Http404
    ext = "pdf" if job.kind == "pdf" else "zip"
    audit_record(actor=request.user, action="visits.export_downloaded", obj=job, request=request)
    return private_file_response(job.file, download_name=f"audit-{job.start:%Y%m%d}-{job.end:%Y%m%d}.{ext}")
