from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notices.fire.selectors import checklist_centres_for
from notices.fire.services.inspections import ItemAnswer
from notices.fire.services.rectification import RECTIFY_DAYS_MAX
from portal.admin_scoping import ScopedAdminForm
from tenants.forms.requests import PhotosField


class ChecklistItemForm(ScopedAdminForm):
    scoped_fields = {"centre": checklist_centres_for}


class InspectionFormForm(forms.Form):
    """One radio pair and a note per checklist item: quick to fill on a phone."""

    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # A period, not a date: the shop's time runs from when its letter reaches
    # it, after the approval chain (README, "Monthly fire-safety cycle").
    rectify_days = forms.IntegerField(label=_("Days to rectify, from the letter's delivery (if anything failed)"),
                                      required=False, min_value=1, max_value=RECTIFY_DAYS_MAX)
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.fields["rectify_days"].initial = settings.ATRIUM_FIRE_RECTIFY_DAYS
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=item.text, choices=[("1", _("Pass")), ("0", _("Fail"))], coerce=lambda v: v == "1",
                widget=forms.RadioSelect, initial="1",
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=pgettext_lazy("remark", "Note"), required=False, max_length=300,
                widget=forms.TextInput(attrs={"placeholder": _("What is wrong, where")}),
            )

    def item_rows(self):
        return [(item, self[f"item_{item.pk}"], self[f"note_{item.pk}"]) for item in self.items]

    def answers(self) -> list[ItemAnswer]:
        return [
            ItemAnswer(item_id=item.pk, passed=self.cleaned_data[f"item_{item.pk}"],
                       note=self.cleaned_data.get(f"note_{item.pk}", ""))
            for item in self.items
        ]


class ReportForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("Photos of the rectification"))


class ReinspectForm(forms.Form):
    rectified = forms.TypedChoiceField(
        label=_("Result of the re-inspection"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
        choices=[("1", _("Rectified: close the case")), ("0", _("Not rectified: issue a new rectification letter"))],
    )
    note = forms.CharField(label=pgettext_lazy("remark", "Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    rectify_days = forms.IntegerField(label=_("Days to rectify after the new letter's delivery (if not rectified)"),
                                      required=False, min_value=1, max_value=RECTIFY_DAYS_MAX)
    photos = PhotosField(label=_("Photos"))
