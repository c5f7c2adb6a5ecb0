"""Wagtail admin texts that come out wrong in a reader's language.

Two are put into words once, in the language of whoever came first after a
start: a snippet viewset's breadcrumbs ("Home", "Snippets", built when the
URLs are) and a snippet chooser's buttons ("Choose tenant", built with the
form class Wagtail caches). Here they are put into words when shown, in the
reader's language. And the page search's count names no kind of item
("1-10 of 10 None", "共 10 个None"): its view leaves the names unset.

The Django admin's periodic tasks describe their times with cron_descriptor,
which reads the language of the process's C locale once, not the reader's
("At 08:30 AM, on day 1 of the month" on a Chinese screen)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext, gettext_lazy
from wagtail.admin.views.pages.search import SearchView
from wagtail.models import Page
from wagtail.snippets.widgets import AdminSnippetChooser

from .patching import wrap_once


class LazyBreadcrumbsMixin:
    """For a SnippetViewSet: Wagtail's `breadcrumbs_items`, with lazy labels."""

    @property
    def breadcrumbs_items(self):
        items = [{"url": reverse_lazy("wagtailadmin_home"), "label": gettext_lazy("Home")}]
        if getattr(settings, "WAGTAILSNIPPETS_MENU_SHOW_ALL", False) or not self.get_menu_item_is_registered():
            items.append({"url": reverse_lazy("wagtailsnippets:index"), "label": gettext_lazy("Snippets")})
        return items


def _text_for(text: str, model) -> str:
    return gettext(text) % {"object": model._meta.verbose_name}


# Made once: each call of lazy() builds a proxy class (~0.5 ms), and a chooser
# is built for every chooser field of every form shown.
_lazy_text = lazy(_text_for, str)


def install_lazy_chooser_texts() -> None:
    def wrap(original):
        def __init__(self, model=None, **kwargs):
            given = set(kwargs)  # texts a caller passes stay as given
            original(self, model, **kwargs)
            for attr, text in (("choose_one_text", "Choose %(object)s"), ("choose_another_text", "Choose another %(object)s"),
                               ("link_to_chosen_text", "Edit this %(object)s")):
                if attr not in given:
                    setattr(self, attr, _lazy_text(text, self.model))

        return __init__

    wrap_once(AdminSnippetChooser, "__init__", wrap)


def install_page_search_count() -> None:
    def wrap(original):
        def get_context_data(self, **kwargs):
            context = original(self, **kwargs)
            context["verbose_name"] = context.get("verbose_name") or Page._meta.verbose_name
            context["verbose_name_plural"] = context.get("verbose_name_plural") or Page._meta.verbose_name_plural
            return context

        return get_context_data

    wrap_once(SearchView, "get_context_data", wrap)


def _cron_description(expression, options=None):
    import calendar

    from cron_descriptor import ExpressionDescriptor, Options
    from django.utils.dates import MONTHS, WEEKDAYS

    options = options or Options()
    options.locale_code = "zh_CN" if (get_language() or "").startswith("zh") else "en_US"
    options.use_24hour_time_format = True  # as the schedule is written in settings and shown in China
    text = ExpressionDescriptor(expression, options).get_description()
    # Its month and weekday names come from the C locale (English) whatever the
    # language: Django's own names are put in instead.
    for number, name in MONTHS.items():
        text = text.replace(calendar.month_name[number], str(name))
    for number, name in WEEKDAYS.items():
        text = text.replace(calendar.day_name[number], str(name))
    return text


def install_cron_descriptions() -> None:
    """django-celery-beat calls `get_description` from its models module by name."""
    from django_celery_beat import models as beat_models

    if not getattr(beat_models.get_description, "atrium_wrapped", False):
        _cron_description.atrium_wrapped = True
        beat_models.get_description = _cron_description

