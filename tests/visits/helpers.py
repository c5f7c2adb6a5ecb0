"""Builders for hand-made visit histories: records written as they would be
after the fact (past dates), so that the figures can be checked by hand."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from visits.models import UnitCheckIn, VisitMode, VisitRecord


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def past_visit(tenant, staff, day: date, mode: str = VisitMode.PHONE) -> VisitRecord:
    checkin = None
    if mode == VisitMode.ON_SITE:
        unit = tenant.units.first()
        checkin = UnitCheckIn.objects.create(unit=unit, tenant=tenant, staff=staff, nonce="x", scanned_at=at(day))
    return VisitRecord.objects.create(
        centre=tenant.centre, tenant=tenant, staff=staff, visited_at=at(day), mode=mode, people_met="店长",
        topics="经营情况", checkin=checkin,
    )


def open_survey(world, capture_on_commit):
    """Centre A's satisfaction survey, open for two weeks from today; its
    invitations (queued on commit) are sent."""
    from visits.services.surveys import survey_create, survey_set_status

    today = timezone.localdate()
    survey = survey_create(actor=world.ops_a, centre=world.centre_a, title="年度满意度调查", opens_on=today,
                           closes_on=today + timedelta(days=14))
    with capture_on_commit(execute=True):
        survey_set_status(actor=world.ops_a, survey=survey, status="open")
    return survey
