"""Admin menu items shown only to the people a predicate admits.

Every app's screens outside the snippet viewsets need the same thing: a
menu entry visible to whoever may use the screen. The predicate is the
app's own access rule (a selector), asked once per request even when
several entries share it."""

from __future__ import annotations

from collections.abc import Callable

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
