"""Who may read which published page: the one place that decides it.

A page's audience becomes Wagtail page privacy (a PageViewRestriction to the
centre's tenant group, with the centre's web editors and reviewers), which
covers the page and everything under it. The bulletin, the tenant home, the
search page and the file views all ask the selectors below; Wagtail's own
serve checks the same restriction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from wagtail.models import Page, PageViewRestriction

from portal.models.pages import Audience, CentreHomePage, NoticePage

from .site import editor_group, reviewer_group, staff_group, tenant_group


def restriction_groups(centre):
    """Who reads a tenant-only page: the centre's tenants and its own staff."""
    return [tenant_group(centre), staff_group(centre), editor_group(centre), reviewer_group(centre)]


@transaction.atomic
def page_apply_audience(page: Page, *, published: bool) -> None:
    """Make the page's privacy follow its audience.

    Called with ``published=False`` when a draft is saved: it may only make the
    page *stricter* (a tenant-only draft of a public page hides the live page
    too, which is safe). Lifting a restriction waits for ``published=True``,
    i.e. for the reviewed revision to go live; otherwise saving a draft would
    publish tenant-only text to everyone without review."""
    audience = getattr(page, "audience", None)
    if audience is None:
        return
    centre = page.centre
    if centre is None:
        return
    existing = PageViewRestriction.objects.filter(page=page, restriction_type=PageViewRestriction.GROUPS)
    if audience == Audience.TENANTS:
        restriction = existing.first() or PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.set(restriction_groups(centre))
    elif published:
        existing.delete()


def _passes(restriction: PageViewRestriction, user, group_ids: set[int]) -> bool:
    if restriction.restriction_type == PageViewRestriction.NONE:
        return True
    authenticated = getattr(user, "is_authenticated", False)
    if restriction.restriction_type == PageViewRestriction.LOGIN:
        return authenticated
    if restriction.restriction_type == PageViewRestriction.GROUPS:
        if not authenticated:
            return False
        if user.is_superuser:
            return True
        return any(g.pk in group_ids for g in restriction.groups.all())
    return False  # password pages are never listed


def _user_group_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(user.groups.values_list("pk", flat=True))


def refused_roots(user) -> list[Page]:
    """The restricted pages `user` may not read; their subtrees are closed too."""
    group_ids = _user_group_ids(user)
    restrictions = PageViewRestriction.objects.select_related("page").prefetch_related("groups")
    return [r.page for r in restrictions if not _passes(r, user, group_ids)]


def pages_visible_to(user, queryset):
    for page in refused_roots(user):
        queryset = queryset.not_descendant_of(page, inclusive=True)
    return queryset


def page_visible_to(page: Page, user) -> bool:
    if not page.live:
        return False
    group_ids = _user_group_ids(user)
    return all(_passes(r, user, group_ids) for r in page.get_view_restrictions())


def latest_notices_for(user, homes: Iterable[CentreHomePage], *, limit: int = 5):
    homes = list(homes)
    if not homes:
        return NoticePage.objects.none()
    qs = NoticePage.objects.live()
    from django.db.models import Q

    condition = Q()
    for home in homes:
        condition |= Q(path__startswith=home.path, depth__gt=home.depth)
    qs = qs.filter(condition)
    return pages_visible_to(user, qs).order_by("-first_published_at")[:limit]


def draft_audience(request, page):
    """An `after_create_page`/`after_edit_page` hook: a saved draft gets its
    audience's view restriction at once."""
    page_apply_audience(page.specific, published=False)
