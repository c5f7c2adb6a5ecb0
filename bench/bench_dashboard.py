"""The managers' dashboard at scale: centres × tenants with a year of plans,
visits, two meetings per centre and a survey, opened by the operator-wide
manager. Prints the dashboard's time and query count at a tenth of the data
and at all of it (the count must not grow), cold (figures computed) and
warm (figures kept for ATRIUM_DASHBOARD_CACHE_SECONDS).

On PostgreSQL (BENCH_DATABASE_URL=postgres://…, a database it may empty and
fill) it builds 200 centres × 1,000 tenants. On the embedded SQLite default
it builds a smaller set (20 centres × 500 tenants) and says so.
BENCH_DASHBOARD_REUSE=1 measures the data an earlier run left in place."""

import os
import random
import statistics
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from common import measure, on_postgresql, reset_database, setup

setup("dashboard")

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import Role, StaffMembership, User
from tenants.models import Centre, Operator, Tenant, Unit
from visits.models import (
    Meeting,
    MeetingAttendance,
    PlannedVisit,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    SurveyScore,
    TenantYear,
    UnitCheckIn,
    VisitPlan,
    VisitRecord,
)
from visits.services.plans import cadence_windows
from visits.services.standing import standing_refresh
from visits.services.surveys import DEFAULT_QUESTIONS

POSTGRES = on_postgresql()
CENTRES, TENANTS = (200, 1000) if POSTGRES else (20, 500)
TIERS = ["1", "2", "3", "special"]
PER_YEAR = {"1": 12, "2": 4, "3": 1, "special": 12}
STAFF_PER_CENTRE = 5
BATCH = 5000


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(hour)))


def build_centre(operator, n: int, today: date, rng: random.Random) -> None:
    centre = Centre.objects.create(operator=operator, name=f"基准广场{n:03d}", code=f"B{n:03d}", hotline="0571-0000-0000")
    staff = User.objects.bulk_create([User(email=f"ops{k}@b{n:03d}.bench", full_name=f"营运{n}-{k}")
                                      for k in range(STAFF_PER_CENTRE)])
    StaffMembership.objects.bulk_create([StaffMembership(user=u, operator=operator, centre=centre, role=Role.OPERATIONS)
                                         for u in staff])
    tenants = Tenant.objects.bulk_create([
        Tenant(centre=centre, code=f"B{n:03d}{i:05d}", legal_name=f"基准{i}有限公司", trading_name=f"基准店{i}",
               category="food", tier=rng.choices(TIERS, weights=[10, 30, 55, 5])[0])
        for i in range(TENANTS)
    ], batch_size=BATCH)
    units = Unit.objects.bulk_create([
        Unit(centre=centre, floor=(i % 4) + 1, number=f"U{i:05d}", area=Decimal("80"), tenant=t)
        for i, t in enumerate(tenants)
    ], batch_size=BATCH)
    plan = VisitPlan.objects.create(centre=centre, year=today.year)
    records, planned = [], []
    for i, t in enumerate(tenants):
        assignee = staff[i % STAFF_PER_CENTRE]
        for period, start, end in cadence_windows(today.year, PER_YEAR[t.tier]):
            p = PlannedVisit(plan=plan, centre=centre, tenant=t, tier=t.tier, period=period, window_start=start,
                             window_end=end, assignee=assignee)
            if start <= today and rng.random() < 0.85:
                day = min(start + timedelta(days=rng.randint(0, (end - start).days)), today - timedelta(days=1))
                if day >= start:
                    records.append((p, VisitRecord(centre=centre, tenant=t, staff=assignee, visited_at=aware(day),
                                                   mode="phone", people_met="店长", topics="例行拜访")))
            planned.append(p)
    VisitRecord.objects.bulk_create([r for _p, r in records], batch_size=BATCH)
    for p, r in records:
        p.status, p.record, p.done_at = "done", r, r.visited_at
    PlannedVisit.objects.bulk_create(planned, batch_size=BATCH)
    # A fifth of the tenants were visited on site (a check-in each).
    onsite = rng.sample(range(TENANTS), TENANTS // 5)
    checkins = UnitCheckIn.objects.bulk_create([
        UnitCheckIn(unit=units[i], tenant=tenants[i], staff=staff[i % STAFF_PER_CENTRE], nonce="b",
                    scanned_at=aware(today - timedelta(days=30))) for i in onsite
    ], batch_size=BATCH)
    VisitRecord.objects.bulk_create([
        VisitRecord(centre=centre, tenant=c.tenant, staff=c.staff, visited_at=c.scanned_at, mode="on_site",
                    people_met="店长", topics="现场巡店", checkin=c) for c in checkins
    ], batch_size=BATCH)
    for month in (3, 9):
        day = date(today.year, month, 18)
        if day >= today:
            continue
        meeting = Meeting.objects.create(centre=centre, title=f"{month}月租户大会", starts_at=aware(day, 14),
                                         ends_at=aware(day, 16), location="会议室", agenda="议程")
        MeetingAttendance.objects.bulk_create([
            MeetingAttendance(meeting=meeting, tenant=t, attendee_name="店长", method="qr", at=aware(day, 14))
            for t in tenants if rng.random() < 0.7
        ], batch_size=BATCH)
    survey = Survey.objects.create(centre=centre, title="满意度调查", opens_on=today - timedelta(days=20),
                                   closes_on=today + timedelta(days=10), status="open")
    questions = SurveyQuestion.objects.bulk_create([SurveyQuestion(survey=survey, dimension=d, text=q, order=k)
                                                    for k, (d, q) in enumerate(DEFAULT_QUESTIONS)])
    answered = [t for t in tenants if rng.random() < 0.2]
    responses = SurveyResponse.objects.bulk_create([
        SurveyResponse(survey=survey, tenant=t, tier=t.tier, floor=1, submitted_at=aware(today - timedelta(days=5)))
        for t in answered
    ], batch_size=BATCH)
    SurveyScore.objects.bulk_create([
        SurveyScore(response=r, question=q, dimension=q.dimension, score=rng.choices([5, 4, 3, 2], [40, 45, 10, 5])[0])
        for r in responses for q in questions
    ], batch_size=BATCH)
    # Rows were written directly, not through the services: bring the standing in step.
    standing_refresh(year=today.year, centre_ids=[centre.pk])


def measure_cold(client, path, runs=5):
    """Every view computes the figures: the cache is emptied before each."""
    from django.core.cache import cache

    times = []
    for _ in range(runs):
        cache.clear()
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    return statistics.median(times) * 1000, len(ctx.captured_queries)


def report(client, path, built):
    tenants = built * TENANTS
    ms, queries = measure_cold(client, path)
    print(f"dashboard_cold_{built}_centres_{tenants}_tenants: {ms:.1f} ms")
    print(f"dashboard_cold_{built}_centres_{tenants}_tenants_queries: {queries} queries", flush=True)
    ms, queries = measure(client, path, runs=5)
    print(f"dashboard_warm_{built}_centres_{tenants}_tenants: {ms:.1f} ms")
    print(f"dashboard_warm_{built}_centres_{tenants}_tenants_queries: {queries} queries", flush=True)


def main():
    reuse = (os.environ.get("BENCH_DASHBOARD_REUSE") == "1" and _tables_exist()
             and Operator.objects.filter(code="BENCH").exists())
    if not reuse:
        reset_database()
    if not POSTGRES:
        print(f"# SQLite: a reduced set ({CENTRES} centres × {TENANTS} tenants); "
              "set BENCH_DATABASE_URL=postgres://… for 200 × 1,000")
    client = Client()
    path = "/admin/visits/dashboard/"
    if reuse:
        from django.core.management import call_command

        call_command("migrate", "--noinput", verbosity=0)
        if not TenantYear.objects.exists():  # data of a run before the standing table
            for centre_id in Centre.objects.values_list("pk", flat=True):
                standing_refresh(year=timezone.localdate().year, centre_ids=[centre_id])
        client.force_login(User.objects.get(email="manager@bench.atrium"))
        report(client, path, Centre.objects.filter(operator__code="BENCH").count())
        return
    today = timezone.localdate()
    rng = random.Random(7)
    operator = Operator.objects.create(name="基准商业管理有限公司", code="BENCH")
    manager = User.objects.create(email="manager@bench.atrium", full_name="经理", is_active=True)
    StaffMembership.objects.create(user=manager, operator=operator, centre=None, role=Role.MANAGER)
    client.force_login(manager)
    started = time.perf_counter()
    built = 0
    for step in (CENTRES // 10, CENTRES):
        while built < step:
            built += 1
            build_centre(operator, built, today, rng)
        if POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"# built {built} centres in {time.perf_counter() - started:.0f} s", flush=True)
        report(client, path, built)
    print(f"visit_records: {VisitRecord.objects.count()} rows")
    print(f"planned_visits: {PlannedVisit.objects.count()} rows")


def _tables_exist() -> bool:
    return "tenants_operator" in connection.introspection.table_names()


if __name__ == "__main__":
    main()
