"""The fire-safety cycle in the Wagtail admin: the checklist (a centre-scoped
snippet) and the inspection screens, under one menu."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from notices.fire import admin_views
from notices.fire.admin.checklist import (
    ChecklistItemViewSet,
    audit_checklist_changed,
    audit_checklist_created,
)
from notices.fire.admin.work_items import fire_work_items
from notices.fire.selectors import works_on_fire_safety
from portal.admin_menu import MenuEntry, register_admin_screen

register_snippet(ChecklistItemViewSet)
hooks.register("after_create_snippet", audit_checklist_created)
hooks.register("after_edit_snippet", audit_checklist_changed)

register_admin_screen("fire/", "fire_admin", [
    path("", admin_views.overview, name="overview"),
    path("centres/<int:centre_pk>/open/", admin_views.round_open, name="round_open"),
    path("rounds/<int:pk>/", admin_views.round_detail, name="round"),
    path("rounds/<int:pk>/tenants/<int:tenant_pk>/", admin_views.form_new, name="form_new"),
    path("rounds/<int:pk>/report/", admin_views.report_request, name="report_request"),
    path("rounds/<int:pk>/report.pdf", admin_views.report_pdf, name="report_pdf"),
    path("forms/<int:pk>/", admin_views.form_detail, name="form"),
    path("cases/<int:pk>/", admin_views.case_detail, name="case"),
    path("cases/<int:pk>/letter/", admin_views.case_letter_retry, name="case_letter_retry"),
], MenuEntry(_("Fire safety"), "overview", works_on_fire_safety, "warning", 201))

hooks.register("atrium_work_items", fire_work_items)
