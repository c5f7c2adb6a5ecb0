"""The tenants app's archive screens outside the snippet viewsets — archive
documents, confidential access, import / export —: their URLs, the menu
entries that lead there and who sees them; and what the service desk puts
on the staff's to-do panel. (The recording archive log declares its screen
beside its views, tenants/admin/recordings.py.)"""

from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from portal.access import centres_for, reaches_centres
from portal.admin_home import WorkItem
from portal.admin_menu import MenuEntry
from portal.models.accounts import Role
from tenants.admin import archive as admin_archive
from tenants.admin import imports as admin_imports
from tenants.models import AccessGrantStatus, ArchiveAccessGrant, RequestStatus
from tenants.selectors.directory import ARCHIVE_EDIT_ROLES, ARCHIVE_ROLES
from tenants.selectors.requests import (
    requests_visible_to_staff,
)


def works_on_archives(user) -> bool:
    return reaches_centres(user, ARCHIVE_ROLES)


def keeps_archives(user) -> bool:
    return reaches_centres(user, ARCHIVE_EDIT_ROLES)


ARCHIVE_URLS = [
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
]
ARCHIVE_MENU = (
    MenuEntry(_("Archive documents"), "documents_index", works_on_archives, "doc-full", 101),
    MenuEntry(_("Confidential access"), "access", works_on_archives, "lock", 102),
    MenuEntry(_("Import / export"), "import", keeps_archives, "upload", 103),
)


def service_desk_work_items(user) -> list[WorkItem]:
    """Requests assigned to me (and those past a deadline), new requests nobody
    has taken in my centres, and confidential-access requests a manager decides."""
    log = reverse("wagtailsnippets_tenants_servicerequest:list")
    visible = requests_visible_to_staff(user)
    mine = visible.open().filter(assignee=user)
    pending_access = ArchiveAccessGrant.objects.filter(
        status=AccessGrantStatus.PENDING, tenant__centre__in=centres_for(user, (Role.MANAGER,))
    )
    # The three request figures in one query: the home page asks on every visit.
    counts = visible.aggregate(
        overdue=Count("pk", filter=Q(pk__in=mine.overdue().values("pk"))),
        mine=Count("pk", filter=Q(pk__in=mine.values("pk"))),
        untaken=Count("pk", filter=Q(status=RequestStatus.NEW, assignee__isnull=True)),
    )
    return [
        WorkItem(_("requests past a deadline, assigned to you"), counts["overdue"],
                 f"{log}?assigned_to_me=true&overdue=true", urgent=True),
        WorkItem(_("open requests assigned to you"), counts["mine"], f"{log}?assigned_to_me=true"),
        WorkItem(_("new requests nobody has taken"), counts["untaken"], f"{log}?status=new"),
        WorkItem(_("confidential access requests to decide"), pending_access.count(), reverse("tenants_archive:access")),
    ]
