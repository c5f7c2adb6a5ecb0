"""The request log in the Wagtail admin: a centre-scoped listing with
filters, a timeline page with reply / assign / reclassify / close / reopen
forms, and a form to record a request taken by phone, at the window or on a visit.

Every write goes through tenants.services.requests; the snippet's own edit and delete
views are refused by the permission policy, so nothing bypasses the
deadlines, the timeline or the audit trail."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy

from portal.admin_columns import (
    ClippedColumn,
    DeskListTable,
    ShortDateTimeColumn,
    field_column,
)
from portal.admin_scoping import (
    InspectRowsIndexView,
    ScopedInspectView,
    ScopedSnippetViewSet,
)
from portal.audit import audit_record
from portal.form_actions import form_action, form_status
from tenants.admin.feedback import form_errors_to_messages, refusal_to_messages
from tenants.admin.filters import centre_filter, day_range_filters
from tenants.admin.policies import CentreSettingViewSet, DeskRecordPermissionPolicy
from tenants.exports import record_pdf, record_queryset, record_xlsx
from tenants.forms.archive import HoldForm, RecordingForm, ReleaseForm
from tenants.forms.requests import (
    AssignForm,
    CloseForm,
    ReasonForm,
    ReclassifyForm,
    RecordFormExportForm,
    StaffReplyForm,
    StaffRequestForm,
)
from tenants.models import (
    Channel,
    DeadlinePolicy,
    RequestCategory,
    RequestStatus,
    ServiceRequest,
    Severity,
)
from tenants.selectors.directory import centres_visible_to
from tenants.selectors.requests import (
    handles_requests,
    may_assign,
    may_reclassify,
    may_work_on,
    request_centres_handled_by,
    request_timeline_for,
    requests_listing_for,
    requests_visible_to_staff,
)
from tenants.services.recordings import RecordingError, request_log_call
from tenants.services.request_status import request_close, request_reopen
from tenants.services.requests import (
    RequestError,
    request_assign,
    request_reclassify,
    request_reply,
)

register_permission_policy(ServiceRequest, DeskRecordPermissionPolicy(ServiceRequest), exact_class=True)


class OverdueFilter(django_filters.BooleanFilter):
    def filter(self, qs, value):
        if value is True:
            return qs.filter(pk__in=ServiceRequest.objects.overdue().values("pk"))
        if value is False:
            return qs.exclude(pk__in=ServiceRequest.objects.overdue().values("pk"))
        return qs


class AssignedToMeFilter(django_filters.BooleanFilter):
    def filter(self, qs, value):
        return qs.filter(assignee=self.parent.request.user) if value is True else qs


class ServiceRequestFilterSet(WagtailFilterSet):
    centre = centre_filter()
    status = django_filters.ChoiceFilter(label=gettext_lazy("status"), choices=RequestStatus.choices)
    category = django_filters.ChoiceFilter(label=gettext_lazy("category"), choices=RequestCategory.choices)
    severity = django_filters.ChoiceFilter(label=gettext_lazy("severity"), choices=Severity.choices)
    channel = django_filters.ChoiceFilter(label=gettext_lazy("channel"), choices=Channel.choices)
    overdue = OverdueFilter(label=pgettext_lazy("response deadline", "Overdue"))
    assigned_to_me = AssignedToMeFilter(label=gettext_lazy("Assigned to me"))
    is_repeat_complaint = django_filters.BooleanFilter(label=gettext_lazy("repeat complaint"))
    received_from, received_to = day_range_filters(
        "created_at", gettext_lazy("received from"), gettext_lazy("received until")
    )

    class Meta:
        model = ServiceRequest
        fields = ["centre", "status", "category", "severity", "channel", "is_repeat_complaint"]


class DeadlineColumn(ShortDateTimeColumn):
    """The response deadline, short (a request's is hours or days away), with
    a red "overdue" tag when the request is past any of its deadlines (so it
    is seen without filtering)."""

    cell_template_name = "tenants/admin/deadline_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["overdue"] = instance.is_overdue()
        return context


class RequestTable(DeskListTable):
    """Staff see a late request at a glance: its whole row is marked."""

    def get_row_classname(self, instance):
        return "request-overdue" if instance.is_overdue() else ""


class RequestIndexView(InspectRowsIndexView):
    table_class = RequestTable

    def more_header_buttons(self):
        return [
            HeaderButton(_("Record form (XLSX / PDF)"), url=reverse("wagtailsnippets_tenants_servicerequest:record_form"),
                         icon_name="download"),
        ]


class RequestInspectView(ScopedInspectView):
    template_name = "tenants/admin/request_inspect.html"
    visible_to = staticmethod(requests_visible_to_staff)
    related = ("tenant", "centre", "contact", "assignee")
    audit_action = "request.viewed"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sr = self.object
        user = self.request.user
        handler = handles_requests(user, sr.centre)
        context.update(
            sr=sr,
            timeline=request_timeline_for(sr, staff=True),
            milestones=sr.milestones(),
            may_act=may_work_on(user, sr),
            may_assign=may_assign(user, sr),
            may_reclassify=may_reclassify(user, sr),
            reply_form=StaffReplyForm(initial_answer=sr.awaits_initial_answer),
            assign_form=AssignForm(centre=sr.centre, initial={"assignee": sr.assignee_id, "department": sr.department}),
            reclassify_form=ReclassifyForm(initial={"category": sr.category, "severity": sr.severity}),
            close_form=CloseForm(),
            reopen_form=ReasonForm(),
            staff_view=True,
        )
        if handler:
            recordings = list(sr.recordings.select_related("uploaded_by").prefetch_related("holds__held_by"))
            for rec in recordings:
                rec.active_hold = next((h for h in rec.holds.all() if h.released_at is None), None)
            context.update(
                recordings=recordings, recording_form=RecordingForm(), hold_form=HoldForm(), release_form=ReleaseForm(),
                recording_add_url=reverse("tenants_recordings:add", args=[sr.pk]),
                retention_days=DeadlinePolicy.recording_retention(sr.centre),
            )
        for name in ("reply", "assign", "reclassify", "close", "reopen"):
            context[f"{name}_url"] = reverse("wagtailsnippets_tenants_servicerequest:act", args=[sr.pk, name])
        return context


@require_POST
def request_action(request, pk, action):
    """POST target of the timeline page's forms. Scoped by the viewset's URL
    wrapper (404 for a request outside the user's centres); the service
    decides whether this person may do this now."""
    sr = get_object_or_404(requests_visible_to_staff(request.user).select_related("centre"), pk=pk)
    back = reverse("wagtailsnippets_tenants_servicerequest:inspect", args=[sr.pk])
    form_classes = {
        "reply": lambda: StaffReplyForm(request.POST, request.FILES, initial_answer=sr.awaits_initial_answer),
        "assign": lambda: AssignForm(request.POST, centre=sr.centre),
        "reclassify": lambda: ReclassifyForm(request.POST),
        "close": lambda: CloseForm(request.POST),
        "reopen": lambda: ReasonForm(request.POST),
    }
    if action not in form_classes:
        raise PermissionDenied
    form = form_classes[action]()
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(back)
    data = form.cleaned_data
    try:
        if action == "reply":
            request_reply(actor=request.user, service_request=sr, body=data["body"], internal=data["internal"],
                          initial_answer=data.get("initial_answer", False), photos=data["photos"], request=request)
            # A public post's request (no tenant) has no tenant to tell: the
            # poster hears through the board's reviewed reply.
            messages.success(request, _("Note saved.") if data["internal"] else (
                _("Reply sent to the tenant.") if sr.tenant_id else _("Saved.")))
        elif action == "assign":
            request_assign(actor=request.user, service_request=sr, assignee=data["assignee"],
                           department=data["department"], request=request)
            messages.success(request, _("Assignment saved."))
        elif action == "reclassify":
            changed = request_reclassify(actor=request.user, service_request=sr, category=data["category"],
                                         severity=data["severity"], reason=data["reason"], request=request)
            messages.success(request, _("Category corrected; the deadlines follow it.") if changed
                             else _("The request already had this category and severity; nothing changed."))
        elif action == "close":
            request_close(actor=request.user, service_request=sr, resolution=data["resolution"], request=request)
            rated_by_tenant = sr.tenant_id and not sr.from_public_post
            messages.success(request, _("The request is closed; the tenant can now rate it.") if rated_by_tenant
                             else _("The request is closed."))
        else:
            request_reopen(actor=request.user, service_request=sr, reason=data["reason"], request=request)
            messages.success(request, _("The request was reopened."))
    except (RequestError, ValidationError) as exc:
        refusal_to_messages(request, exc)
    return redirect(back)


def request_new(request):
    if not request_centres_handled_by(request.user).exists():
        raise PermissionDenied
    form = StaffRequestForm(request.POST or None, request.FILES or None, user=request.user)
    sr = form_action(request, form, lambda data: request_log_call(
        actor=request.user, tenant=data["tenant"], channel=data["channel"], category=data["category"],
        severity=data["severity"], subject=data["subject"], description=data["description"],
        contact_name=data["contact_name"], contact_phone=data["contact_phone"], department=data["department"],
        received_at=data["received_at"], photos=data["photos"], recording=data.get("recording"),
        request=request,
    ), (RequestError, RecordingError, ValidationError))
    if sr is not None:
        messages.success(request, _("Request %(number)s recorded.") % {"number": sr.number})
        return redirect("wagtailsnippets_tenants_servicerequest:inspect", sr.pk)
    return TemplateResponse(
        request, "tenants/admin/request_new.html",
        {"form": form, "page_title": _("Record a request"), "header_icon": "help", "now": timezone.localtime()},
        status=form_status(form),
    )


def request_record_form(request):
    """Download the record form of a centre for a period (XLSX or PDF)."""
    centres = centres_visible_to(request.user)
    if not centres.exists():
        raise PermissionDenied
    form = RecordFormExportForm(request.GET or None, centres=centres)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        centre, start, end = data["centre"], data["start"], data["end"]
        title = _("Request record form (诉求(需求)记录表)")
        qs = record_queryset(centre=centre, start=start, end=end)
        name = f"request-record-{centre.code}-{start:%Y%m%d}-{end:%Y%m%d}"
        if data["format"] == "pdf":
            body, content_type, name = record_pdf(qs, title=title, centre=centre, start=start, end=end), "application/pdf", name + ".pdf"
        else:
            body = record_xlsx(qs, title=f"{title} {centre.name} {start:%Y-%m-%d}–{end:%Y-%m-%d}")
            content_type, name = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name + ".xlsx"
        audit_record(actor=request.user, action="request.record_exported", obj=centre, request=request,
                     details={"start": start, "end": end, "format": data["format"]})
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return TemplateResponse(
        request, "tenants/admin/request_record_form.html",
        {"form": form, "page_title": _("Request record form"), "header_icon": "download"},
        status=400 if form.errors else 200,
    )


class ServiceRequestViewSet(ScopedSnippetViewSet):
    model = ServiceRequest
    icon = "help"
    menu_label = gettext_lazy("Request log")
    menu_order = 110
    add_to_admin_menu = True
    index_view_class = RequestIndexView
    inspect_view_class = RequestInspectView
    inspect_view_enabled = True
    filterset_class = ServiceRequestFilterSet
    # The desk's list on a 1366 px screen, one line a request
    # (portal/admin_columns.py): what a clerk looks for at a glance (number,
    # kind, severity, state, how long is left, who has it) in full; the
    # subject, the shop's name and the assignee's take the rest of the row,
    # cut when long, whole on hover and on the record's page. The received
    # date is in the number (…-YYYYMM-…) and on the record.
    list_display = [
        "number",
        field_column(ServiceRequest, "subject", ClippedColumn, width="24%"),
        # The tenant, or "Public post" for a member of the public's (no tenant).
        ClippedColumn("tenant_label", label=capfirst(ServiceRequest._meta.get_field("tenant").verbose_name),
                      sort_key="tenant", width="16%"),
        "category", "severity", "status",
        DeadlineColumn("response_due", label=capfirst(gettext_lazy("response due"))),
        field_column(ServiceRequest, "assignee", ClippedColumn, width="7%"),
    ]
    list_export = [
        "number", "centre", "tenant_label", "contact_name", "contact_phone", "channel", "category", "severity", "subject",
        "description", "department", "assignee", "status", "created_at", "response_due", "responded_at", "answer_due",
        "answered_at", "resolution_due", "closed_at", "is_repeat_complaint", "rating", "rating_comment",
    ]
    export_headings = {"tenant_label": capfirst(ServiceRequest._meta.get_field("tenant").verbose_name)}
    export_filename = "request-log"
    search_fields = ["number", "subject", "tenant__trading_name", "contact_name"]
    search_backend_name = None
    list_per_page = 50
    ordering = ["-created_at", "-id"]

    @staticmethod
    def scope(user):
        return requests_listing_for(user).select_related("tenant", "assignee", "centre")

    @property
    def add_view(self):
        return request_new

    def get_urlpatterns(self):
        # request_action finds the request through the same scope itself.
        return [
            *super().get_urlpatterns(),
            path("act/<int:pk>/<slug:action>/", request_action, name="act"),
            path("record-form/", request_record_form, name="record_form"),
        ]


# --- The per-centre deadline table --------------------------------------------------


class DeadlinePolicyViewSet(CentreSettingViewSet):
    model = DeadlinePolicy
    icon = "time"
    menu_label = gettext_lazy("Request deadlines")
    setting_fields = ("response_hours", "complaint_resolution_hours", "major_answer_hours", "warn_before_hours",
                      "recording_retention_days")
    setting_panels = [
        FieldRowPanel([FieldPanel("response_hours"), FieldPanel("complaint_resolution_hours")]),
        FieldRowPanel([FieldPanel("major_answer_hours"), FieldPanel("warn_before_hours")]),
        FieldPanel("recording_retention_days"),
    ]
