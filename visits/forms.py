"""Forms of the visits app. Validation of content (uploads, permissions,
states) lives in the services, so that every caller gets it."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.forms.requests import PhotosField
from tenants.models import RequestCategory

from .models import MeetingKind, VisitMode
from .services.records import RaisedRequest

RAISED_ROWS = 3


class VisitRecordForm(forms.Form):
    tenant = forms.ModelChoiceField(label=_("Tenant"), queryset=None)
    mode = forms.ChoiceField(label=_("How"), choices=VisitMode.choices, widget=forms.RadioSelect)
    visited_at = forms.DateTimeField(
        label=_("Date and time"), required=False, help_text=_("Leave empty for now. On-site visits use the scan time."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    people_met = forms.CharField(label=_("People met"), max_length=300)
    topics = forms.CharField(label=_("What was discussed"), widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("Photos"))
    checkin = forms.IntegerField(required=False, widget=forms.HiddenInput)
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args, tenants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants
        self.fields["submission_key"].initial = uuid.uuid4().hex
        for i in range(1, RAISED_ROWS + 1):
            self.fields[f"req{i}_category"] = forms.ChoiceField(
                label=_("Kind"), choices=[("", "—"), *RequestCategory.choices], required=False
            )
            self.fields[f"req{i}_subject"] = forms.CharField(label=_("The tenant asked for"), max_length=200, required=False)

    def raised_rows(self):
        return [(self[f"req{i}_category"], self[f"req{i}_subject"]) for i in range(1, RAISED_ROWS + 1)]

    def clean(self):
        data = super().clean()
        for i in range(1, RAISED_ROWS + 1):
            if data.get(f"req{i}_subject") and not data.get(f"req{i}_category"):
                self.add_error(f"req{i}_category", _("Choose what kind of request it is."))
        return data

    def raised(self) -> list[RaisedRequest]:
        d = self.cleaned_data
        return [
            RaisedRequest(category=d[f"req{i}_category"], subject=d[f"req{i}_subject"], description=d[f"req{i}_subject"])
            for i in range(1, RAISED_ROWS + 1) if d.get(f"req{i}_subject")
        ]


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Give to"), queryset=None)
    all_open = forms.BooleanField(label=_("All of this tenant's open visits"), required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class MeetingForm(forms.Form):
    centre = forms.ModelChoiceField(label=_("Centre"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    location = forms.CharField(label=_("Location"), max_length=200)
    agenda = forms.CharField(label=_("Agenda (one item a line)"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres


class AttendanceForm(forms.Form):
    tenant = forms.ModelChoiceField(label=_("Tenant"), queryset=None)
    attendee_name = forms.CharField(label=_("Attendee"), max_length=100)

    def __init__(self, *args, tenants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants


class SuggestionForm(AttendanceForm):
    attendee_name = None
    subject = forms.CharField(label=_("Suggestion"), max_length=200)
    description = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=pgettext_lazy("meeting", "Minutes"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    minutes_file = forms.FileField(label=_("Or upload the minutes (PDF, Word, picture)"), required=False)
    publish = forms.BooleanField(label=_("Publish to tenants"), required=False)


class SurveyForm(forms.Form):
    centre = forms.ModelChoiceField(label=_("Centre"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    closes_on = forms.DateField(label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres


class SurveyAnswerForm(forms.Form):
    comment = forms.CharField(label=_("Anything else you want to tell us?"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False, max_length=2000)

    def __init__(self, *args, questions, tenants, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        if tenants.count() > 1:
            self.fields["tenant"] = forms.ModelChoiceField(label=_("Shop"), queryset=tenants, empty_label=None)
        self.tenants = tenants
        choices = [(i, str(i)) for i in range(5, 0, -1)]
        for q in self.questions:
            self.fields[f"q{q.pk}"] = forms.TypedChoiceField(
                label=q.text, choices=choices, coerce=int, widget=forms.RadioSelect,
                help_text=q.get_dimension_display(),
            )

    def question_fields(self):
        return [self[f"q{q.pk}"] for q in self.questions]

    def chosen_tenant(self):
        return self.cleaned_data.get("tenant") or self.tenants.first()

    def scores(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}


class DashboardFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    centre = forms.ModelChoiceField(label=_("Centre"), queryset=None, required=False, empty_label=_("All my centres"))

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres


class ExportRequestForm(forms.Form):
    kind = forms.ChoiceField(choices=[("pdf", "pdf"), ("zip", "zip")])
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    centre = forms.IntegerField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The period must end after it starts."))
        return data
