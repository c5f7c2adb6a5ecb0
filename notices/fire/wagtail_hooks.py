"""The fire-safety cycle in the Wagtail admin: the checklist (a centre-scoped
snippet) and the inspection screens, under one menu."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from notices.fire.admin import views as admin_views
from notices.fire.admin.checklist import (
    ChecklistItemViewSet,
    audit_checklist_changed,
    audit_checklist_created,
)
from notices.fire.admin.work_items import fire_work_items
from portal.admin_menu import register_screen

register_snippet(ChecklistItemViewSet)
hooks.register("after_create_snippet", audit_checklist_created)
hooks.register("after_edit_snippet", audit_checklist_changed)

register_screen(admin_views.screen)

hooks.register("atrium_work_items", fire_work_items)
