"""The archive screens outside the snippet viewsets — archive documents,
confidential access, import / export —: the views in
tenants/admin/archive.py and imports.py join this screen; its menu entries
and who sees them."""

from django.utils.translation import gettext_lazy as _

from portal.admin_menu import AdminScreen, MenuEntry, reaches_any
from tenants.selectors.directory import ARCHIVE_EDIT_ROLES, ARCHIVE_ROLES

works_on_archives = reaches_any(ARCHIVE_ROLES)
keeps_archives = reaches_any(ARCHIVE_EDIT_ROLES)


archive_screen = AdminScreen(
    "archive/", "tenants_archive",
    MenuEntry(_("Archive documents"), "documents_index", works_on_archives, "doc-full", 101),
    MenuEntry(_("Confidential access"), "access", works_on_archives, "lock", 102),
    MenuEntry(_("Import / export"), "import", keeps_archives, "upload", 103),
)
