"""The visits app in the Wagtail admin: the managers' dashboard and a link
to the staff pages on the phone."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .selectors import dashboard_centres_for, is_visit_staff
from .views import dashboard as views


@hooks.register("register_admin_urls")
def register_dashboard_urls():
    urls = [
        path("", views.dashboard, name="index"),
        path("drill/<slug:kind>/", views.drill, name="drill"),
        path("export.xlsx", views.export_xlsx, name="xlsx"),
        path("exports/", views.export_request, name="export_request"),
        path("exports/<int:pk>/", views.export_status, name="export"),
        path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    ]
    return [path("visits/dashboard/", include((urls, "visits_dashboard")))]


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return dashboard_centres_for(request.user).exists()


class VisitsMenuItem(MenuItem):
    def is_shown(self, request):
        return is_visit_staff(request.user)


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return DashboardMenuItem(_("Relationship targets"), reverse("visits_dashboard:index"), icon_name="table", order=120)


@hooks.register("register_admin_menu_item")
def register_visits_menu_item():
    return VisitsMenuItem(_("Visits and meetings"), reverse("visits:my_visits"), icon_name="group", order=121)
