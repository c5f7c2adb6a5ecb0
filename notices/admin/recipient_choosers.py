"""The letter form's searchable choosers for named tenants and affected
units: Wagtail chooser modals in multiple-choice mode, over the current
tenants and the units of the centres whose letters the user works on,
narrowed to the letter's centre (`?centre=`, sent by the widget from the
form's centre field) and searched by code or any part of a name.

Every URL of the two choosers is guarded like a snippet chooser's
(portal.admin_scoping): an id outside the user's scope answers 404. The
form checks the chosen ids again against the letter's centre."""

from __future__ import annotations

import re

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.staticfiles import versioned_static
from wagtail.admin.ui.tables import Column

from notices.selectors import LETTER_ROLES
from portal.access import centres_for
from portal.admin_scoping import (
    ScopedChooseResultsView,
    ScopedChooserViewSet,
    ScopedChooseView,
    ScopedChosenMultipleView,
    ScopedChosenView,
)
from tenants.models import Tenant, Unit
from tenants.selectors.directory import TENANT_MATCH_FIELDS, matching_words

_ID = re.compile(r"[0-9]{1,18}")


def recipient_tenants_for(user):
    """The tenants who may receive a letter the user works on: the current
    tenants of the user's letter centres."""
    return Tenant.objects.filter(centre__in=centres_for(user, LETTER_ROLES)).current().select_related("centre")


def recipient_units_for(user):
    return Unit.objects.filter(centre__in=centres_for(user, LETTER_ROLES)).select_related("centre", "tenant")


def unit_title(unit: Unit) -> str:
    """"B1-101（B1）蜀香火锅": the number the letter prints, the floor, and
    who trades there now."""
    tenant = unit.tenant.trading_name if unit.tenant_id else _("vacant")
    return _("%(number)s (%(floor)s) %(tenant)s") % {"number": unit.number, "floor": unit.floor_label, "tenant": tenant}


def only_ids(values) -> list[str]:
    """The values that can be ids; anything else names nothing."""
    return [str(v) for v in values if _ID.fullmatch(str(v))]


# --- the modal ------------------------------------------------------------------------


class _WordSearchForm(BaseFilterForm):
    q = forms.CharField(label=_("Search term"), required=False)
    match_fields: tuple[str, ...] = ()

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            self.is_searching, self.search_query = True, query
            objects = matching_words(objects, query, self.match_fields)
        return objects


class TenantSearchForm(_WordSearchForm):
    match_fields = TENANT_MATCH_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Search tenants by name or code")


class UnitSearchForm(_WordSearchForm):
    match_fields = ("number", "tenant__trading_name", "tenant__code")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Search units by number or tenant")


class _InLetterCentre:
    """The scope, narrowed to `?centre=` when the widget sends it (a value
    that is not an id narrows to nothing), with our own title and columns."""

    results_template_name = "wagtailadmin/generic/chooser/results.html"
    per_page = 20
    title_label = ""
    display_title = staticmethod(str)
    extra_columns: tuple = ()

    def get_object_list(self):
        objects = super().get_object_list()
        centre = self.request.GET.get("centre")
        if centre is None:
            return objects
        return objects.filter(centre_id=int(centre)) if _ID.fullmatch(centre) else objects.none()

    @property
    def title_column(self):
        column = super().title_column
        column.label, column.accessor = self.title_label, self.display_title
        return column

    @property
    def columns(self):
        return [*super().columns, *self.extra_columns]


class _TenantColumns(_InLetterCentre):
    title_label = pgettext_lazy("chooser column", "tenant")
    filter_form_class = TenantSearchForm
    ordering = ["code"]
    extra_columns = (Column("category", label=_("business category"), accessor="get_category_display"),
                     Column("tier", label=_("tier"), accessor="get_tier_display"))


class _UnitColumns(_InLetterCentre):
    title_label = pgettext_lazy("chooser column", "unit")
    filter_form_class = UnitSearchForm
    ordering = ["floor", "number"]
    display_title = staticmethod(unit_title)


class TenantChooseView(_TenantColumns, ScopedChooseView):
    pass


class TenantChooseResultsView(_TenantColumns, ScopedChooseResultsView):
    pass


class UnitChooseView(_UnitColumns, ScopedChooseView):
    pass


class UnitChooseResultsView(_UnitColumns, ScopedChooseResultsView):
    pass


class UnitChosenView(ScopedChosenView):
    def get_display_title(self, instance):
        return unit_title(instance)


class UnitChosenMultipleView(ScopedChosenMultipleView):
    def get_display_title(self, instance):
        return unit_title(instance)


class RecipientChooserViewSet(ScopedChooserViewSet):
    preserve_url_parameters = ["multiple", "centre"]
    per_page = 20
    register_widget = False  # the tenants' own snippet chooser stays the ForeignKey widget


class TenantRecipientChooserViewSet(RecipientChooserViewSet):
    model = Tenant
    icon = "group"
    choose_view_class = TenantChooseView
    choose_results_view_class = TenantChooseResultsView
    choose_one_text = _("Choose tenants")
    scope = staticmethod(recipient_tenants_for)


class UnitRecipientChooserViewSet(RecipientChooserViewSet):
    model = Unit
    icon = "table"
    choose_view_class = UnitChooseView
    choose_results_view_class = UnitChooseResultsView
    chosen_view_class = UnitChosenView
    chosen_multiple_view_class = UnitChosenMultipleView
    choose_one_text = _("Choose units")
    scope = staticmethod(recipient_units_for)


tenant_recipient_chooser = TenantRecipientChooserViewSet("notices_recipient_tenants",
                                                         url_prefix="letters/choose/tenants")
unit_recipient_chooser = UnitRecipientChooserViewSet("notices_recipient_units", url_prefix="letters/choose/units")


# --- the widget -----------------------------------------------------------------------


class MultipleChooser(forms.Widget):
    """The chosen records as a list (one hidden input each, with a remove
    button) and a button that opens the chooser modal in multiple-choice
    mode, narrowed to the form's `linked_field` (the letter's centre). The
    field's queryset (a ModelMultipleChoiceField's) names what may show."""

    template_name = "notices/widgets/multiple_chooser.html"

    def __init__(self, *, chooser, choose_text, empty_text, display_title=str, linked_field="centre", attrs=None):
        super().__init__(attrs)
        self.chooser, self.choose_text, self.empty_text = chooser, choose_text, empty_text
        self.display_title, self.linked_field = display_title, linked_field

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []

    def value_omitted_from_data(self, data, files, name):
        return False  # an empty list is a choice: "none"

    def format_value(self, value):
        return only_ids(value or [])

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        ids = context["widget"]["value"]
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        chosen = list(queryset.filter(pk__in=ids)) if queryset is not None and ids else []
        context["widget"].update(
            chosen=[{"id": obj.pk, "title": self.display_title(obj)} for obj in chosen],
            chooser_url=reverse(self.chooser.get_url_name("choose")),
            choose_text=self.choose_text, empty_text=self.empty_text, linked_field=self.linked_field,
        )
        return context

    @property
    def media(self):
        return forms.Media(js=[versioned_static("wagtailadmin/js/modal-workflow.js"),
                               versioned_static("wagtailadmin/js/chooser-modal.js"),
                               "notices/multiple_chooser.js"])


class TenantsChooser(MultipleChooser):
    def __init__(self, attrs=None):
        super().__init__(chooser=tenant_recipient_chooser, choose_text=_("Choose tenants"),
                         empty_text=_("No tenant chosen yet."), attrs=attrs)


class UnitsChooser(MultipleChooser):
    def __init__(self, attrs=None):
        super().__init__(chooser=unit_recipient_chooser, choose_text=_("Choose units"),
                         empty_text=_("No unit chosen yet."), display_title=unit_title, attrs=attrs)
