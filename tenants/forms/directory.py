from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.admin_scoping import ScopedAdminForm
from portal.models.accounts import Department
from portal.uploads import AUDIO_KINDS, validate_upload
from tenants.models import (
    CONFIDENTIAL_CONTACT_FIELDS,
    CONFIDENTIAL_TENANT_FIELDS,
    Channel,
    Operator,
    RequestCategory,
    Severity,
    Tenant,
)
from tenants.selectors import (
    archive_centres_editable_by,
    assignable_staff,
    centres_editable_by,
    has_confidential_permission,
    may_see_confidential,
    request_centres_handled_by,
    tenants_of_contact,
)


def _editable_tenants(user):
    return Tenant.objects.filter(centre__in=archive_centres_editable_by(user))


def _operators_of(user):
    return Operator.objects.filter(centres__in=centres_editable_by(user)).distinct()


class CentreForm(ScopedAdminForm):
    scoped_fields = {"operator": _operators_of}


class ConfidentialFieldsMixin:
    """Confidential fields leave the form (so they are neither shown nor
    overwritten) unless the editor may see this tenant's confidential
    records; a new record needs the permission itself."""

    confidential_fields: tuple[str, ...] = ()

    def _drop_confidential(self, tenant):
        user = self.for_user
        allowed = may_see_confidential(user, tenant) if tenant is not None else has_confidential_permission(user)
        if not allowed:
            for name in self.confidential_fields:
                self.fields.pop(name, None)


class TenantForm(ConfidentialFieldsMixin, ScopedAdminForm):
    scoped_fields = {"centre": archive_centres_editable_by}
    confidential_fields = CONFIDENTIAL_TENANT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._drop_confidential(self.instance if self.instance.pk else None)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("lease_start"), cleaned.get("lease_end")
        if start and end and end < start:
            self.add_error("lease_end", _("The lease cannot end before it starts."))
        return cleaned


class UnitForm(ScopedAdminForm):
    scoped_fields = {"centre": archive_centres_editable_by, "tenant": _editable_tenants}

    def clean(self):
        cleaned = super().clean()
        centre, tenant = cleaned.get("centre"), cleaned.get("tenant")
        if centre and tenant and tenant.centre_id != centre.pk:
            self.add_error("tenant", _("The tenant trades in another centre."))
        if cleaned.get("floor") == 0:
            self.add_error("floor", _("There is no floor 0: use 1 for the ground floor and -1 for B1."))
        return cleaned


class ContactForm(ConfidentialFieldsMixin, ScopedAdminForm):
    scoped_fields = {"tenant": _editable_tenants}
    confidential_fields = CONFIDENTIAL_CONTACT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._drop_confidential(self.instance.tenant if self.instance.pk else None)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("may_sign") and not cleaned.get("email"):
            self.add_error("email", _("A contact who may sign needs an email address to receive letters."))
        return cleaned




# --- Service desk --------------------------------------------------------------


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
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("Photos"))


class StaffReplyForm(ReplyForm):
    internal = forms.BooleanField(label=_("Internal note (not shown to the tenant)"), required=False)
    initial_answer = forms.BooleanField(label=_("This is the initial processing opinion (major complaint)"), required=False)


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
