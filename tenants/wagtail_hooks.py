"""The tenant archive in the Wagtail admin, scoped to the staff's centres."""

import django_filters
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, InspectView, SnippetViewSetGroup

from portal.admin_scoping import ScopedSnippetViewSet
from portal.audit import audit_record
from portal.search import segment_query

from .forms import CentreForm, ContactForm, TenantForm, UnitForm
from .models import Category, Centre, Contact, Tenant, TenantStatus, Tier, Unit
from .selectors import (
    centres_visible_to,
    contacts_visible_to,
    tenants_visible_to,
    units_visible_to,
)


def _centre_filter():
    return django_filters.ModelChoiceFilter(
        label=_("centre"), queryset=lambda request: centres_visible_to(request.user)
    )


class TenantFilterSet(WagtailFilterSet):
    centre = _centre_filter()
    tier = django_filters.ChoiceFilter(label=_("tier"), choices=Tier.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=TenantStatus.choices)
    category = django_filters.ChoiceFilter(label=_("business category"), choices=Category.choices)

    class Meta:
        model = Tenant
        fields = ["centre", "tier", "status", "category"]


class UnitFilterSet(WagtailFilterSet):
    centre = _centre_filter()

    class Meta:
        model = Unit
        fields = ["centre", "floor"]


class ContactFilterSet(WagtailFilterSet):
    tenant__centre = django_filters.ModelChoiceFilter(
        label=_("centre"), queryset=lambda request: centres_visible_to(request.user)
    )

    class Meta:
        model = Contact
        fields = ["tenant__centre", "may_sign", "active"]


class SegmentedSearchIndexView(IndexView):
    """Chinese queries are segmented the way the index was (see portal.search)."""

    @cached_property
    def search_query(self):
        return segment_query(super().search_query)


class AuditedInspectView(InspectView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit_record(actor=self.request.user, action="archive.viewed", obj=self.object, request=self.request)
        return context


class CentreViewSet(ScopedSnippetViewSet):
    model = Centre
    icon = "home"
    menu_label = _("Shopping centres")
    list_display = ["name", "code", "operator", "hotline"]
    inspect_view_enabled = True
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("operator"),
            FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
            FieldPanel("address"),
            FieldRowPanel([FieldPanel("hotline"), FieldPanel("email")]),
            MultiFieldPanel(
                [FieldPanel("letterhead_name"), FieldPanel("letterhead_address"), FieldPanel("letterhead_phone")],
                heading=_("Letterhead"),
            ),
        ],
        base_form_class=CentreForm,
    )

    @staticmethod
    def scope(user):
        return centres_visible_to(user)


class TenantViewSet(ScopedSnippetViewSet):
    model = Tenant
    icon = "group"
    menu_label = _("Tenants")
    index_view_class = SegmentedSearchIndexView
    inspect_view_class = AuditedInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = TenantFilterSet
    list_display = ["code", "trading_name", "legal_name", "centre", "tier", "category", "status", "lease_end"]
    list_export = ["code", "trading_name", "legal_name", "centre", "tier", "category", "status", "lease_start", "lease_end"]
    export_filename = "tenants"
    list_per_page = 50
    ordering = ["centre", "code"]
    inspect_view_fields = [
        "code", "trading_name", "legal_name", "centre", "category", "tier", "status", "lease_start", "lease_end",
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("centre"),
            FieldRowPanel([FieldPanel("code"), FieldPanel("status")]),
            FieldRowPanel([FieldPanel("trading_name"), FieldPanel("legal_name")]),
            FieldRowPanel([FieldPanel("category"), FieldPanel("tier")]),
            FieldRowPanel([FieldPanel("lease_start"), FieldPanel("lease_end")]),
        ],
        base_form_class=TenantForm,
    )

    @staticmethod
    def scope(user):
        return tenants_visible_to(user).select_related("centre")


class UnitViewSet(ScopedSnippetViewSet):
    model = Unit
    icon = "table"
    menu_label = _("Units")
    filterset_class = UnitFilterSet
    list_display = ["number", "centre", "floor", "area", "tenant"]
    list_export = ["number", "centre", "floor", "area", "tenant"]
    export_filename = "units"
    search_fields = ["number"]
    search_backend_name = None
    copy_view_enabled = False
    edit_handler = ObjectList(
        [FieldPanel("centre"), FieldRowPanel([FieldPanel("floor"), FieldPanel("number"), FieldPanel("area")]), FieldPanel("tenant")],
        base_form_class=UnitForm,
    )

    @staticmethod
    def scope(user):
        return units_visible_to(user).select_related("centre", "tenant")


class ContactViewSet(ScopedSnippetViewSet):
    model = Contact
    icon = "user"
    menu_label = _("Contacts")
    filterset_class = ContactFilterSet
    list_display = ["name", "tenant", "position", "phone", "email", "may_sign", "active"]
    list_export = ["name", "tenant", "position", "phone", "email", "may_sign", "active"]
    export_filename = "contacts"
    search_fields = ["name", "email", "phone", "tenant__trading_name"]
    search_backend_name = None
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("tenant"),
            FieldRowPanel([FieldPanel("name"), FieldPanel("position")]),
            FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
            FieldRowPanel([FieldPanel("may_sign"), FieldPanel("active")]),
        ],
        base_form_class=ContactForm,
    )

    @staticmethod
    def scope(user):
        return contacts_visible_to(user).select_related("tenant", "tenant__centre")


class ArchiveGroup(SnippetViewSetGroup):
    menu_label = _("Tenant archive")
    menu_icon = "folder-open-inverse"
    menu_order = 100
    items = (TenantViewSet, UnitViewSet, ContactViewSet, CentreViewSet)


register_snippet(ArchiveGroup)

ARCHIVE_MODELS = (Centre, Tenant, Unit, Contact)


def _audit_snippet(action):
    def hook(request, instance):
        if isinstance(instance, ARCHIVE_MODELS):
            audit_record(actor=request.user, action=action, obj=instance, request=request)

    return hook


hooks.register("after_create_snippet", _audit_snippet("archive.created"))
hooks.register("after_edit_snippet", _audit_snippet("archive.changed"))


@hooks.register("after_delete_snippet")
def _audit_deleted(request, instances):
    for instance in instances:
        if isinstance(instance, ARCHIVE_MODELS):
            audit_record(actor=request.user, action="archive.deleted", obj=instance, request=request)


# The service desk's request log: its own menu entry, next to the archive.
from .admin_service_desk import DeadlinePolicyViewSet, ServiceRequestViewSet  # noqa: E402

register_snippet(ServiceRequestViewSet)
register_snippet(DeadlinePolicyViewSet)
