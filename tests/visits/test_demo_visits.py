"""The demo holds a year of plans and visits (some overdue), two meetings
with attendance and minutes and a survey with answers; loading it twice adds
nothing."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from tenants.models import Centre
from visits.models import Meeting, PlannedVisit, SurveyResponse, VisitRecord
from visits.selectors import targets as t

pytestmark = pytest.mark.django_db


def test_the_demo_gives_the_dashboard_real_figures():
    call_command("seed_demo", quiet=True)
    counts = (VisitRecord.objects.count(), PlannedVisit.objects.count(), Meeting.objects.count(),
              SurveyResponse.objects.count())
    today = timezone.localdate()
    ids = list(Centre.objects.values_list("pk", flat=True))
    figures = t.all_figures(ids, t.period_for(today.year, today))
    assert all(figures[k].total > 0 for k in ("visit_rate", "attainment", "face_to_face", "satisfaction"))
    if today.month > 1:
        assert t.overdue_visits(ids, t.period_for(today.year, today)).exists()
    if today.month > 9:
        published = Meeting.objects.exclude(minutes_published_at=None)
        assert published.count() == 2 and all(m.attendance.exists() for m in published)
    call_command("seed_demo", quiet=True)
    assert counts == (VisitRecord.objects.count(), PlannedVisit.objects.count(), Meeting.objects.count(),
                      SurveyResponse.objects.count())
