"""Forms of the archive screens in the admin: documents, confidential
access, imports, recordings and the storage log. Validation of file content
happens here too, so that a bad file is refused before any service runs."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.uploads import AUDIO_KINDS, DOCUMENT_KINDS, validate_upload
from tenants.forms import DatesInOrder
from tenants.models import Confidentiality, DocumentKind

_DATE = forms.DateInput(attrs={"type": "date"})
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DocumentForm(DatesInOrder, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    file = forms.FileField(label=_("file"))
    issued_on = forms.DateField(label=_("issued on"), required=False, widget=_DATE)
    expires_on = forms.DateField(label=_("expires on"), required=False, widget=_DATE)
    confidentiality = forms.ChoiceField(
        label=_("confidentiality"), choices=Confidentiality.choices, initial=Confidentiality.NORMAL
    )
    dates_in_order = ("issued_on", "expires_on", _("A document cannot expire before it was issued."))
    tenant_renews = forms.BooleanField(
        label=_("the tenant renews it"), required=False,
        help_text=_("Remind the tenant's signatories too when it is about to expire."),
    )

    def __init__(self, *args, may_choose_confidential: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_choose_confidential:
            # Nobody files what they could not read back.
            self.fields["confidentiality"].choices = [(Confidentiality.NORMAL, Confidentiality.NORMAL.label)]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload, kinds=DOCUMENT_KINDS)
        return upload


class AccessRequestForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need access?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    hours = forms.IntegerField(
        label=_("For how many hours"), min_value=1, max_value=168, initial=24,
        help_text=_("1 to 168 hours; access ends by itself."),
    )


class ImportUploadForm(forms.Form):
    resource = forms.ChoiceField(label=_("What the sheet holds"))
    file = forms.FileField(label=_("Spreadsheet (XLSX or CSV)"))

    def __init__(self, *args, resources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = list(resources)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.ATRIUM_IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The file is too large: at most %(mb)s MB.")
                % {"mb": round(settings.ATRIUM_IMPORT_MAX_BYTES / 1024 / 1024, 1)}
            )
        if upload.size == 0:
            raise ValidationError(_("The file is empty."))
        return upload


class RecordingForm(forms.Form):
    file = forms.FileField(label=_("Recording (MP3, M4A, WAV, AMR, OGG)"))
    recorded_at = forms.DateTimeField(
        label=_("recorded at"), required=False, widget=_DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=_("Empty for now. Not in the future, nor more than a day before the request was received."),
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload, kinds=AUDIO_KINDS, max_bytes=settings.ATRIUM_RECORDING_MAX_BYTES)
        return upload


class HoldForm(forms.Form):
    reason = forms.CharField(label=_("Why it must be kept"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    keep_until = forms.DateField(label=_("keep until"), widget=_DATE)


class ReleaseForm(forms.Form):
    note = forms.CharField(label=_("release note"), max_length=300, required=False)


class StorageDepositForm(forms.Form):
    tenant = forms.ModelChoiceField(label=_("tenant"), queryset=None)
    contact = forms.ModelChoiceField(label=_("contact"), queryset=None, required=False)
    depositor_name = forms.CharField(label=_("left by"), max_length=100, required=False,
                                     help_text=_("Leave empty if the contact left them."))
    items = forms.CharField(label=pgettext_lazy("left for collection", "items"), max_length=300)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, initial=1)
    location = forms.CharField(label=_("kept at"), max_length=200)
    deposited_at = forms.DateTimeField(label=_("left at"), required=False, widget=_DATETIME,
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
                                       help_text=_("Leave empty for now."))
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, tenants, **kwargs):
        from tenants.models import Contact

        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants
        self.fields["contact"].queryset = Contact.objects.active().filter(tenant__in=tenants).select_related("tenant")

    def clean(self):
        cleaned = super().clean()
        tenant, contact = cleaned.get("tenant"), cleaned.get("contact")
        if tenant and contact and contact.tenant_id != tenant.pk:
            self.add_error("contact", _("The contact belongs to another tenant."))
        if not cleaned.get("depositor_name") and not contact:
            self.add_error("depositor_name", _("Say who left the items."))
        return cleaned


class StorageCollectForm(forms.Form):
    collector_name = forms.CharField(label=_("collected by"), max_length=100)
    id_checked = forms.BooleanField(label=_("ID checked"), required=False)
    id_last4 = forms.CharField(label=_("ID (last 4 characters)"), max_length=4, required=False)
