"""What the fire-safety cycle puts on a staff member's admin home ("My work")."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notices.fire.models import CaseStatus
from notices.fire.selectors import cases_visible_to, works_on_fire_safety
from portal.admin_home import WorkItem


def fire_work_items(user):
    """Rectifications the shops reported, waiting for the inspector."""
    if not works_on_fire_safety(user):
        return []
    reported = cases_visible_to(user).filter(status=CaseStatus.REPORTED)
    return [WorkItem(_("fire-safety rectifications to re-inspect"), reported, reverse("fire_admin:overview"))]
