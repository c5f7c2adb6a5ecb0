from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notices.fire.selectors import checklist_centres_for
from notices.fire.services.inspections import ItemAnswer
from portal.admin_scoping import ScopedAdminForm
from tenants.forms.requests import PhotosField


class ChecklistItemForm(ScopedAdminForm):
    scoped_fields = {"centre": checklist_centres_for}


class InspectionFormForm(forms.Form):
    """One radio pair and a note per checklist item: quick to fill on a phone."""

    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("Rectify by (if anything failed)"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.fields["deadline"].initial = timezone.localdate() + timedelta(days=settings.ATRIUM_FIRE_RECTIFY_DAYS)
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
    new_deadline = forms.DateField(label=_("New deadline (if not rectified)"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    photos = PhotosField(label=_("Photos"))
