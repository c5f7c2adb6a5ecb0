from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from . import admin_language, admin_views
from .admin_home import add_my_work_panel
from .admin_menu import drop_wagtail_release_links, register_screen
from .admin_reports import scope_model_log_entries, scope_page_reports
from .admin_review import bound_review_queries, drop_idle_panels, review_work_items
from .admin_scoping import refuse_unscoped_viewsets, scoped_wagtail_bulk_actions
from .admin_summary import bound_site_summary, count_summary_together
from .broadcasts import wagtail_hooks as _broadcasts_hooks  # noqa: F401
from .pages import wagtail_hooks as _pages_hooks  # noqa: F401
from .review_panels import use_bounded_workflow_panels

register_screen(admin_views.screen)
register_screen(admin_language.screen)
hooks.register("construct_homepage_panels", add_my_work_panel)
hooks.register("atrium_work_items", review_work_items)
hooks.register("construct_homepage_panels", drop_idle_panels)
hooks.register("construct_homepage_panels", use_bounded_workflow_panels)
hooks.register("construct_help_menu", drop_wagtail_release_links)
# After Wagtail's own summary items are added (order 0).
hooks.register("construct_homepage_summary_items", count_summary_together, order=100)

# Runs when the admin URLs are built, after Wagtail's own hook has registered
# every viewset (order=100).
hooks.register("register_admin_urls", refuse_unscoped_viewsets, order=100)

# Every Wagtail bulk action, scoped; registered later, each replaces Wagtail's.
for _action in scoped_wagtail_bulk_actions():
    hooks.register("register_bulk_action", _action, order=100)

scope_model_log_entries()
scope_page_reports()
bound_review_queries()
bound_site_summary()


@hooks.register("insert_global_admin_css")
def admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("portal/admin.css"))
