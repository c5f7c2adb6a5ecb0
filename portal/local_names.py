"""Names of workflows, tasks and groups in the reader's language.

Wagtail shows a workflow's, a task's and a group's `name` as stored, in every
admin screen and email. The project's own are stored in both languages,
"发文审批 Letter approval" or "网站审核 Web reviewer · A" (the code after the
dot is the centre's), and Wagtail's first migration stores English ones
("Moderators approval"). Each model's `name` attribute gives a `LocalName`:
equal to the stored text (so lookups, comparisons and saving are unchanged)
but printed — by templates, `%s`, f-strings and `str()` — in the active
language only."""

from __future__ import annotations

import re

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

BOTH = re.compile(r"^(?P<zh>[\u3400-\u9fff][^ ]*) (?P<en>[A-Za-z][^·]*?)(?P<rest> · .+)?$")
# Stored by Wagtail's migrations in English; translated when shown.
WAGTAIL_NAMES = (gettext_noop("Moderators approval"), gettext_noop("Moderators"), gettext_noop("Editors"))


def local_name(stored: str) -> str:
    match = BOTH.match(stored)
    if match:
        chinese = (get_language() or "zh-hans").startswith("zh")
        return match["zh" if chinese else "en"] + (match["rest"] or "")
    if stored in WAGTAIL_NAMES:
        return _(stored)
    return stored


class LocalName(str):
    __slots__ = ()

    def __str__(self):
        return local_name(str.__str__(self))

    def __format__(self, spec):
        return format(str(self), spec)

    def __html__(self):
        from django.utils.html import escape

        return escape(str(self))


class LocalNameAttribute:
    """A data descriptor in place of the model field's: it keeps the stored
    value in the instance's __dict__ and hands it out as a LocalName."""

    def __init__(self, original, attname: str):
        self.original = original  # Django's DeferredAttribute, for deferred loading
        self.attname = attname

    def __get__(self, instance, owner=None):
        if instance is None:
            return self.original.__get__(instance, owner)
        value = self.original.__get__(instance, owner)
        return LocalName(value) if isinstance(value, str) and not isinstance(value, LocalName) else value

    def __set__(self, instance, value):
        instance.__dict__[self.attname] = str.__str__(value) if isinstance(value, str) else value


def install_local_names() -> None:
    from django.contrib.auth.models import Group
    from wagtail.models import Task, Workflow

    for model in (Workflow, Task, Group):
        current = model.__dict__.get("name")
        if current is not None and not isinstance(current, LocalNameAttribute):
            model.name = LocalNameAttribute(current, "name")
