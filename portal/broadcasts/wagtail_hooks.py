from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.admin_menu import MenuEntry, register_admin_screen

from . import admin_views

register_admin_screen("alerts/", "portal_alerts", [
    path("", admin_views.alert_index, name="index"),
    path("new/", admin_views.alert_new, name="new"),
    path("<int:alert_id>/", admin_views.alert_detail, name="detail"),
    path("<int:alert_id>/<str:action>/", admin_views.alert_action, name="action"),
], MenuEntry(_("Weather and urgent alerts"), "index", admin_views.may_send_alerts, "warning", 320))

register_admin_screen("greetings/", "portal_greetings", [
    path("", admin_views.greeting_index, name="index"),
    path("<int:greeting_id>/", admin_views.greeting_detail, name="detail"),
], MenuEntry(_("Holiday greetings"), "index", admin_views.may_see_greetings, "calendar", 330))
