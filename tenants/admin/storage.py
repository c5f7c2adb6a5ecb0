"""The temporary item storage log (《租户临时物品寄存记录表》) in the Wagtail
admin: a centre-scoped listing with filters, a form to record a deposit, an
entry page with the collection form, an export and a printable record.
Edit and delete are nobody's: changes are the two services."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST
from wagtail.admin.filters import WagtailFilterSet
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
from tenants.admin.feedback import act_and_tell
from tenants.admin.filters import centre_filter, day_range_filters
from tenants.admin.policies import DeskRecordPermissionPolicy
from tenants.exports import simple_xlsx, when
from tenants.forms.archive import StorageCollectForm, StorageDepositForm
from tenants.models import StorageDeposit, Tenant
from tenants.selectors.directory import centres_visible_to
from tenants.selectors.requests import handles_requests, request_centres_handled_by
from tenants.selectors.storage import storage_visible_to
from tenants.services.storage import StorageError, storage_collect, storage_deposit

register_permission_policy(StorageDeposit, DeskRecordPermissionPolicy(StorageDeposit), exact_class=True)


class CollectedFilter(django_filters.ChoiceFilter):
    def filter(self, qs, value):
        if value == "waiting":
            return qs.filter(collected_at__isnull=True)
        if value == "collected":
            return qs.filter(collected_at__isnull=False)
        if value == "too_long":
            return qs.left_too_long()
        return qs


class StorageFilterSet(WagtailFilterSet):
    centre = centre_filter()
    state = CollectedFilter(label=gettext_lazy("status"), choices=[
        ("waiting", gettext_lazy("Waiting to be collected")), ("collected", gettext_lazy("Collected")),
        ("too_long", gettext_lazy("Left too long")),
    ])
    tenant__code = django_filters.CharFilter(label=gettext_lazy("tenant code"), lookup_expr="iexact")
    left_from, left_to = day_range_filters("deposited_at", gettext_lazy("left from"), gettext_lazy("left until"))

    class Meta:
        model = StorageDeposit
        fields = ["centre"]


class StorageIndexView(InspectRowsIndexView):
    table_class = DeskListTable

    def more_header_buttons(self):
        query = self.request.GET.urlencode()
        return [
            HeaderButton(_("Export (XLSX)"), url=reverse("wagtailsnippets_tenants_storagedeposit:register") + "?format=xlsx&" + query,
                         icon_name="download"),
            HeaderButton(_("Printable record"), url=reverse("wagtailsnippets_tenants_storagedeposit:register") + "?" + query,
                         icon_name="doc-full"),
        ]


class StorageInspectView(ScopedInspectView):
    template_name = "tenants/admin/storage_inspect.html"
    visible_to = staticmethod(storage_visible_to)
    related = ("tenant", "centre", "contact", "received_by", "released_by")
    audit_action = "storage.viewed"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        context.update(
            entry=entry, collect_form=StorageCollectForm(),
            may_act=handles_requests(self.request.user, entry.centre) and not entry.is_collected,
            collect_url=reverse("wagtailsnippets_tenants_storagedeposit:collect", args=[entry.pk]),
        )
        return context


def storage_new(request):
    centres = request_centres_handled_by(request.user)
    if not centres.exists():
        raise PermissionDenied
    tenants = Tenant.objects.filter(centre__in=centres).select_related("centre")
    form = StorageDepositForm(request.POST or None, tenants=tenants)
    entry = form_action(request, form, lambda data: storage_deposit(
        actor=request.user, tenant=data["tenant"], contact=data["contact"],
        depositor_name=data["depositor_name"], items=data["items"], quantity=data["quantity"],
        location=data["location"], note=data["note"], deposited_at=data["deposited_at"], request=request,
    ), (StorageError,))
    if entry is not None:
        messages.success(request, _("Deposit %(number)s recorded.") % {"number": entry.number})
        return redirect("wagtailsnippets_tenants_storagedeposit:inspect", entry.pk)
    return TemplateResponse(request, "tenants/admin/storage_new.html", {
        "form": form, "page_title": _("Record items left for storage"), "header_icon": "folder-inverse",
    }, status=form_status(form))


@require_POST
def storage_collect_view(request, pk):
    entry = get_object_or_404(storage_visible_to(request.user), pk=pk)
    act_and_tell(request, StorageCollectForm(request.POST), lambda data: storage_collect(
        actor=request.user, deposit=entry, collector_name=data["collector_name"], id_checked=data["id_checked"],
        id_last4=data["id_last4"], request=request,
    ), (StorageError,), _("Collection recorded."))
    return redirect("wagtailsnippets_tenants_storagedeposit:inspect", entry.pk)


def register_columns():
    return [pgettext("reference number", "Number"), _("Tenant"), _("Items"), _("Quantity"), _("Left by"), _("Left at"), _("Received by"),
            _("Kept at"), _("Collected by"), _("ID checked"), _("Collected at"), _("Released by"), pgettext("remark", "Note")]


def register_rows(entries):
    return [[
        e.number, e.tenant.trading_name, e.items, e.quantity, e.depositor_name, when(e.deposited_at),
        str(e.received_by), e.location, e.collector_name,
        (_("yes") + (f" (…{e.collector_id_last4})" if e.collector_id_last4 else "")) if e.collector_id_checked else "",
        when(e.collected_at), str(e.released_by or ""), e.note,
    ] for e in entries]


def storage_register(request):
    """The record (《租户临时物品寄存记录表》) of the filtered entries, as XLSX
    or as a printable page."""
    if not centres_visible_to(request.user).exists():
        raise PermissionDenied
    qs = storage_visible_to(request.user).select_related("tenant", "centre", "received_by", "released_by")
    filtered = StorageFilterSet(request.GET or None, queryset=qs, request=request)
    entries = list(filtered.qs.order_by("deposited_at", "id")[:5000])
    title = _("Temporary item storage log (租户临时物品寄存记录表)")
    audit_record(actor=request.user, action="storage.exported", request=request,
                 details={"rows": len(entries), "format": request.GET.get("format") or "html"})
    if request.GET.get("format") == "xlsx":
        body = simple_xlsx(title=title, columns=register_columns(), rows=register_rows(entries))
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="storage-log-{timezone.localdate():%Y%m%d}.xlsx"'
        return response
    too_long = timezone.now() - timedelta(days=settings.ATRIUM_STORAGE_FLAG_DAYS)
    return TemplateResponse(request, "tenants/admin/storage_register.html", {
        "title": title, "columns": register_columns(),
        "records": list(zip(register_rows(entries), [not e.is_collected and e.deposited_at < too_long for e in entries],
                            strict=True)),
        "printed": timezone.localtime(), "page_title": title, "header_icon": "doc-full",
    })


class StorageViewSet(ScopedSnippetViewSet):
    model = StorageDeposit
    icon = "folder-inverse"
    menu_label = gettext_lazy("Storage log")
    menu_order = 112
    add_to_admin_menu = True
    index_view_class = StorageIndexView
    inspect_view_class = StorageInspectView
    inspect_view_enabled = True
    filterset_class = StorageFilterSet
    # At the counter, one line an entry on a 1366 px screen
    # (portal/admin_columns.py): whose parcel, what, how many, where it is,
    # since when, and whether (when, by whom) it was collected. Who at the
    # desk took it in is on the entry's page and the printed record, not here:
    # nobody looks for a parcel by the colleague who received it.
    list_display = [
        "number",
        field_column(StorageDeposit, "tenant", ClippedColumn, width="16%"),
        field_column(StorageDeposit, "items", ClippedColumn, width="18%"),
        "quantity",
        field_column(StorageDeposit, "location", ClippedColumn, width="13%"),
        field_column(StorageDeposit, "deposited_at", ShortDateTimeColumn),
        field_column(StorageDeposit, "collected_at", ShortDateTimeColumn),
        field_column(StorageDeposit, "collector_name", ClippedColumn, width="7%"),
    ]
    search_fields = ["number", "items", "tenant__trading_name", "depositor_name", "collector_name"]
    search_backend_name = None
    list_per_page = 50
    ordering = ["-deposited_at", "-id"]

    @staticmethod
    def scope(user):
        return storage_visible_to(user).select_related("tenant", "received_by")

    @property
    def add_view(self):
        return storage_new

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("collect/<int:pk>/", storage_collect_view, name="collect"),
            path("register/", storage_register, name="register"),
        ]
