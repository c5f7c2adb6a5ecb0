"""The staff home page in the admin: what is waiting for me, across apps.

Each app contributes through the `atrium_work_items` hook — a function
(user) -> list[WorkItem] — so the portal knows nothing of their models and
each app decides, with its own selectors, what the user may see. An item
names the records waiting (a queryset), not their number: the figures of
every app are counted together, in one query (portal/counting.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import QuerySet
from wagtail import hooks
from wagtail.admin.ui.components import Component

from portal.access import is_staff_member
from portal.counting import Tally, tally_for


@dataclass(frozen=True)
class WorkItem:
    label: str
    waiting: QuerySet
    url: str
    urgent: bool = False
    count: int | None = None  # filled in by work_items_for


def _ask(tally: Tally, user) -> list[tuple[WorkItem, int]]:
    items = [item for provider in hooks.get_hooks("atrium_work_items") for item in provider(user)]
    return [(item, tally.ask(item.waiting)) for item in items]


def _answer(tally: Tally, asked) -> list[WorkItem]:
    counted = [replace(item, count=tally.answer(key)) for item, key in asked]
    return [item for item in counted if item.count]


def work_items_for(user) -> list[WorkItem]:
    tally = tally_for(user)
    return _answer(tally, _ask(tally, user))


class MyWorkPanel(Component):
    name = "atrium_my_work"
    order = 10
    template_name = "portal/admin/my_work_panel.html"

    def __init__(self, user):
        # Asked now, counted when shown: with the site summary's figures,
        # in the same query.
        self.tally = tally_for(user)
        self.asked = _ask(self.tally, user)

    def get_context_data(self, parent_context=None):
        return {"items": _answer(self.tally, self.asked)}


def add_my_work_panel(request, panels):
    """A `construct_homepage_panels` hook: staff find their work first."""
    if is_staff_member(request.user):
        panels.insert(0, MyWorkPanel(request.user))
