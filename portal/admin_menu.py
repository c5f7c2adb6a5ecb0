"""Admin menu items shown only to the people a predicate admits.

Every app's screens outside the snippet viewsets need the same thing: a
menu entry visible to whoever may use the screen. The predicate is the
app's own access rule (a selector), asked once per request even when
several entries share it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem


class AccessMenuItem(MenuItem):
    def __init__(self, label, url, *, shown_to: Callable[[object], bool], **kwargs):
        super().__init__(label, url, **kwargs)
        self.shown_to = shown_to

    def is_shown(self, request):
        answers = request.user.__dict__.setdefault("_atrium_menu", {})
        if self.shown_to not in answers:
            answers[self.shown_to] = bool(self.shown_to(request.user))
        return answers[self.shown_to]


@dataclass(frozen=True)
class MenuEntry:
    """A menu entry leading to one of a screen's URLs (`url_name` inside the
    screen's namespace), shown to whoever `shown_to` admits."""

    label: str
    url_name: str
    shown_to: Callable[[object], bool]
    icon_name: str
    order: int


def register_admin_screen(prefix: str, namespace: str, urls: list, *menu: MenuEntry) -> None:
    """An admin screen of an app: its URLs under /admin/<prefix> in
    `namespace`, and the menu entries that lead there — the URL hook and the
    menu hook every app used to write as a pair."""
    hooks.register("register_admin_urls", lambda: [path(prefix, include((urls, namespace)))])
    for entry in menu:
        hooks.register("register_admin_menu_item", partial(_menu_item, namespace, entry))


def _menu_item(namespace: str, entry: MenuEntry) -> AccessMenuItem:
    return AccessMenuItem(entry.label, reverse(f"{namespace}:{entry.url_name}"), shown_to=entry.shown_to,
                          icon_name=entry.icon_name, order=entry.order)
