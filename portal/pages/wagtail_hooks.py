"""Admin and serving hooks of the published site (imported by portal/wagtail_hooks.py)."""

from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.models import PageViewRestriction

from portal.access import is_staff_member
from portal.admin_menu import AccessMenuItem

from . import admin_views
from .privacy import page_apply_audience


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
    # notice's privacy; the raw document URL answers staff only.
    if not is_staff_member(request.user):
        raise Http404


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def draft_audience(request, page):
    page_apply_audience(page.specific, published=False)


@hooks.register("register_admin_urls")
def register_edition_urls():
    urls = [
        path("", admin_views.edition_index, name="index"),
        path("new/", admin_views.edition_new, name="new"),
        path("<int:edition_id>/", admin_views.edition_detail, name="detail"),
    ]
    return [path("handbook-editions/", include((urls, "portal_editions")))]


@hooks.register("register_admin_menu_item")
def register_edition_menu_item():
    return AccessMenuItem(_("Handbook editions"), reverse("portal_editions:index"),
                          shown_to=admin_views.may_follow_editions, icon_name="doc-full", order=310)
