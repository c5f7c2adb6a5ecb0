"""Which of Wagtail's own objects — pages, documents, images — a staff
member reaches in the admin: those of the centres they hold a role in.

A centre's part of the site is its home page's subtree; its files live in
its own collection (portal.pages.site). Wagtail's permissions already keep
editors to their centre's subtree and collection; these selectors are what
the views Wagtail leaves open to every admin user (the document URL, the
admin API, the page chooser, the move-confirm page) ask instead, through
the hooks at the bottom (registered by portal.pages.wagtail_hooks)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, JsonResponse
from taggit.models import Tag, TaggedItem
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views import tags as wagtail_tags
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images import get_image_model
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import Collection, Page

from portal.access import centres_for
from portal.admin_scoping import all_in_scope
from portal.models.pages import CentreHomePage
from portal.patching import wrap_once


def _subtrees(nodes) -> Q:
    condition = Q(pk__in=[])
    for node in nodes:
        condition |= Q(path__startswith=node.path)
    return condition


def collections_visible_to(user):
    """The collections of the user's centres and everything under them."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Collection.objects.all()
    roots = list(Collection.objects.filter(pk__in=centres_for(user).values("collection_id")))
    return Collection.objects.filter(_subtrees(roots))


def documents_visible_to(user):
    return get_document_model().objects.filter(collection__in=collections_visible_to(user))


def images_visible_to(user):
    return get_image_model().objects.filter(collection__in=collections_visible_to(user))


def tags_visible_to(user):
    """The tags on the documents and images of the user's centres. Tag names
    are free text ("某商户欠费", a tenant's name): one centre's staff must not
    read another's through the tag field's suggestions."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Tag.objects.all()
    used = Q(pk__in=[])
    for model, visible in ((get_document_model(), documents_visible_to), (get_image_model(), images_visible_to)):
        items = TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                          object_id__in=visible(user).values("pk"))
        used |= Q(pk__in=items.values("tag_id"))
    return Tag.objects.filter(used)


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


def scoped_admin_api(router):
    """A `construct_admin_api` hook, registered after Wagtail's own (order
    0), whose endpoints these replace."""
    router.register_endpoint("pages", ScopedPagesAdminAPIViewSet)
    router.register_endpoint("documents", ScopedDocumentsAdminAPIViewSet)
    router.register_endpoint("images", ScopedImagesAdminAPIViewSet)


# --- the tag field's suggestions (/admin/tag-autocomplete/…) ----------------------------


@require_admin_access
def scoped_tag_autocomplete(request, app_name=None, model_name=None):
    """Wagtail's tag autocomplete answers every admin user with every tag and
    has no hook; portal/urls.py routes its two addresses here first. The
    superuser keeps Wagtail's own view."""
    if request.user.is_superuser:
        return wagtail_tags.autocomplete(request, app_name=app_name, model_name=model_name)
    # Only taggit's Tag is used (documents and images); any other tag model
    # would need a scope of its own, so it is not offered.
    if (app_name or model_name) and (app_name, model_name) != ("taggit", "tag"):
        raise Http404
    term = request.GET.get("term", "")
    if not term:
        return JsonResponse([], safe=False)
    names = (tags_visible_to(request.user).filter(name__istartswith=term).order_by("name")
             .values_list("name", flat=True)[: wagtail_tags.TAGS_AUTOCOMPLETE_LIMIT])
    return JsonResponse(list(names), safe=False)


# --- Wagtail's choosers and page moves ---------------------------------------------------


def documents_of_my_centres(documents, request):
    return documents.filter(collection__in=collections_visible_to(request.user))


def images_of_my_centres(images, request):
    return images.filter(collection__in=collections_visible_to(request.user))


def pages_of_my_centres(pages, request):
    visible = pages_visible_to_staff(request.user)
    # Browsing into a page (/admin/choose-page/<id>/) shows that page's title
    # and status before its children: refuse another centre's page outright.
    match = getattr(request, "resolver_match", None)
    parent_id = match.kwargs.get("parent_page_id") if match else None
    if parent_id is not None and not visible.filter(pk=parent_id).exists():
        raise Http404
    return pages.filter(pk__in=visible.values("pk"))


def move_only_what_may_be_moved(request, page, destination):
    # Wagtail's move-confirm page checks nothing before the POST: it showed
    # any page's title and subpage count to any admin user.
    user = request.user
    if not page_visible_to_staff(page, user) or not page_visible_to_staff(destination, user):
        raise Http404
    if not page.permissions_for_user(user).can_move_to(destination):
        raise PermissionDenied


def scope_page_chosen_multiple():
    """The page chooser's chosen-multiple view (/admin/choose-page/chosen-multiple/?id=…)
    returns any page's title and URL and runs no hook: Wagtail offers no way
    in, so its `get` refuses ids outside the user's pages first."""
    from wagtail.admin.views import chooser

    def wrap(unscoped_get):
        def get(self, request):
            ids = request.GET.getlist("id")
            if ids and not all_in_scope(pages_visible_to_staff(request.user), ids):
                raise Http404
            return unscoped_get(self, request)
        return get

    wrap_once(chooser.ChosenMultipleView, "get", wrap)
