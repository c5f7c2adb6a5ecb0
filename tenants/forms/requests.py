"""Forms of the service desk: a tenant's request, replies, ratings and
reasons on the tenant side; recording, replying, assigning, correcting the
category and closing on the staff side; the record form's export."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.accounts import Department
from portal.uploads import AUDIO_KINDS, validate_upload
from tenants.models import Channel, RequestCategory, Severity, Tenant
from tenants.selectors.contacts import tenants_of_contact
from tenants.selectors.directory import assignable_staff
from tenants.selectors.requests import request_centres_handled_by


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input, e.g. straight from a phone's camera roll.
    Content checks happen in the service, so every caller gets them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > settings.ATRIUM_REQUEST_MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(n)s photos at a time.") % {"n": settings.ATRIUM_REQUEST_MAX_PHOTOS}
            )
        return [super(PhotosField, self).clean(f, initial) for f in files]


class TenantRequestForm(forms.Form):
    tenant = forms.ModelChoiceField(label=_("Shop"), queryset=None, empty_label=None)
    category = forms.ChoiceField(label=_("What is it?"), choices=RequestCategory.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 5}))
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        tenants = tenants_of_contact(user)
        self.fields["tenant"].queryset = tenants
        self._only_tenant = tenants.first() if tenants.count() == 1 else None
        if self._only_tenant is not None:
            # One shop: nothing to choose, so nothing to show.
            self.fields["tenant"].widget = forms.HiddenInput()
            self.fields["tenant"].required = False

    def clean_tenant(self):
        return self.cleaned_data.get("tenant") or self._only_tenant


class ReplyForm(forms.Form):
    body = forms.CharField(label=pgettext_lazy("tenant's message", "Message"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("Photos"))


class StaffReplyForm(ReplyForm):
    internal = forms.BooleanField(label=_("Internal note (not shown to the tenant)"), required=False)
    initial_answer = forms.BooleanField(label=_("This is the initial processing opinion (major complaint)"), required=False)

    def __init__(self, *args, initial_answer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not initial_answer:
            # Offered only while a major complaint awaits its initial answer
            # (ServiceRequest.awaits_initial_answer): elsewhere it means nothing.
            del self.fields["initial_answer"]


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the outcome?"), coerce=int,
        choices=[(5, _("5 – very satisfied")), (4, _("4 – satisfied")), (3, _("3 – acceptable")),
                 (2, _("2 – dissatisfied")), (1, _("1 – very dissatisfied"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why?"), widget=forms.Textarea(attrs={"rows": 2}))


class ReclassifyForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=RequestCategory.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices,
                                 help_text=_("Only a complaint is major; other requests are ordinary."))
    reason = forms.CharField(label=_("Why? (shown to the tenant)"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    resolution = forms.CharField(label=_("Outcome told to the tenant"), widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"), choices=[("", "—"), *Department.choices], required=False)
    assignee = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff(centre)


class StaffRequestForm(forms.Form):
    tenant = forms.ModelChoiceField(label=_("Tenant"), queryset=None)
    contact_name = forms.CharField(label=_("Contact name"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    category = forms.ChoiceField(label=_("Category"), choices=RequestCategory.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.ORDINARY)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    received_at = forms.DateTimeField(
        label=_("Received at"), required=False, help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    department = forms.ChoiceField(label=_("Assigned department"), choices=[("", "—"), *Department.choices], required=False)
    photos = PhotosField(label=_("Photos"))
    recording = forms.FileField(label=_("Call recording (MP3, M4A, WAV, AMR, OGG)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = Tenant.objects.filter(centre__in=request_centres_handled_by(user)).select_related("centre")

    def clean_recording(self):
        upload = self.cleaned_data.get("recording")
        if upload:
            validate_upload(upload, kinds=AUDIO_KINDS, max_bytes=settings.ATRIUM_RECORDING_MAX_BYTES)
        return upload


class RecordFormExportForm(forms.Form):
    centre = forms.ModelChoiceField(label=_("Centre"), queryset=None)
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(label=_("Format"), choices=[("xlsx", "Excel (XLSX)"), ("pdf", "PDF")])

    MAX_DAYS = 366

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The period cannot end before it starts."))
            elif (end - start).days > self.MAX_DAYS:
                self.add_error("end", _("Choose a period of at most one year."))
        return cleaned
