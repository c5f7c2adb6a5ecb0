"""Names for what libraries left unmarked for translation.

Some models of Wagtail, allauth and django-celery-beat have no verbose name
(Django makes one from the class: "editing session", "authenticator", "sq
lite fts index entry"), some fields and form fields an English label only
("Task Name", "New Tag Name"),
the sites listing's columns ("Port", "Root page") and the workflow form's
"Content types". The operator administrator meets them on the
Django admin and on the group screens. They are named here, lazily, at
start-up. A model's options and a field's verbose name set here do not reach
migrations (Django's migration state reads a model's declared options and a
field's declared verbose name), so no library gets a migration of ours."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import pgettext_lazy

MODELS = {
    "wagtailadmin.Admin": ("admin", "admin"),
    "wagtailadmin.EditingSession": ("editing session", "editing sessions"),
    "wagtailadmin.FormState": ("form state", "form states"),
    "wagtailimages.Rendition": ("rendition", "renditions"),
    "wagtailsearch.IndexEntry": ("index entry", "index entries"),
    "wagtailsearch.SQLiteFTSIndexEntry": ("SQLite full-text index entry", "SQLite full-text index entries"),
    "wagtailcore.Locale": ("locale", "locales"),
    "wagtailcore.UploadedFile": ("uploaded file", "uploaded files"),
    "wagtailcore.WorkflowContentType": ("workflow content type", "workflow content types"),
    "wagtailcore.PageSubscription": ("page subscription", "page subscriptions"),
    "wagtailcore.ReferenceIndex": ("reference index", "reference index entries"),
    "wagtailcore.GroupSitePermission": ("group site permission", "group site permissions"),
    "mfa.Authenticator": ("authenticator", "authenticators"),
}

# "{}" are the two models' names.
LINK_TABLE = pgettext_lazy("model name", "link between {} and {}")

FIELDS = {
    "mfa.Authenticator": {"type": "type", "created_at": "created at", "last_used_at": "last used at"},
    "django_celery_beat.PeriodicTask": {"task": "task name"},
    "wagtailimages.Image": {"focal_point_x": "focal point x", "focal_point_y": "focal point y",
                            "focal_point_width": "focal point width", "focal_point_height": "focal point height"},
}


def install_library_names() -> None:
    for label, (singular, plural) in MODELS.items():
        try:
            opts = apps.get_model(label)._meta
        except LookupError:  # an app not installed here
            continue
        opts.verbose_name = pgettext_lazy("model name", singular)
        opts.verbose_name_plural = pgettext_lazy("model name", plural)
    for label, fields in FIELDS.items():
        opts = apps.get_model(label)._meta
        for name, text in fields.items():
            opts.get_field(name).verbose_name = pgettext_lazy("field name", text)
    _install_link_table_names()
    _install_form_labels()


def _install_link_table_names() -> None:
    """Django names a many-to-many link table when its class is made, at import,
    in whichever language was active ("User-group关系" on an English screen),
    and from the two classes' names: named here from the two models' names, for
    each reader."""
    from django.utils.text import format_lazy

    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if not opts.auto_created:
            continue
        ends = [f.related_model._meta for f in opts.fields if f.is_relation]
        if len(ends) == 2:
            opts.verbose_name = format_lazy(LINK_TABLE, ends[0].verbose_name, ends[1].verbose_name)
            opts.verbose_name_plural = opts.verbose_name


def _install_form_labels() -> None:
    from django.utils.text import capfirst
    from taggit.forms import MergeTagsForm
    from wagtail.admin.forms.workflows import WorkflowContentTypeForm
    from wagtail.models import Site
    from wagtail.sites.views import IndexView

    for column in IndexView.columns:
        if column.name in ("port", "site_name", "root_page"):  # labelled from the attribute's name
            column.label = capfirst(Site._meta.get_field(column.name).verbose_name)
    _install_beat_labels()
    WorkflowContentTypeForm.base_fields["content_types"].label = pgettext_lazy("field name", "Content types")
    new_name = MergeTagsForm.base_fields["new_tag_name"]
    new_name.label = pgettext_lazy("tags", "New tag name")
    new_name.help_text = pgettext_lazy("tags", "Enter a new or an existing tag's name")


def _install_beat_labels() -> None:
    """The beat admin's read-only columns are labelled from their attributes'
    names ("Human readable", "Crontab translation")."""
    from django_celery_beat.admin import PeriodicTaskAdmin
    from django_celery_beat.models import CrontabSchedule

    CrontabSchedule.human_readable.fget.short_description = pgettext_lazy("field name", "in words")
    PeriodicTaskAdmin.crontab_translation.short_description = pgettext_lazy("field name", "schedule in words")
