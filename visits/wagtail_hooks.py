"""The visits app in the Wagtail admin: the managers' dashboard and a link
to the staff pages on the phone."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.admin_menu import AccessMenuItem, MenuEntry, register_admin_screen

from .selectors import dashboard_centres_for, is_visit_staff
from .views import dashboard as views


def _sees_dashboard(user) -> bool:
    return dashboard_centres_for(user).exists()


register_admin_screen("visits/dashboard/", "visits_dashboard", [
    path("", views.dashboard, name="index"),
    path("drill/<slug:kind>/", views.drill, name="drill"),
    path("export.xlsx", views.export_xlsx, name="xlsx"),
    path("exports/", views.export_request, name="export_request"),
    path("exports/<int:pk>/", views.export_status, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
], MenuEntry(_("Relationship targets"), "index", _sees_dashboard, "table", 211))


@hooks.register("register_admin_menu_item")
def register_visits_menu_item():
    return AccessMenuItem(_("Visits and meetings"), reverse("visits:my_visits"), shown_to=is_visit_staff,
                          icon_name="group", order=210)


# --- how often special tenants are visited: the managers' setting per centre ---------

from wagtail.admin.panels import FieldPanel, ObjectList  # noqa: E402
from wagtail.permissions import register_permission_policy  # noqa: E402
from wagtail.snippets.models import register_snippet  # noqa: E402

from portal.admin_scoping import ScopedAdminForm, ScopedSnippetViewSet  # noqa: E402
from tenants.admin.policies import CentreSettingPermissionPolicy  # noqa: E402
from tenants.selectors.directory import centres_editable_by  # noqa: E402

from .models import VisitPolicy  # noqa: E402

register_permission_policy(VisitPolicy, CentreSettingPermissionPolicy(VisitPolicy), exact_class=True)


class VisitPolicyForm(ScopedAdminForm):
    scoped_fields = {"centre": centres_editable_by}


class VisitPolicyViewSet(ScopedSnippetViewSet):
    model = VisitPolicy
    icon = "date"
    menu_label = _("Visit frequency of special tenants")
    add_to_admin_menu = False
    copy_view_enabled = False
    list_display = ["centre", "special_per_year"]
    edit_handler = ObjectList([FieldPanel("centre"), FieldPanel("special_per_year")], base_form_class=VisitPolicyForm)

    @staticmethod
    def scope(user):
        return VisitPolicy.objects.filter(centre__in=centres_editable_by(user)).select_related("centre")


register_snippet(VisitPolicyViewSet)


@hooks.register("atrium_work_items")
def visit_work_items(user):
    """My planned visits: overdue, and due within the week."""
    from datetime import timedelta

    from django.utils import timezone

    from portal.admin_home import WorkItem

    from .models import PlannedVisitStatus
    from .selectors import planned_visits_visible_to

    today = timezone.localdate()
    mine = planned_visits_visible_to(user).filter(assignee=user, status=PlannedVisitStatus.DUE)
    url = reverse("visits:my_visits")
    return [
        WorkItem(_("visits overdue"), mine.filter(window_end__lt=today).count(), url, urgent=True),
        WorkItem(_("visits due this week"),
                 mine.filter(window_end__gte=today, window_start__lte=today + timedelta(days=7)).count(), url),
    ]
