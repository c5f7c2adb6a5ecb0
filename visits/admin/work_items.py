"""What the visits put on a staff member's admin home ("My work")."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.admin_home import WorkItem
from visits.models import PlannedVisitStatus
from visits.selectors import planned_visits_visible_to


def visit_work_items(user):
    """My planned visits: overdue, and due within the week."""
    today = timezone.localdate()
    mine = planned_visits_visible_to(user).filter(assignee=user, status=PlannedVisitStatus.DUE)
    url = reverse("visits:my_visits")
    return [
        WorkItem(_("visits overdue"), mine.filter(window_end__lt=today), url, urgent=True),
        WorkItem(_("visits due this week"), mine.filter(window_end__gte=today, window_start__lte=today + timedelta(days=7)), url),
    ]
