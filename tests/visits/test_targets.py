"""Each target's arithmetic on a hand-built year (2025, judged in 2026):
a tier change in May, a tenant who leaves in March, one who moves in in
October, visits, meetings, suggestions and a survey."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import TenantStatus, Tier
from tenants.services.requests import request_assign, request_reclassify, request_reply
from tests.base import make_tenant
from tests.visits.helpers import at, past_visit
from visits.models import (
    Dimension,
    Meeting,
    MeetingAttendance,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    SurveyScore,
    TierChange,
)
from visits.selectors import targets as t
from visits.services.meetings import meeting_suggestion_add
from visits.services.plans import plan_sync

pytestmark = pytest.mark.django_db

PERIOD = t.Period(year=2025, as_of=date(2025, 12, 31), today=date(2026, 3, 1))


@pytest.fixture
def year(world):
    w = world
    changed = make_tenant(w.centre_a, "TA010", "换级店", tier=Tier.TIER_1, floor=1)
    TierChange.objects.create(tenant=changed, from_tier="2", to_tier="1", effective=date(2025, 5, 10))
    leaver = make_tenant(w.centre_a, "TA011", "撤场店", tier=Tier.TIER_1, floor=2)
    leaver.lease_end, leaver.status = date(2025, 3, 20), TenantStatus.LEFT
    leaver.save()
    newcomer = make_tenant(w.centre_a, "TA012", "新店", tier=Tier.TIER_3)
    newcomer.lease_start = date(2025, 10, 1)
    newcomer.save()

    for month in range(1, 13):  # every month but November
        if month != 11:
            past_visit(w.tenant_a, w.ops_a, date(2025, month, 15))
    past_visit(w.tenant_a2, w.ops_a, date(2025, 6, 3))
    past_visit(changed, w.ops_a, date(2025, 2, 12), mode="on_site")
    past_visit(changed, w.ops_a, date(2025, 5, 20))
    for month in range(6, 13):
        past_visit(changed, w.ops_a, date(2025, month, 2))
    past_visit(leaver, w.ops_a, date(2025, 1, 8))
    past_visit(leaver, w.ops_a, date(2025, 2, 8))
    meeting = Meeting.objects.create(centre=w.centre_a, title="一季度租户大会", starts_at=at(date(2025, 2, 20), 14),
                                     ends_at=at(date(2025, 2, 20), 16), location="会议室", agenda="议程")
    MeetingAttendance.objects.create(meeting=meeting, tenant=leaver, attendee_name="王", method="staff",
                                     at=at(date(2025, 2, 20), 14))
    # Centre B: must never show in centre A's figures.
    past_visit(w.tenant_b, w.ops_b, date(2025, 4, 1), mode="on_site")
    plan_sync(centre=w.centre_a, year=2025)
    plan_sync(centre=w.centre_b, year=2025)
    return {"changed": changed, "leaver": leaver, "newcomer": newcomer, "meeting": meeting}


def test_annual_visit_rate_counts_tenants_visited_as_often_as_their_tier_requires(world, year):
    fig = t.visit_rate([world.centre_a.pk], PERIOD)
    # Counted: 蜀香 (missed November), 云裳 (tier 3, visited), 换级店 (all 9 windows), 撤场店 (missed March).
    # The newcomer of October has no window this year and is not counted.
    assert (fig.met, fig.total, fig.rate) == (2, 4, 50.0)
    assert fig.by["tier"] == {"1": (1, 3), "3": (1, 1)}
    behind = set(t.tenants_behind_on_visits([world.centre_a.pk], PERIOD).values_list("code", flat=True))
    assert behind == {"TA001", "TA011"}


def test_plan_attainment_per_staff_member_and_month(world, year):
    fig = t.attainment([world.centre_a.pk], PERIOD)
    # 12 + 1 + 9 + 3 windows ended; 11 + 1 + 9 + 2 done, all by the one operations person.
    assert (fig.met, fig.total) == (23, 25)
    assert fig.by["staff"] == {world.ops_a.pk: (23, 25)}
    assert fig.by["month"][11] == (1, 2)  # November: 换级店 done, 蜀香 missed
    assert fig.by["month"][3] == (2, 3)  # March: 蜀香 and Q1 of 换级店 done, 撤场店 missed
    overdue = t.overdue_visits([world.centre_a.pk], PERIOD)
    assert sorted((p.tenant.code, p.period) for p in overdue) == [("TA001", "M11"), ("TA011", "M03")]


def test_face_to_face_rate_counts_tenant_meetings_only(world, year):
    # Clause 4.10: talked to face to face *at a tenant meeting*. 撤场店 came to
    # the meeting; 换级店's on-site visit does not count here.
    fig = t.face_to_face([world.centre_a.pk], PERIOD)
    assert (fig.met, fig.total, fig.rate) == (1, 4, 25.0)
    assert fig.goal == 90.0 and fig.ok is False
    not_met = set(t.tenants_not_met([world.centre_a.pk], PERIOD).values_list("code", flat=True))
    assert not_met == {"TA001", "TA002", "TA010"}


def test_in_person_visits_are_their_own_figure_without_a_goal(world, year):
    fig = t.visited_in_person([world.centre_a.pk], PERIOD)
    assert (fig.met, fig.total, fig.rate) == (1, 4, 25.0)  # 换级店 on site; the meeting does not count here
    assert fig.by["tier"] == {"1": (1, 3), "3": (0, 1)}
    assert fig.goal is None and fig.ok is None
    not_visited = set(t.tenants_not_visited_in_person([world.centre_a.pk], PERIOD).values_list("code", flat=True))
    assert not_visited == {"TA001", "TA002", "TA011"}
    assert "on_site" in t.all_figures([world.centre_a.pk], PERIOD)


def test_suggestion_reply_rate(world, year):
    first = meeting_suggestion_add(actor=world.ops_a, meeting=year["meeting"], tenant=world.tenant_a, subject="增加停车位")
    meeting_suggestion_add(actor=world.ops_a, meeting=year["meeting"], tenant=world.tenant_a2, subject="延长营业时间")
    request_reply(actor=world.ops_a, service_request=first.request, body="已与物业协调")
    fig = t.suggestion_reply([world.centre_a.pk], PERIOD)
    assert (fig.met, fig.total, fig.rate) == (1, 2, 50.0)
    assert [sr.subject for sr in t.suggestions([world.centre_a.pk], PERIOD).filter(responded_at=None)] == ["延长营业时间"]


def test_a_meeting_suggestion_corrected_to_a_complaint_still_awaits_its_reply(world, year):
    s = meeting_suggestion_add(actor=world.ops_a, meeting=year["meeting"], tenant=world.tenant_a, subject="保洁太差")
    request_reclassify(actor=world.ops_a, service_request=s.request, category="complaint", severity="ordinary",
                       reason="实为对保洁的投诉")
    fig = t.suggestion_reply([world.centre_a.pk], PERIOD)
    assert (fig.met, fig.total) == (0, 1)  # 4.10: every meeting member's suggestion is answered


def test_satisfaction_overall_and_by_dimension_tier_and_floor(world, year):
    survey = Survey.objects.create(centre=world.centre_a, title="2025 满意度", opens_on=date(2025, 6, 1),
                                   closes_on=date(2025, 6, 30), status="closed")
    dims = [Dimension.QUALITY, Dimension.QUALITY, Dimension.VALUE, Dimension.EXPECTATIONS, Dimension.COMPLAINTS,
            Dimension.LOYALTY]
    questions = [SurveyQuestion.objects.create(survey=survey, dimension=d, text=f"Q{i}", order=i) for i, d in enumerate(dims)]
    for tenant, floor, values in ((world.tenant_a, 1, [5, 4, 3, 4, 2, 5]), (world.tenant_a2, 2, [5] * 6)):
        response = SurveyResponse.objects.create(survey=survey, tenant=tenant, tier=tenant.tier, floor=floor,
                                                 submitted_at=at(date(2025, 6, 10)))
        for q, v in zip(questions, values, strict=True):
            SurveyScore.objects.create(response=response, question=q, dimension=q.dimension, score=v)
    fig = t.satisfaction([world.centre_a.pk], PERIOD)
    assert (fig.met, fig.total, fig.rate) == (10, 12, 83.3)
    assert fig.ok is False  # goal 85%
    assert fig.by["dimension"] == {"quality": (4, 4), "value": (1, 2), "expectations": (2, 2), "complaints": (1, 2),
                                   "loyalty": (2, 2)}
    assert fig.by["tier"] == {"1": (4, 6), "3": (6, 6)}
    assert fig.by["floor"] == {1: (4, 6), 2: (6, 6)}
    assert list(t.unsatisfied_tenants([world.centre_a.pk], PERIOD).values_list("code", flat=True)) == ["TA001"]


def test_operator_row_is_the_sum_of_its_centres(world, year):
    fig = t.visit_rate([world.centre_a.pk, world.centre_b.pk], PERIOD)
    operator = t.by_operator(fig, {world.centre_a.pk: world.operator.pk, world.centre_b.pk: world.operator.pk})
    a, b = fig.by["centre"][world.centre_a.pk], fig.by["centre"][world.centre_b.pk]
    assert operator[world.operator.pk] == (a[0] + b[0], a[1] + b[1]) == (fig.met, fig.total)


def test_the_number_of_queries_does_not_grow_with_the_data(world, year):
    ids = [world.centre_a.pk, world.centre_b.pk]
    with CaptureQueriesContext(connection) as small:
        t.all_figures(ids, PERIOD)
    for i in range(30):
        tenant = make_tenant(world.centre_a, f"TX{i:03d}", f"店{i}", tier=Tier.TIER_2)
        past_visit(tenant, world.ops_a, date(2025, 2, 1), mode="on_site")
    plan_sync(centre=world.centre_a, year=2025)
    with CaptureQueriesContext(connection) as large:
        t.all_figures(ids, PERIOD)
    assert len(large.captured_queries) == len(small.captured_queries) <= 10


def test_the_standing_follows_visits_and_meetings_recorded_through_the_services(world):
    from datetime import timedelta

    from django.utils import timezone

    from visits.services.meetings import meeting_register, meeting_schedule
    from visits.services.records import (
        checkin_scan,
        unit_code_for,
        unit_token,
        visit_record_create,
    )

    today = timezone.localdate()
    plan_sync(centre=world.centre_a, year=today.year)
    period = t.period_for(today.year, today)
    assert t.face_to_face([world.centre_a.pk], period).met == 0
    checkin = checkin_scan(actor=world.ops_a, token=unit_token(unit_code_for(world.tenant_a.units.first())))
    visit_record_create(actor=world.ops_a, tenant=world.tenant_a, mode="on_site", people_met="店长", topics="巡店",
                        checkin=checkin)
    now = timezone.now()
    meeting = meeting_schedule(actor=world.ops_a, centre=world.centre_a, kind="event", title="临时大会",
                               starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1), location="中庭",
                               agenda="议程", draft_invitation=False)
    meeting_register(actor=world.ops_a, meeting=meeting, tenant=world.tenant_a2, attendee_name="张")
    period = t.period_for(today.year, today)
    fig = t.face_to_face([world.centre_a.pk], period)
    assert (fig.met, fig.total) == (1, 2)  # the meeting, not the visit
    assert list(t.tenants_not_met([world.centre_a.pk], period)) == [world.tenant_a]
    on_site = t.visited_in_person([world.centre_a.pk], period)
    assert (on_site.met, on_site.total) == (1, 2)
    assert list(t.tenants_not_visited_in_person([world.centre_a.pk], period)) == [world.tenant_a2]


def test_every_target_breaks_down_by_centre_tier_month_and_the_staff_member_who_owns_it(world, year):
    first = meeting_suggestion_add(actor=world.ops_a, meeting=year["meeting"], tenant=world.tenant_a, subject="增加停车位")
    second = meeting_suggestion_add(actor=world.ops_a, meeting=year["meeting"], tenant=world.tenant_a2, subject="延长营业时间")
    request_assign(actor=world.ops_a, service_request=first.request, assignee=world.ops_a)
    request_reply(actor=world.ops_a, service_request=first.request, body="已与物业协调")
    figures = t.all_figures([world.centre_a.pk], PERIOD)
    for key, fig in figures.items():
        if not fig.total:
            continue
        for group in ("centre", "tier", "month"):
            assert group in fig.by, (key, group)
        # Satisfaction is the centre's; every other figure is some person's.
        assert ("staff" in fig.by) == (key != "satisfaction"), key
        if key not in ("visit_rate", "face_to_face", "on_site"):  # cumulative months: not a partition
            assert sum(m for m, _t in fig.by["month"].values()) == fig.met, key
            assert sum(n for _m, n in fig.by["month"].values()) == fig.total, key
        if "staff" in fig.by:
            assert sum(n for _m, n in fig.by["staff"].values()) == fig.total, key

    # The tenants' figures are credited to the owner of their plan.
    assert figures["visit_rate"].by["staff"] == {world.ops_a.pk: (2, 4)}
    # By month, where the year stood at each month's end: 撤场店 fell behind
    # in March (its window ended unvisited), 蜀香 in November.
    months = figures["visit_rate"].by["month"]
    assert (months[2], months[3], months[10], months[11], months[12]) == ((4, 4), (3, 4), (3, 4), (2, 4), (2, 4))
    assert figures["face_to_face"].by["month"][1] == (0, 4)
    assert figures["face_to_face"].by["month"][2] == figures["face_to_face"].by["month"][12] == (1, 4)
    # A request is its assignee's: one assigned and answered, one nobody's yet.
    assert figures["suggestion_reply"].by["staff"] == {world.ops_a.pk: (1, 1), None: (0, 1)}
    assert figures["suggestion_reply"].by["month"] == {2: (1, 2)}  # raised at February's meeting
    assert second.request.assignee_id is None


def test_months_not_yet_begun_are_not_shown(world, year):
    period = t.Period(year=2025, as_of=date(2025, 4, 15), today=date(2025, 4, 15))
    fig = t.face_to_face([world.centre_a.pk], period)
    assert sorted(fig.by["month"]) == [1, 2, 3, 4]
