"""The visits app in the Wagtail admin: the managers' dashboard, a link to
the staff pages on the phone, and the visit-frequency setting."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal.admin_menu import MenuEntry, register_admin_link, register_screen
from visits.admin.policy import VisitPolicyViewSet
from visits.admin.work_items import visit_work_items
from visits.selectors import is_visit_staff
from visits.views import dashboard

register_screen(dashboard.screen)
register_admin_link(MenuEntry(_("Visits and meetings"), "visits:my_visits", is_visit_staff, "group", 210))

register_snippet(VisitPolicyViewSet)
hooks.register("atrium_work_items", visit_work_items)
