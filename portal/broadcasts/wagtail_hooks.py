from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.admin_menu import AccessMenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_broadcast_urls():
    alerts = [
        path("", admin_views.alert_index, name="index"),
        path("new/", admin_views.alert_new, name="new"),
        path("<int:alert_id>/", admin_views.alert_detail, name="detail"),
        path("<int:alert_id>/<str:action>/", admin_views.alert_action, name="action"),
    ]
    greetings = [
        path("", admin_views.greeting_index, name="index"),
        path("<int:greeting_id>/", admin_views.greeting_detail, name="detail"),
    ]
    return [
        path("alerts/", include((alerts, "portal_alerts"))),
        path("greetings/", include((greetings, "portal_greetings"))),
    ]


@hooks.register("register_admin_menu_item")
def register_alert_menu_item():
    return AccessMenuItem(_("Weather and urgent alerts"), reverse("portal_alerts:index"),
                          shown_to=admin_views.may_send_alerts, icon_name="warning", order=320)


@hooks.register("register_admin_menu_item")
def register_greeting_menu_item():
    return AccessMenuItem(_("Holiday greetings"), reverse("portal_greetings:index"),
                          shown_to=admin_views.may_see_greetings, icon_name="calendar", order=330)
