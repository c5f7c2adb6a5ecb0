"""Admin and serving hooks of the published site (imported by portal/wagtail_hooks.py)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction

from portal.access import is_staff_member
from portal.admin_menu import MenuEntry, register_admin_screen
from portal.admin_scoping import all_in_scope, register_model_scope
from portal.patching import wrap_once

from . import admin_views
from .privacy import page_apply_audience
from .scoping import (
    ScopedDocumentsAdminAPIViewSet,
    ScopedImagesAdminAPIViewSet,
    ScopedPagesAdminAPIViewSet,
    collections_visible_to,
    documents_visible_to,
    images_visible_to,
    page_visible_to_staff,
    pages_visible_to_staff,
)


@hooks.register("on_serve_page", order=-10)
def refuse_signed_in_readers(callback):
    """A signed-in user who may not read a private page gets a plain refusal:
    Wagtail would send them to the login page they have already passed."""

    def inner(page, request, serve_args, serve_kwargs):
        if request.user.is_authenticated:
            from .privacy import page_visible_to

            restricted = [r for r in page.get_view_restrictions() if r.restriction_type != PageViewRestriction.PASSWORD]
            if restricted and not page_visible_to(page, request.user):
                response = TemplateResponse(request, "portal/pages/refused.html", {"page": page}, status=403)
                response["Cache-Control"] = "private, no-store"
                return response
        return callback(page, request, serve_args, serve_kwargs)

    return inner


@hooks.register("before_serve_document")
def documents_for_staff_only(document, request):
    # Wagtail's /documents/ URLs ignore page privacy. Tenants and the public
    # download attachments through pages:notice_attachment, which asks the
    # notice's privacy; the raw document URL answers staff only, and only
    # staff of the centre whose collection holds the document.
    if not is_staff_member(request.user) or not documents_visible_to(request.user).filter(pk=document.pk).exists():
        raise Http404


# --- centre scoping of Wagtail's own choosers, API and page moves -------------------
# Wagtail's permissions keep editors to their centre's subtree and collection,
# but several admin views answer any admin user for any object. Each hook
# below narrows one of them to portal.pages.scoping's selectors.


@hooks.register("construct_document_chooser_queryset")
def documents_of_my_centres(documents, request):
    return documents.filter(collection__in=collections_visible_to(request.user))


@hooks.register("construct_image_chooser_queryset")
def images_of_my_centres(images, request):
    return images.filter(collection__in=collections_visible_to(request.user))


@hooks.register("construct_page_chooser_queryset")
def pages_of_my_centres(pages, request):
    visible = pages_visible_to_staff(request.user)
    # Browsing into a page (/admin/choose-page/<id>/) shows that page's title
    # and status before its children: refuse another centre's page outright.
    match = getattr(request, "resolver_match", None)
    parent_id = match.kwargs.get("parent_page_id") if match else None
    if parent_id is not None and not visible.filter(pk=parent_id).exists():
        raise Http404
    return pages.filter(pk__in=visible.values("pk"))


@hooks.register("before_move_page")
def move_only_what_may_be_moved(request, page, destination):
    # Wagtail's move-confirm page checks nothing before the POST: it showed
    # any page's title and subpage count to any admin user.
    user = request.user
    if not page_visible_to_staff(page, user) or not page_visible_to_staff(destination, user):
        raise Http404
    if not page.permissions_for_user(user).can_move_to(destination):
        raise PermissionDenied


@hooks.register("construct_admin_api", order=100)
def scoped_admin_api(router):
    # After Wagtail's own hooks (order 0), whose endpoints these replace.
    router.register_endpoint("pages", ScopedPagesAdminAPIViewSet)
    router.register_endpoint("documents", ScopedDocumentsAdminAPIViewSet)
    router.register_endpoint("images", ScopedImagesAdminAPIViewSet)


register_model_scope(Page, pages_visible_to_staff)
register_model_scope(get_document_model(), documents_visible_to)
register_model_scope(get_image_model(), images_visible_to)


def _scope_page_chosen_multiple():
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


_scope_page_chosen_multiple()


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def draft_audience(request, page):
    page_apply_audience(page.specific, published=False)


register_admin_screen("handbook-editions/", "portal_editions", [
    path("", admin_views.edition_index, name="index"),
    path("new/", admin_views.edition_new, name="new"),
    path("<int:edition_id>/", admin_views.edition_detail, name="detail"),
], MenuEntry(_("Handbook editions"), "index", admin_views.may_follow_editions, "doc-full", 310))
