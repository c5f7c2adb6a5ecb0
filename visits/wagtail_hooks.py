"""The visits app in the Wagtail admin: the managers' dashboard, a link to
the staff pages on the phone, and the visit-frequency setting."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from portal.admin_menu import AccessMenuItem, MenuEntry, register_admin_screen
from tenants.admin.policies import CentreSettingPermissionPolicy
from visits.admin.policy import VisitPolicyViewSet
from visits.admin.work_items import visit_work_items
from visits.models import VisitPolicy
from visits.selectors import is_visit_staff, sees_dashboard
from visits.views import dashboard as views

register_admin_screen("visits/dashboard/", "visits_dashboard", [
    path("", views.dashboard, name="index"),
    path("drill/<slug:kind>/", views.drill, name="drill"),
    path("export.xlsx", views.export_xlsx, name="xlsx"),
    path("exports/", views.export_request, name="export_request"),
    path("exports/<int:pk>/", views.export_status, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
], MenuEntry(_("Relationship targets"), "index", sees_dashboard, "table", 211))


@hooks.register("register_admin_menu_item")
def register_visits_menu_item():
    return AccessMenuItem(_("Visits and meetings"), reverse("visits:my_visits"), shown_to=is_visit_staff,
                          icon_name="group", order=210)


register_permission_policy(VisitPolicy, CentreSettingPermissionPolicy(VisitPolicy), exact_class=True)
register_snippet(VisitPolicyViewSet)
hooks.register("atrium_work_items", visit_work_items)
