"""The fire-safety checklist in the admin: a centre-scoped snippet whose
every change is audited."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList

from notices.fire.forms import ChecklistItemForm
from notices.fire.models import ChecklistItem
from notices.fire.selectors import checklist_centres_for, checklist_visible_to
from notices.fire.services.rounds import checklist_item_saved
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


def audit_checklist_created(request, instance):
    if isinstance(instance, ChecklistItem):
        checklist_item_saved(item=instance, user=request.user, created=True)


def audit_checklist_changed(request, instance):
    if isinstance(instance, ChecklistItem):
        checklist_item_saved(item=instance, user=request.user, created=False)
