"""The tenant archive's directory in the Wagtail admin: centres, tenants,
units and contacts as snippet viewsets scoped to the staff's centres, the
archive card (inspect view) with its masking and access history, and the
audit of every change made through them."""

import django_filters
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from portal.admin_exports import ReadableIndexView
from portal.admin_scoping import ScopedInspectView, ScopedSnippetViewSet
from tenants.admin.filters import centre_filter
from tenants.forms.directory import CentreForm, ContactForm, TenantForm, UnitForm
from tenants.models import Category, Centre, Contact, Tenant, TenantStatus, Tier, Unit
from tenants.selectors.archive import (
    archive_access_history,
    masked,
    may_see_confidential,
)
from tenants.selectors.directory import (
    centres_visible_to,
    contacts_visible_to,
    is_centre_manager,
    matching_words,
    tenants_visible_to,
    units_visible_to,
)
from tenants.selectors.history import archive_changes, with_changes


class TenantFilterSet(WagtailFilterSet):
    centre = centre_filter()
    tier = django_filters.ChoiceFilter(label=_("tier"), choices=Tier.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=TenantStatus.choices)
    category = django_filters.ChoiceFilter(label=_("business category"), choices=Category.choices)

    class Meta:
        model = Tenant
        fields = ["centre", "tier", "status", "category"]


class UnitFilterSet(WagtailFilterSet):
    centre = centre_filter()

    class Meta:
        model = Unit
        fields = ["centre", "floor"]


class ContactFilterSet(WagtailFilterSet):
    tenant__centre = centre_filter()

    class Meta:
        model = Contact
        fields = ["tenant__centre", "may_sign", "active"]


class TenantSearchIndexView(ReadableIndexView):
    """Staff look a shop up by its code or any part of its names: every word
    of the query must appear in one of them (selectors.directory.matching_words)."""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return matching_words(queryset, self.search_query)


CARD_CHANGES = 10
CARD_RECORDS_PER_MODEL = 200


class TenantInspectView(ScopedInspectView):
    """The archive card: confidential fields masked for staff without access,
    the documents and contacts, the latest changes field by field, and for
    managers the archive's own access history from the audit trail, with
    those changes among it."""

    template_name = "tenants/admin/tenant_inspect.html"
    visible_to = staticmethod(tenants_visible_to)
    audit_action = "archive.viewed"

    @cached_property
    def may_see_confidential(self):
        return may_see_confidential(self.request.user, self.object)

    def audit_details(self):
        # The card shows confidential values, in its fields and its changes.
        return {"confidential_shown": self.may_see_confidential}

    def get_monthly_rent_display_value(self):
        return masked(self.object.monthly_rent, shown=self.may_see_confidential)

    def get_lease_terms_display_value(self):
        return masked(self.object.lease_terms or "—", shown=self.may_see_confidential)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tenant = self.object
        contacts = list(tenant.contacts.all())
        for contact in contacts:
            contact.personal_phone_shown = masked(contact.personal_phone, shown=self.may_see_confidential, empty="")
        manager = is_centre_manager(self.request.user, tenant.centre)
        # Enough for the card's latest changes and the managers' access history.
        changes = archive_changes(tenant, shown=self.may_see_confidential, per_model=CARD_RECORDS_PER_MODEL)
        context.update(
            tenant=tenant, contacts=contacts, may_see_confidential=self.may_see_confidential, is_manager=manager,
            history=with_changes(archive_access_history(tenant), changes) if manager else None,
            changes=changes[:CARD_CHANGES], more_changes=len(changes) > CARD_CHANGES,
            documents_count=tenant.documents.current().count(),
        )
        return context


class CentreViewSet(ScopedSnippetViewSet):
    model = Centre
    # The centre moved to the foundation (app label "portal"); its admin
    # addresses stay where staff have bookmarked them.
    url_prefix = "snippets/tenants/centre"
    url_namespace = "wagtailsnippets_tenants_centre"
    chooser_base_url_path = "snippets/choose/tenants/centre"
    chooser_admin_url_namespace = "wagtailsnippetchoosers_tenants_centre"
    icon = "home"
    menu_label = _("Shopping centres")
    list_display = ["name", "code", "operator", "hotline"]
    inspect_view_enabled = True
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
    index_view_class = TenantSearchIndexView
    inspect_view_class = TenantInspectView
    inspect_view_enabled = True
    filterset_class = TenantFilterSet
    list_display = ["code", "trading_name", "legal_name", "centre", "tier", "category", "status", "lease_end"]
    list_export = ["code", "trading_name", "legal_name", "centre", "tier", "category", "status", "lease_start", "lease_end"]
    export_filename = "tenants"
    list_per_page = 50
    ordering = ["centre", "code"]
    inspect_view_fields = [
        "code", "trading_name", "legal_name", "centre", "category", "tier", "status", "lease_start", "lease_end",
        "monthly_rent", "lease_terms",
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("centre"),
            FieldRowPanel([FieldPanel("code"), FieldPanel("status")]),
            FieldRowPanel([FieldPanel("trading_name"), FieldPanel("legal_name")]),
            FieldRowPanel([FieldPanel("category"), FieldPanel("tier")]),
            FieldRowPanel([FieldPanel("lease_start"), FieldPanel("lease_end")]),
            MultiFieldPanel([FieldPanel("monthly_rent"), FieldPanel("lease_terms")], heading=_("Confidential")),
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
    edit_handler = ObjectList(
        [
            FieldPanel("tenant"),
            FieldRowPanel([FieldPanel("name"), FieldPanel("position")]),
            FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
            FieldPanel("personal_phone"),
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


# Audited on every change made through their snippet views (tenants/wagtail_hooks.py).
ARCHIVE_MODELS = (Centre, Tenant, Unit, Contact)
