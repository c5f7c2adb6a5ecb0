"""R23 / 4.7: at the start of a quarter, each centre that held no tenant
meeting in the quarter just ended is flagged on the managers' dashboard and
its managers are told, once, however often the check runs."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from portal.models import AuditEvent
from portal.scheduling import MEETING_GAP_NAME
from tests.base import logged_in
from tests.visits.helpers import at
from visits.models import Meeting, MeetingGap
from visits.services.meeting_gaps import meeting_gaps_check, previous_quarter
from visits.tasks import quarterly_meeting_check

JULY_1 = datetime(2026, 7, 1, 8, 15, tzinfo=ZoneInfo("Asia/Shanghai"))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(JULY_1, tick=False)]


def test_previous_quarter_wraps_to_last_years_fourth():
    assert previous_quarter(date(2026, 7, 1)) == (2026, 2)
    assert previous_quarter(date(2026, 1, 1)) == (2025, 4)
    assert previous_quarter(date(2026, 12, 31)) == (2026, 3)


def test_a_centre_without_a_meeting_last_quarter_is_flagged_and_its_managers_told_once(world):
    # Centre A met in May (Q2); its meeting of 1 July belongs to Q3. Centre B met in March only (Q1).
    Meeting.objects.create(centre=world.centre_a, title="二季度租户大会", starts_at=at(date(2026, 5, 20), 14),
                           ends_at=at(date(2026, 5, 20), 16), location="会议室", agenda="议程")
    Meeting.objects.create(centre=world.centre_b, title="一季度租户大会", starts_at=at(date(2026, 3, 31), 14),
                           ends_at=at(date(2026, 3, 31), 16), location="会议室", agenda="议程")
    Meeting.objects.create(centre=world.centre_b, title="三季度租户大会", starts_at=at(date(2026, 7, 1), 0),
                           ends_at=at(date(2026, 7, 1), 2), location="会议室", agenda="议程")

    assert quarterly_meeting_check.apply().get() == 1
    gap = MeetingGap.objects.get()
    assert (gap.centre, gap.year, gap.quarter) == (world.centre_b, 2026, 2)
    assert AuditEvent.objects.filter(action="visits.meeting_gap_flagged").count() == 1
    # The operator-wide manager is a manager of centre B; centre B's staff without the role are not told.
    assert [m.to for m in mail.outbox] == [[world.manager.email]]
    assert "2026年第2季度未召开租户大会" in mail.outbox[0].subject
    assert "测试广场B" in mail.outbox[0].subject

    # Run again (a retried task, a second beat): nothing new.
    assert len(meeting_gaps_check()) == 1
    assert MeetingGap.objects.count() == 1 and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="visits.meeting_gap_flagged").count() == 1


def test_the_flag_shows_on_the_dashboard_of_those_who_see_the_centre(world):
    meeting_gaps_check()  # neither centre met in Q2
    html = logged_in(world.manager).get(reverse("visits_dashboard:index")).content.decode()
    flags = html.split('data-testid="meeting-gaps"')[1].split("</div>")[0]
    assert "测试广场A · 2026年第2季度" in flags and "测试广场B · 2026年第2季度" in flags
    ops_a = logged_in(world.ops_a).get(reverse("visits_dashboard:index")).content.decode()
    assert "测试广场B" not in ops_a.split('data-testid="meeting-gaps"')[1].split("</div>")[0]


def test_the_check_runs_at_the_start_of_each_quarter():
    task = PeriodicTask.objects.get(name=MEETING_GAP_NAME)
    assert task.task == "visits.tasks.quarterly_meeting_check"
    assert (task.crontab.day_of_month, task.crontab.month_of_year) == ("1", "1,4,7,10")
