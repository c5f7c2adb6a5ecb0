"""What the fire-safety cycle puts on a staff member's admin home ("My work")."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notices.fire.models import CaseStatus, InspectionRound
from notices.fire.selectors import (
    cases_visible_to,
    rounds_without_notice,
    works_on_fire_safety,
)
from portal.access import centres_for
from portal.admin_home import WorkItem
from portal.models.accounts import Role


def fire_work_items(user):
    """Rectifications the shops reported, waiting for the inspector; and this
    month's inspection notice that nobody could draft (no safety drafter),
    for the centre's operations staff and managers, who add one."""
    if not works_on_fire_safety(user):
        return []
    reported = cases_visible_to(user).filter(status=CaseStatus.REPORTED)
    no_notice = rounds_without_notice(
        InspectionRound.objects.filter(centre__in=centres_for(user, [Role.OPERATIONS, Role.MANAGER]))
    )
    overview = reverse("fire_admin:overview")
    return [
        WorkItem(_("fire-safety rectifications to re-inspect"), reported, overview),
        WorkItem(_("monthly fire-safety notices not drafted: the centre has no safety-department drafter"),
                 no_notice, overview, urgent=True),
    ]
