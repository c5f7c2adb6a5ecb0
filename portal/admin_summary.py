"""The admin home's site summary (pages, images, documents) and the site
it names, in a fixed, small number of queries.

Wagtail's summary counted each figure with a query of its own and asked
"which site is this person's" once per figure and once more for the page
title — each time a query for the site, and for people who reach the whole
tree another two for the root and the site's home page. Here the site is
worked out once per request, the figures are counted together
(portal/counting.py), and the explorable root is not fetched again when it
is one of the pages the permissions already loaded. The figures and links
are the ones Wagtail shows."""

from __future__ import annotations

import posixpath

from wagtail.admin.navigation import get_site_for_user
from wagtail.admin.site_summary import PagesSummaryItem
from wagtail.admin.views.home import HomeView
from wagtail.documents import get_document_model
from wagtail.documents.wagtail_hooks import DocumentsSummaryItem
from wagtail.images import get_image_model
from wagtail.images.wagtail_hooks import ImagesSummaryItem
from wagtail.models import Page, Site
from wagtail.models.pages import BasePageManager
from wagtail.permissions import policy_registry

from .counting import tally_for
from .patching import wrap_once
from .request_memo import remember

_VISIBLE = {"add", "change", "delete", "choose"}


def site_for_user(user) -> dict:
    """Wagtail's `get_site_for_user`, worked out once per request."""
    return remember(("site_for_user", user.pk), lambda: get_site_for_user(user))


class _Figures:
    """The summary's figures, counted with the request's other figures (the
    work panel's) the first time one is shown."""

    def __init__(self, user):
        self.tally = tally_for(user)
        self.keys = {}

    def ask(self, name: str, queryset) -> None:
        self.keys[name] = self.tally.ask(queryset)

    def __getitem__(self, name: str) -> int:
        return self.tally.answer(self.keys[name])


class PagesSummary(PagesSummaryItem):
    def __init__(self, request, figures: _Figures):
        super().__init__(request)
        self.figures = figures
        root = site_for_user(request.user)["root_page"] if self.is_shown() else None
        if root is not None:
            figures.ask("pages", Page.objects.descendant_of(root, inclusive=True))

    def get_context_data(self, parent_context):
        site = site_for_user(self.request.user)
        root_page = site["root_page"]
        page_count = 0
        if root_page:
            page_count = self.figures["pages"]
            if root_page.is_root():
                # As Wagtail: the tree root is no page; with a single site,
                # link to its home page instead (its #1883).
                page_count -= 1
                sites = list(Site.objects.select_related("root_page")[:2])
                if len(sites) == 1:
                    root_page = sites[0].root_page
        return {"root_page": root_page, "total_pages": page_count, "site_name": site["site_name"]}


class _CollectionSummary:
    """Images and documents: one figure, what the user may act on under the
    model's (collection) permission policy. Subclasses name the `figure`,
    the template's `context_key` and the model's `get_model`."""

    figure = context_key = ""
    get_model = None

    def __init__(self, request, figures: _Figures):
        super().__init__(request)
        self.figures = figures
        if self.is_shown():
            policy = policy_registry.get_by_type(self.get_model())
            figures.ask(self.figure, policy.instances_user_has_any_permission_for(request.user, _VISIBLE))

    def get_context_data(self, parent_context):
        return {self.context_key: self.figures[self.figure], "site_name": site_for_user(self.request.user)["site_name"]}


class ImagesSummary(_CollectionSummary, ImagesSummaryItem):
    figure, context_key, get_model = "images", "total_images", staticmethod(get_image_model)


class DocumentsSummary(_CollectionSummary, DocumentsSummaryItem):
    figure, context_key, get_model = "documents", "total_docs", staticmethod(get_document_model)


_OURS = {PagesSummaryItem: PagesSummary, ImagesSummaryItem: ImagesSummary, DocumentsSummaryItem: DocumentsSummary}


def count_summary_together(request, items) -> None:
    """A `construct_homepage_summary_items` hook, run after Wagtail's: its
    items replaced by the ones above, which share their figures."""
    figures = _Figures(request.user)
    items[:] = [_OURS[type(item)](request, figures) if type(item) in _OURS else item for item in items]


def _get_site_details(original):
    def get_site_details(self):
        site = site_for_user(self.request.user)
        return {"root_page": site["root_page"], "root_site": site["root_site"], "site_name": site["site_name"]}

    return get_site_details


def _first_common_ancestor_of(original):
    def first_common_ancestor_of(self, pages, include_self=False, strict=False):
        # The explorable root of most people is one of the pages their
        # permissions name, already loaded with them: no second query.
        if include_self and pages:
            pages = list(pages)
            common = posixpath.commonprefix([page.path for page in pages])
            common = common[: len(common) - len(common) % self.model.steplen]
            for page in pages:
                if page.path == common and type(page) is self.model:
                    return page
        return original(self, pages, include_self=include_self, strict=strict)

    return first_common_ancestor_of


def bound_site_summary() -> None:
    wrap_once(HomeView, "get_site_details", _get_site_details)
    wrap_once(BasePageManager, "first_common_ancestor_of", _first_common_ancestor_of)
