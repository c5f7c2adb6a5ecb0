"""Who sees what of the relationship work: the one place that decides it.

Staff (operations and managers/auditors) see the centres they work for; an
operator-wide manager sees every centre of the operator; tenants see none of
the staff records, only their own centre's meetings (coming up, or past with
published minutes) and surveys."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from portal.access import centres_for, reaches_centres
from portal.models.accounts import Role
from tenants.selectors.contacts import tenant_contacts_of

from ..models import (
    Meeting,
    PlannedVisit,
    Survey,
    SurveyStatus,
    VisitPhoto,
    VisitRecord,
)

STAFF_ROLES = (Role.OPERATIONS, Role.MANAGER)
DASHBOARD_ROLES = (Role.OPERATIONS, Role.MANAGER)


def visit_centres_for(user):
    return centres_for(user, STAFF_ROLES)


def dashboard_centres_for(user):
    return centres_for(user, DASHBOARD_ROLES)


def sees_dashboard(user) -> bool:
    return reaches_centres(user, DASHBOARD_ROLES)


def is_visit_staff(user) -> bool:
    return reaches_centres(user, STAFF_ROLES)


def planned_visits_visible_to(user):
    return PlannedVisit.objects.filter(centre__in=visit_centres_for(user))


def visit_records_visible_to(user):
    return VisitRecord.objects.filter(centre__in=visit_centres_for(user))


def visit_photos_visible_to(user):
    return VisitPhoto.objects.filter(record__centre__in=visit_centres_for(user))


def meetings_visible_to_staff(user):
    return Meeting.objects.filter(centre__in=visit_centres_for(user))


def surveys_visible_to_staff(user):
    return Survey.objects.filter(centre__in=visit_centres_for(user))


def tenant_centre_ids(user) -> list[int]:
    return list(tenant_contacts_of(user).values_list("tenant__centre_id", flat=True).distinct())


def meetings_for_tenant_user(user):
    """Meetings of the centres of the user's shops: those to come or under
    way (the tenant needs the time, place and agenda to attend, 4.7), and
    past ones whose minutes are published. A past meeting without published
    minutes has nothing left for a tenant to read."""
    return Meeting.objects.filter(centre_id__in=tenant_centre_ids(user)).filter(
        Q(ends_at__gte=timezone.now()) | Q(minutes_published_at__isnull=False)
    )


def meeting_minutes_for_tenant_user(user):
    """Meetings whose minutes a tenant may read (and download): published only,
    never a draft staff are still writing."""
    return meetings_for_tenant_user(user).filter(minutes_published_at__isnull=False)


def open_surveys_for_tenant_user(user):
    today = timezone.localdate()
    return Survey.objects.filter(
        centre_id__in=tenant_centre_ids(user), status=SurveyStatus.OPEN, opens_on__lte=today, closes_on__gte=today
    )
