"""Admin screens and the menu items shown only to the people a predicate admits.

Every app's screens outside the snippet viewsets need the same thing: URLs
under /admin/ and a menu entry visible to whoever may use the screen. An
app declares each screen once, beside its views (`AdminScreen`); its
wagtail_hooks.py registers it. The predicate is the app's own access rule
(a selector), asked once per request even when several entries share it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial, wraps
from importlib import import_module

from django.core.exceptions import PermissionDenied
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.access import reaches_centres


class AccessMenuItem(MenuItem):
    def __init__(self, label, url, *, shown_to: Callable[[object], bool], **kwargs):
        super().__init__(label, url, **kwargs)
        self.shown_to = shown_to

    def is_shown(self, request):
        answers = request.user.__dict__.setdefault("_atrium_menu", {})
        if self.shown_to not in answers:
            answers[self.shown_to] = bool(self.shown_to(request.user))
        return answers[self.shown_to]


def reaches_any(roles: Iterable[str]) -> Callable[[object], bool]:
    """A menu predicate from roles (e.g. those that handle requests): shown
    to whoever holds one of them in some centre — read from the memberships
    the request already loaded, no query of its own."""

    def shown_to(user) -> bool:
        return reaches_centres(user, roles)

    return shown_to


@dataclass(frozen=True)
class MenuEntry:
    """A menu entry leading to one of a screen's URLs (`url_name` inside the
    screen's namespace, or a full URL name for `register_admin_link`), shown
    to whoever `shown_to` admits."""

    label: str
    url_name: str
    shown_to: Callable[[object], bool]
    icon_name: str
    order: int


class AdminScreen:
    """An admin screen of an app, declared once beside its views: its URLs
    under /admin/<prefix> in `namespace` (each view joins with
    `@screen.route(...)`) and the menu entries that lead there, each shown to
    whoever its predicate admits. The app's wagtail_hooks.py registers it
    with `register_screen` — the URL hook and the menu hook every app used to
    write as a pair, with the URL list apart from the views."""

    def __init__(self, prefix: str, namespace: str, *menu: MenuEntry):
        self.prefix = prefix
        self.namespace = namespace
        self.menu = menu
        self._routes: list[tuple[str, str, str, str]] = []

    def route(self, route: str, name: str, *, allow: Callable[[object], bool] | None = None):
        """The decorated view answers at /admin/<prefix><route>, named
        <namespace>:<name>; given `allow` (a predicate of the user, usually
        the menu entry's), only to whom it admits — anyone else gets 403
        before the view runs. The URL leads to the view as its module finally
        holds it, so the view's other decorators (require_POST …) apply
        whether they stand above or below this one."""

        def add(view):
            if view.__qualname__ != view.__name__:
                raise TypeError(f"{view.__qualname__}: an admin screen's views are functions at module level")
            self._routes.append((route, name, view.__module__, view.__name__))
            return view if allow is None else _allowed_only(view, allow)

        return add

    def urls(self) -> list:
        return [path(route, getattr(import_module(module), attr), name=name)
                for route, name, module, attr in self._routes]


def _allowed_only(view, allow: Callable[[object], bool]):
    @wraps(view)
    def allowed_view(request, *args, **kwargs):
        if not allow(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return allowed_view


def register_screen(screen: AdminScreen) -> None:
    # The URLs are read when Wagtail builds the admin URLs, after every app's
    # wagtail_hooks.py (and the view modules it imports) has loaded.
    hooks.register("register_admin_urls",
                   lambda: [path(screen.prefix, include((screen.urls(), screen.namespace)))])
    for entry in screen.menu:
        hooks.register("register_admin_menu_item",
                       partial(_menu_item, f"{screen.namespace}:{entry.url_name}", entry))


def register_admin_link(entry: MenuEntry) -> None:
    """A menu entry leading out of the admin: `entry.url_name` is the full
    URL name (with its namespace)."""
    hooks.register("register_admin_menu_item", partial(_menu_item, entry.url_name, entry))


def _menu_item(url_name: str, entry: MenuEntry) -> AccessMenuItem:
    return AccessMenuItem(entry.label, reverse(url_name), shown_to=entry.shown_to,
                          icon_name=entry.icon_name, order=entry.order)


# Wagtail's help menu links to its release notes and its editor guide: English
# pages about Wagtail, not about the centre's work, each marked "new" until
# dismissed. The release notes' label is also formatted once, in the language
# of the first request, and then shown in that language to everyone.
WAGTAIL_RELEASE_LINKS = ("editor-guide", "whats-new-in-wagtail-")


def drop_wagtail_release_links(request, menu_items) -> None:
    """The construct_help_menu hook: the help menu without Wagtail's links."""
    menu_items[:] = [item for item in menu_items if not item.name.startswith(WAGTAIL_RELEASE_LINKS)]
