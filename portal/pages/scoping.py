"""Which of Wagtail's own objects — pages, documents, images — a staff
member reaches in the admin: those of the centres they hold a role in.

A centre's part of the site is its home page's subtree; its files live in
its own collection (portal.pages.site). Wagtail's permissions already keep
editors to their centre's subtree and collection; these selectors are what
the views Wagtail leaves open to every admin user (the document URL, the
admin API, the page chooser, the move-confirm page) ask instead. Hooks that
apply them: portal.pages.wagtail_hooks."""

from __future__ import annotations

from django.db.models import Q
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images import get_image_model
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import Collection, Page

from portal.access import centres_for
from portal.models.pages import CentreHomePage


def _subtrees(nodes) -> Q:
    condition = Q(pk__in=[])
    for node in nodes:
        condition |= Q(path__startswith=node.path)
    return condition


def collections_visible_to(user):
    """The collections of the user's centres and everything under them."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Collection.objects.all()
    names = centres_for(user).values_list("name", flat=True)
    roots = list(Collection.objects.filter(depth=2, name__in=list(names)))
    return Collection.objects.filter(_subtrees(roots))


def documents_visible_to(user):
    return get_document_model().objects.filter(collection__in=collections_visible_to(user))


def images_visible_to(user):
    return get_image_model().objects.filter(collection__in=collections_visible_to(user))


def pages_visible_to_staff(user):
    """The user's centres' home pages with their subtrees, and the pages
    above them (the portal root), which the chooser walks through."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Page.objects.all()
    homes = list(CentreHomePage.objects.filter(centre__in=centres_for(user)).only("path", "depth"))
    # A page's ancestors are the prefixes of its tree path (treebeard's
    # materialised path): one IN clause instead of a query per centre.
    steplen = Page.steplen
    above = {home.path[: steplen * depth] for home in homes for depth in range(1, home.depth)}
    return Page.objects.filter(_subtrees(homes) | Q(path__in=above))


def page_visible_to_staff(page, user) -> bool:
    return pages_visible_to_staff(user).filter(pk=page.pk).exists()


# --- the admin API (/admin/api/main/…) --------------------------------------------------


class ScopedDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    def get_queryset(self):
        return super().get_queryset().filter(pk__in=documents_visible_to(self.request.user).values("pk"))


class ScopedImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
    def get_queryset(self):
        return super().get_queryset().filter(pk__in=images_visible_to(self.request.user).values("pk"))


class ScopedPagesAdminAPIViewSet(PagesAdminAPIViewSet):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(pk__in=pages_visible_to_staff(self.request.user).values("pk"))
