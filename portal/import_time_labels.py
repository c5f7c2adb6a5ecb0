"""Wagtail labels put into words when their module is imported.

Some Wagtail modules build labels with `gettext` at import, so in whichever
language was active then: the collection permission columns of the group
screen ("Add", "Edit", "Choose", "Collection") and the redirects report's
filter ("Type", "Permanent", "Temporary", "All") showed Chinese on an English
screen. This module imports nothing of Wagtail at its top, so that
`install_import_time_labels` is the first to import them."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy


def install_import_time_labels() -> None:
    """Import those modules first, with no language active, so that their labels
    hold the English msgids; then make each label lazy, to be put into words for
    each reader. Must run before anything else imports them (portal is the
    first app, and its `ready` the first to run)."""
    with translation.override(None):
        from wagtail.admin.forms import collections
        from wagtail.contrib.redirects import filters
        from wagtail.documents import forms as document_forms
        from wagtail.images import forms as image_forms
    for formset in (collections.GroupCollectionManagementPermissionFormSet,
                    document_forms.GroupDocumentPermissionFormSet, image_forms.GroupImagePermissionFormSet):
        # In place: the formset's field labels its checkboxes from the same list.
        types = formset.permission_types
        types[:] = [(codename, gettext_lazy(short), gettext_lazy(long)) for codename, short, long in types]
        field = formset.form.base_fields["collection"]
        field.label = gettext_lazy(field.label)
    kind = filters.RedirectsReportFilterSet.base_filters["is_permanent"]
    kind.label = gettext_lazy(kind.label)
    kind.extra["choices"] = [(value, gettext_lazy(text)) for value, text in kind.extra["choices"]]
    kind.extra["empty_label"] = gettext_lazy(kind.extra["empty_label"])
