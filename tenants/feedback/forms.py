"""The board's forms: a tenant's post, and a member of the public's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.feedback.models import PostKind


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PostKind.choices, widget=forms.RadioSelect,
                             initial=PostKind.SUGGESTION)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=pgettext_lazy("tenant's message", "Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))


class TenantPostForm(PostForm):
    tenant = forms.ModelChoiceField(label=_("On behalf of"), queryset=None)

    field_order = ["tenant", "kind", "subject", "body"]

    def __init__(self, *args, tenants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = tenants
        if tenants.count() == 1:
            self.fields["tenant"].initial = tenants.first().pk
            self.fields["tenant"].widget = forms.HiddenInput()


class PublicPostForm(PostForm):
    name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.EmailField(label=_("Email (for the answer; never shown)"), required=False)
