"""The tenants app in the Wagtail admin: registrations only. The viewsets,
screens and menu entries they register live in tenants/admin/."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal.admin_menu import register_screen
from portal.audit import audit_snippet_changes

# The archive views join archive_screen as their modules load.
from tenants.admin import archive, history, imports, menu, recordings  # noqa: F401
from tenants.admin.archive_screen import archive_screen
from tenants.admin.directory import ARCHIVE_MODELS, ArchiveGroup
from tenants.admin.service_desk import DeadlinePolicyViewSet, ServiceRequestViewSet
from tenants.admin.storage import StorageViewSet
from tenants.feedback.admin_replies import (
    BOARD_MODELS,
    BoardGroup,
    BoardSettingsViewSet,
)

register_snippet(ArchiveGroup)
register_snippet(ServiceRequestViewSet)
register_snippet(DeadlinePolicyViewSet)
register_snippet(StorageViewSet)
register_snippet(BoardGroup)
register_snippet(BoardSettingsViewSet)

register_screen(archive_screen)
register_screen(recordings.screen)


@hooks.register("after_create_snippet")
def audit_archive_created(request, instance):
    audit_snippet_changes(ARCHIVE_MODELS, request, [instance], "archive.created")
    audit_snippet_changes(BOARD_MODELS, request, [instance], "feedback.record_created")


@hooks.register("after_edit_snippet")
def audit_archive_changed(request, instance):
    audit_snippet_changes(ARCHIVE_MODELS, request, [instance], "archive.changed")
    audit_snippet_changes(BOARD_MODELS, request, [instance], "feedback.record_changed")


@hooks.register("after_delete_snippet")
def audit_archive_deleted(request, instances):
    audit_snippet_changes(ARCHIVE_MODELS, request, instances, "archive.deleted")
    audit_snippet_changes(BOARD_MODELS, request, instances, "feedback.record_deleted")


@hooks.register("atrium_work_items")
def service_desk_work_items(user):
    return menu.service_desk_work_items(user)


@hooks.register("insert_global_admin_css")
def request_log_css():
    # The request log's overdue rows and tag (tenants/admin/service_desk.py).
    return format_html('<link rel="stylesheet" href="{}">', static("tenants/request_log.css"))
