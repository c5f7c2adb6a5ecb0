from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm

from portal.uploads import validate_upload


class DocumentForm(BaseDocumentForm):
    """Notice attachments are judged by their bytes, like every other upload."""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "read") and not getattr(upload, "_committed", False):
            validate_upload(upload)
        return upload


class EditionForm(forms.Form):
    handbook = forms.ModelChoiceField(queryset=None, label=_("Handbook"))
    changes = forms.CharField(label=_("What changed"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    requires_ack = forms.BooleanField(label=_("Tenants must acknowledge this edition"), required=False)
    ack_due = forms.DateField(label=_("Acknowledge by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, handbooks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handbook"].queryset = handbooks
