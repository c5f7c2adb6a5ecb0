"""The fire-safety cycle in the Wagtail admin: the checklist (a centre-scoped
snippet) and the inspection screens, under one menu."""

import django_filters
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet

from notices.fire import admin_views
from notices.fire.forms import ChecklistItemForm
from notices.fire.models import ChecklistItem
from notices.fire.selectors import (
    checklist_centres_for,
    checklist_visible_to,
    fire_centres_for,
)
from notices.fire.services import checklist_item_saved
from portal.admin_menu import MenuEntry, register_admin_screen
from portal.admin_scoping import ScopedSnippetViewSet


class ChecklistItemFilterSet(WagtailFilterSet):
    centre = django_filters.ModelChoiceFilter(
        label=_("centre"), queryset=lambda request: checklist_centres_for(request.user)
    )
    active = django_filters.BooleanFilter(label=_("in use"))

    class Meta:
        model = ChecklistItem
        fields = ["centre", "active"]


class ChecklistItemViewSet(ScopedSnippetViewSet):
    model = ChecklistItem
    icon = "list-ul"
    menu_label = _("Fire-safety checklist")
    menu_order = 202
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["text", "centre", "sort_order", "active"]
    filterset_class = ChecklistItemFilterSet
    edit_handler = ObjectList(
        [FieldPanel("centre"), FieldPanel("text"), FieldPanel("sort_order"), FieldPanel("active")],
        base_form_class=ChecklistItemForm,
    )

    @staticmethod
    def scope(user):
        return checklist_visible_to(user)


register_snippet(ChecklistItemViewSet)


@hooks.register("after_create_snippet")
def audit_checklist_created(request, instance):
    if isinstance(instance, ChecklistItem):
        checklist_item_saved(item=instance, user=request.user, created=True)


@hooks.register("after_edit_snippet")
def audit_checklist_changed(request, instance):
    if isinstance(instance, ChecklistItem):
        checklist_item_saved(item=instance, user=request.user, created=False)


def _works_on_fire_safety(user) -> bool:
    return fire_centres_for(user).exists()


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
], MenuEntry(_("Fire safety"), "overview", _works_on_fire_safety, "warning", 201))


@hooks.register("atrium_work_items")
def fire_work_items(user):
    """Rectifications the shops reported, waiting for the inspector."""
    from notices.fire.models import CaseStatus
    from notices.fire.selectors import cases_visible_to
    from portal.admin_home import WorkItem

    if not _works_on_fire_safety(user):
        return []
    reported = cases_visible_to(user).filter(status=CaseStatus.REPORTED).count()
    return [WorkItem(_("fire-safety rectifications to re-inspect"), reported, reverse("fire_admin:overview"))]
