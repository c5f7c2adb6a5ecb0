from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import admin_views
from .admin_menu import MenuEntry, register_admin_screen
from .admin_reports import scope_model_log_entries, scope_page_reports
from .admin_scoping import assert_viewsets_scoped, scoped_bulk_actions
from .broadcasts import wagtail_hooks as _broadcasts_hooks  # noqa: F401
from .pages import wagtail_hooks as _pages_hooks  # noqa: F401

register_admin_screen("invitations/", "portal_invitations", [
    path("", admin_views.invitation_index, name="index"),
    path("new/", admin_views.invitation_new, name="new"),
], MenuEntry(_("Invitations"), "index", admin_views.can_invite, "mail", 900))


@hooks.register("construct_homepage_panels")
def add_my_work_panel(request, panels):
    from .access import is_staff_member
    from .admin_home import MyWorkPanel, work_items_for

    if is_staff_member(request.user):
        panels.insert(0, MyWorkPanel(work_items_for(request.user)))


# Runs when the admin URLs are built, after Wagtail's own hook has registered
# every viewset (order=100): the site does not start with an unscoped one.
@hooks.register("register_admin_urls", order=100)
def refuse_unscoped_viewsets():
    from wagtail.admin.viewsets import viewsets

    assert_viewsets_scoped(viewsets.viewsets)
    return []


def _scoped_wagtail_bulk_actions():
    from wagtail.admin.views.pages import bulk_actions as pages
    from wagtail.documents.views import bulk_actions as documents
    from wagtail.images.views import bulk_actions as images
    from wagtail.snippets.bulk_actions.delete import DeleteBulkAction

    return scoped_bulk_actions(
        DeleteBulkAction,
        pages.DeleteBulkAction, pages.MoveBulkAction, pages.PublishBulkAction, pages.UnpublishBulkAction,
        documents.AddTagsBulkAction, documents.AddToCollectionBulkAction, documents.DeleteBulkAction,
        images.AddTagsBulkAction, images.AddToCollectionBulkAction, images.DeleteBulkAction,
    )


# Every Wagtail bulk action, scoped; registered later, each replaces Wagtail's.
for _action in _scoped_wagtail_bulk_actions():
    hooks.register("register_bulk_action", _action, order=100)


scope_model_log_entries()
scope_page_reports()
