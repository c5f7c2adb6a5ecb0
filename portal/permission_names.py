"""A permission's name in the reader's language.

Django writes a permission's name into auth_permission once, at migrate time,
in English ("Can add letter"); Wagtail adds "Can publish …", "Can lock …" and
"Can choose image" the same way. Every screen that lists permissions — the
operator administrator's group screens in the Wagtail admin and the Django
admin, a user's permissions, a delete confirmation — printed those English
rows. The name is put into words when shown instead, from what the row means
(its action and model, or the model's own `Meta.permissions` entry, whose
text is marked for translation), so a renamed model or a new language needs
no data migration."""

from __future__ import annotations

import functools

from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy

from .patching import wrap_once

# Django's default actions and the ones Wagtail adds for pages, snippets,
# images and documents, each "Can <action> <model's verbose name>".
ACTIONS = {
    "add": pgettext_lazy("permission", "Can add %(name)s"),
    "change": pgettext_lazy("permission", "Can change %(name)s"),
    "delete": pgettext_lazy("permission", "Can delete %(name)s"),
    "view": pgettext_lazy("permission", "Can view %(name)s"),
    "publish": pgettext_lazy("permission", "Can publish %(name)s"),
    "lock": pgettext_lazy("permission", "Can lock %(name)s"),
    "unlock": pgettext_lazy("permission", "Can unlock %(name)s"),
    "choose": pgettext_lazy("permission", "Can choose %(name)s"),
}


def permission_label(permission: Permission) -> str:
    """The permission's name in the active language."""
    model = permission.content_type.model_class()
    if model is None:  # a model since removed: only the stored name is left
        return gettext(permission.name)
    opts = model._meta
    for codename, name in opts.permissions:
        if codename == permission.codename and isinstance(name, Promise):
            return str(name)  # marked for translation: ours, Wagtail's page actions
    for action, text in ACTIONS.items():
        if permission.codename == get_permission_codename(action, opts):
            return str(text) % {"name": opts.verbose_name}
    return gettext(permission.name)


def _str(self) -> str:
    return f"{self.content_type} | {permission_label(self)}"


def _format_permissions(original):
    @functools.wraps(original)
    def format_permissions(permission_bound_field):
        context = original(permission_bound_field)
        for row in context["object_perms"]:
            for action in ("add", "change", "delete"):
                if action in row:
                    # Display-only rows: the template prints `perm.name` as the
                    # checkbox's screen-reader label.
                    row[action]["perm"].name = permission_label(row[action]["perm"])
            for custom in row["custom"]:
                custom["name"] = permission_label(custom["perm"])
        for permission, _checkbox in context["other_perms"]:
            permission.name = permission_label(permission)
        return context

    return format_permissions


def install_permission_names() -> None:
    """Permissions print in the reader's language: `str(permission)` (Django
    admin's choosers, delete confirmations) and Wagtail's group screen, whose
    template tag offers no hook, so it is registered again around the original."""
    wrap_once(Permission, "__str__", lambda _original: _str)
    from wagtail.users.templatetags import wagtailusers_tags as tags

    if getattr(tags.format_permissions, "atrium_wrapped", False):
        return
    wrapped = _format_permissions(tags.format_permissions)
    wrapped.atrium_wrapped = True
    tags.format_permissions = wrapped
    tags.register.inclusion_tag("wagtailusers/groups/includes/formatted_permissions.html", name="format_permissions")(wrapped)
