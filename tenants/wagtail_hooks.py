"""The tenant archive in the Wagtail admin, scoped to the staff's centres."""

import re

import django_filters
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, InspectView, SnippetViewSetGroup

from portal.admin_scoping import ScopedSnippetViewSet
from portal.audit import audit_record
from tenants.forms.directory import CentreForm, ContactForm, TenantForm, UnitForm
from tenants.models import Category, Centre, Contact, Tenant, TenantStatus, Tier, Unit
from tenants.selectors import (
    archive_access_history,
    archive_centres_editable_by,
    centres_visible_to,
    contacts_visible_to,
    is_centre_manager,
    masked,
    may_see_confidential,
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


_WORDS = re.compile(r"[\w-]+")


class TenantSearchIndexView(IndexView):
    """Staff look a shop up by its code or any part of its names: every word
    of the query must appear in one of them. Substring matching finds
    "火锅" in "蜀香火锅" without segmentation, and, unlike ranking every
    match in the full-text index, stays fast when thousands match."""

    search_match_fields = ("code", "trading_name", "legal_name")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        for word in _WORDS.findall(self.search_query)[:10]:
            matches = Q()
            for field in self.search_match_fields:
                matches |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(matches)
        return queryset


class AuditedInspectView(InspectView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit_record(actor=self.request.user, action="archive.viewed", obj=self.object, request=self.request)
        return context


class TenantInspectView(AuditedInspectView):
    """The archive card: confidential fields masked for staff without access,
    the documents and contacts, and for managers the archive's own access
    history from the audit trail."""

    template_name = "tenants/admin/tenant_inspect.html"

    @cached_property
    def may_see_confidential(self):
        return may_see_confidential(self.request.user, self.object)

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
        context.update(
            tenant=tenant, contacts=contacts, may_see_confidential=self.may_see_confidential, is_manager=manager,
            history=archive_access_history(tenant) if manager else None,
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
    index_view_class = TenantSearchIndexView
    inspect_view_class = TenantInspectView
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
from tenants.admin.service_desk import DeadlinePolicyViewSet, ServiceRequestViewSet  # noqa: E402

register_snippet(ServiceRequestViewSet)
register_snippet(DeadlinePolicyViewSet)


# --- Archive documents, confidential access, imports, recordings ---------------------
from django.urls import path, reverse  # noqa: E402

from portal.admin_menu import MenuEntry, register_admin_screen  # noqa: E402
from tenants.admin import archive as admin_archive  # noqa: E402
from tenants.admin import imports as admin_imports  # noqa: E402


def _works_on_archives(user) -> bool:
    return centres_visible_to(user).exists()


def _keeps_archives(user) -> bool:
    return archive_centres_editable_by(user).exists()


register_admin_screen(
    "archive/", "tenants_archive", [
        path("documents/", admin_archive.documents_index, name="documents_index"),
        path("tenant/<int:tenant_pk>/documents/", admin_archive.tenant_documents, name="documents"),
        path("tenant/<int:tenant_pk>/documents/new/", admin_archive.document_new, name="document_new"),
        path("tenant/<int:tenant_pk>/access/", admin_archive.access_ask, name="access_ask"),
        path("documents/<int:pk>/replace/", admin_archive.document_replace, name="document_replace"),
        path("documents/<int:pk>/download/", admin_archive.document_download, name="document_download"),
        path("access/", admin_archive.access_index, name="access"),
        path("access/<int:pk>/<slug:decision>/", admin_archive.access_decision, name="access_decide"),
        path("import/", admin_imports.import_start, name="import"),
        path("import/<str:token>/confirm/", admin_imports.import_confirm, name="import_confirm"),
        path("import/<str:token>/", admin_imports.import_job, name="import_job"),
        path("import/template/<slug:resource>/", admin_imports.import_template, name="import_template"),
        path("export/<slug:resource>.<slug:fmt>", admin_imports.export, name="export"),
    ],
    MenuEntry(_("Archive documents"), "documents_index", _works_on_archives, "doc-full", 101),
    MenuEntry(_("Confidential access"), "access", _works_on_archives, "lock", 102),
    MenuEntry(_("Import / export"), "import", _keeps_archives, "upload", 103),
)


from tenants.admin import recordings as admin_recordings  # noqa: E402
from tenants.selectors import request_centres_handled_by  # noqa: E402


def _handles_requests(user) -> bool:
    return request_centres_handled_by(user).exists()


register_admin_screen("recordings/", "tenants_recordings", [
    path("request/<int:pk>/add/", admin_recordings.recording_add, name="add"),
    path("<int:pk>/audio/", admin_recordings.recording_file, name="file"),
    path("<int:pk>/hold/", admin_recordings.recording_hold_view, name="hold"),
    path("holds/<int:pk>/release/", admin_recordings.hold_release, name="release"),
    path("log/", admin_recordings.recording_log, name="log"),
], MenuEntry(_("Recording archive log"), "log", _handles_requests, "media", 111))


# The temporary item storage log: its own menu entry.
from tenants.admin.storage import StorageViewSet  # noqa: E402

register_snippet(StorageViewSet)


@hooks.register("atrium_work_items")
def service_desk_work_items(user):
    """Requests assigned to me (and those past a deadline), new requests nobody
    has taken in my centres, and confidential-access requests a manager decides."""
    from portal.access import centres_for
    from portal.admin_home import WorkItem
    from portal.models.accounts import Role
    from tenants.models import AccessGrantStatus, ArchiveAccessGrant, RequestStatus
    from tenants.selectors import requests_visible_to_staff

    log = reverse("wagtailsnippets_tenants_servicerequest:list")
    visible = requests_visible_to_staff(user)
    mine = visible.open().filter(assignee=user)
    pending_access = ArchiveAccessGrant.objects.filter(
        status=AccessGrantStatus.PENDING, tenant__centre__in=centres_for(user, (Role.MANAGER,))
    )
    return [
        WorkItem(_("requests past a deadline, assigned to you"), mine.overdue().count(),
                 f"{log}?assigned_to_me=true&overdue=true", urgent=True),
        WorkItem(_("open requests assigned to you"), mine.count(), f"{log}?assigned_to_me=true"),
        WorkItem(_("new requests nobody has taken"), visible.filter(status=RequestStatus.NEW, assignee__isnull=True).count(),
                 f"{log}?status=new"),
        WorkItem(_("confidential access requests to decide"), pending_access.count(), reverse("tenants_archive:access")),
    ]
