"""Filters the tenants app's admin listings share: the centre, limited to
the user's own, and a day range."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.selectors.directory import centres_visible_to


def centre_filter(**kwargs):
    """A centre choice offering only the centres the user works at."""
    return django_filters.ModelChoiceFilter(
        label=_("centre"), queryset=lambda request: centres_visible_to(request.user), **kwargs
    )


def day_range_filters(field_name: str, from_label, to_label):
    """Two filters, from and until a day (inclusive), on a datetime field.
    Plain date inputs: Wagtail's date picker widget writes an inline script,
    which the content security policy blocks."""
    return tuple(
        django_filters.DateFilter(label=label, field_name=field_name, lookup_expr=f"date__{lookup}",
                                  widget=forms.DateInput(attrs={"type": "date"}))
        for label, lookup in ((from_label, "gte"), (to_label, "lte"))
    )
