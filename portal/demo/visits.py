"""Demo data for the relationship work: this year's visit plans, a year of
visits with some windows missed (overdue), two tenant meetings with
attendance, minutes and suggestions, an upcoming meeting with its drafted
invitation, and an open satisfaction survey with answers — so that the
managers' dashboard shows real figures.

Idempotent: a centre whose plan already holds visit records is left alone.
Past visits are written directly (a scan cannot be made in the past); the
recent ones go through the same services staff use."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db.models import Min
from django.utils import timezone

from portal.models import User
from tenants.models import Tenant, TenantStatus
from tenants.services.requests import request_reply
from visits.models import (
    AttendanceMethod,
    Meeting,
    MeetingAttendance,
    PlannedVisit,
    Survey,
    SurveyResponse,
    SurveyScore,
    SurveyStatus,
    UnitCheckIn,
    VisitMode,
    VisitRecord,
)
from visits.services.meetings import (
    meeting_save_minutes,
    meeting_schedule,
    meeting_suggestion_add,
)
from visits.services.plans import plan_sync
from visits.services.records import RaisedRequest, visit_record_create
from visits.services.standing import standing_refresh
from visits.services.surveys import survey_create

TOPICS = ["近期客流与销售情况", "店铺装修与门头更新计划", "节假日促销活动配合", "消防与安全检查提醒", "物业服务意见收集",
          "停车与会员积分政策", "员工通道与后仓管理", "租约续签意向沟通"]
PEOPLE = ["店长", "店长、区域经理", "值班主管", "加盟商本人", "店长、财务"]
# How often a centre's staff actually make their visits: CB is behind.
DILIGENCE = {"BJ": 0.9, "CB": 0.7}


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 15)))


def seed_visits(centres: dict) -> None:
    today = timezone.localdate()
    for code, centre in centres.items():
        if VisitRecord.objects.filter(centre=centre, visited_at__year=today.year).exists():
            continue
        plan_sync(centre=centre, year=today.year)
        _past_visits(centre, today, DILIGENCE.get(code, 0.8))
        plan_sync(centre=centre, year=today.year)  # the windows now find their visits
        if code == "BJ":
            _recent_visits(centre)
            _meetings(centre, today)
            _survey(centre, today)
        standing_refresh(year=today.year, centre_ids=[centre.pk])  # attendance above was written directly


def _past_visits(centre, today: date, diligence: float) -> None:
    rng = random.Random(f"atrium-visits-{centre.code}")  # noqa: S311 - repeatable demo data, not secrets
    rows = (PlannedVisit.objects.filter(centre=centre, window_end__lt=today, plan__year=today.year)
            .select_related("tenant").order_by("window_start", "tenant_id"))
    units = {t["pk"]: t["unit"] for t in Tenant.objects.filter(centre=centre).annotate(unit=Min("units")).values("pk", "unit")}
    records = []
    for planned in rows:
        if rng.random() > diligence:
            continue  # missed: shows as overdue
        span = (planned.window_end - planned.window_start).days
        day = planned.window_start + timedelta(days=rng.randint(0, span))
        mode = rng.choices([VisitMode.ON_SITE, VisitMode.PHONE, VisitMode.MESSAGE], weights=[6, 3, 1])[0]
        checkin = None
        if mode == VisitMode.ON_SITE and units.get(planned.tenant_id) and planned.assignee_id:
            checkin = UnitCheckIn.objects.create(unit_id=units[planned.tenant_id], tenant_id=planned.tenant_id,
                                                 staff_id=planned.assignee_id, nonce="demo", scanned_at=_at(day, 10))
        elif mode == VisitMode.ON_SITE:
            mode = VisitMode.PHONE
        records.append(VisitRecord(
            centre=centre, tenant_id=planned.tenant_id, staff_id=planned.assignee_id, visited_at=_at(day, 10),
            mode=mode, people_met=rng.choice(PEOPLE), topics=rng.choice(TOPICS), checkin=checkin,
        ))
    VisitRecord.objects.bulk_create([r for r in records if r.staff_id], batch_size=500)


def _recent_visits(centre) -> None:
    staff = User.objects.get(email="ops@a.atrium.demo")
    tenants = Tenant.objects.filter(centre=centre, status=TenantStatus.OPEN).order_by("code")[10:12]
    for tenant, raised in zip(tenants, [
        [RaisedRequest("repair", "中庭吊顶渗水", "店门口中庭吊顶渗水，雨天滴水。")],
        [RaisedRequest("enquiry", "年底促销场地申请", "希望在一楼中庭做周末促销，询问场地费用。")],
    ], strict=False):
        visit_record_create(actor=staff, tenant=tenant, mode=VisitMode.PHONE, people_met="店长",
                            topics="年底经营计划沟通", raised=raised)


def _meetings(centre, today: date) -> None:
    staff = User.objects.get(email="ops@a.atrium.demo")
    rng = random.Random("atrium-meetings")  # noqa: S311 - repeatable demo data, not secrets
    tenants = list(Tenant.objects.filter(centre=centre).exclude(status=TenantStatus.LEFT).order_by("code"))
    for month, title, rate in ((6, "二季度全体租户大会", 0.8), (9, "三季度全体租户大会", 0.75)):
        day = date(today.year, month, 18)
        if day >= today:
            continue
        meeting = Meeting.objects.create(
            centre=centre, title=title, starts_at=_at(day, 14), ends_at=_at(day, 16), location="6楼多功能厅",
            agenda="上季度经营情况通报\n消防安全与应急演练\n下季度营销活动安排\n租户意见交流", created_by=staff,
        )
        attendees = [t for t in tenants if rng.random() < rate]
        MeetingAttendance.objects.bulk_create([
            MeetingAttendance(meeting=meeting, tenant=t, attendee_name="店长", recorded_by=staff, at=_at(day, 14),
                              method=AttendanceMethod.QR if i % 3 else AttendanceMethod.STAFF)
            for i, t in enumerate(attendees)
        ])
        for i, (t, subject) in enumerate(zip(attendees[:3], ["延长周末营业时间", "增加地下停车场指引", "中庭活动提前公示"],
                                             strict=False)):
            s = meeting_suggestion_add(actor=staff, meeting=meeting, tenant=t, subject=subject)
            if month == 6 or i == 0:
                request_reply(actor=staff, service_request=s.request, body="已记录，将于下月起实施并在公告中通知。")
        meeting_save_minutes(
            actor=staff, meeting=meeting, publish=True,
            minutes=f"{title}于{day:%Y年%m月%d日}召开，{len(attendees)}家租户到会。\n"
                    "一、通报上季度客流与销售情况；\n二、布置消防安全检查与应急演练；\n三、介绍下季度营销活动；\n"
                    "四、收集租户意见建议，逐条录入诉求记录表并限期回复。",
        )
    upcoming = today + timedelta(days=20)
    meeting_schedule(actor=staff, centre=centre, kind="quarterly", title="四季度全体租户大会",
                     starts_at=_at(upcoming, 14), ends_at=_at(upcoming, 16), location="6楼多功能厅",
                     agenda="全年经营总结\n春节营销活动安排\n节前消防安全检查")


def _survey(centre, today: date) -> None:
    staff = User.objects.get(email="ops@a.atrium.demo")
    opens = max(date(today.year, 1, 1), today - timedelta(days=30))
    survey = survey_create(actor=staff, centre=centre, title=f"{today.year}年度租户满意度调查", opens_on=opens,
                           closes_on=today + timedelta(days=30))
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.OPEN)  # no invitation emails for demo shops
    rng = random.Random("atrium-survey")  # noqa: S311 - repeatable demo data, not secrets
    questions = list(survey.questions.all())
    # The five demo signatories' shops have not answered yet, so the survey shows on their home page.
    skip = set(Tenant.objects.filter(contacts__user__email__endswith="@tenant.atrium.demo").values_list("pk", flat=True))
    floors = {t["pk"]: t["f"] for t in Tenant.objects.filter(centre=centre).annotate(f=Min("units__floor")).values("pk", "f")}
    for tenant in Tenant.objects.filter(centre=centre, status=TenantStatus.OPEN).exclude(pk__in=skip).order_by("code"):
        if rng.random() > 0.6:
            continue
        response = SurveyResponse.objects.create(
            survey=survey, tenant=tenant, tier=tenant.tier, floor=floors.get(tenant.pk),
            comment=rng.choice(["", "", "希望增加节假日营销活动", "停车场收费偏高", "物业响应及时，很满意"]),
            submitted_at=_at(opens + timedelta(days=rng.randint(0, max((today - opens).days - 1, 0))), 11),
        )
        SurveyScore.objects.bulk_create([
            SurveyScore(response=response, question=q, dimension=q.dimension,
                        score=rng.choices([5, 4, 3, 2], weights=[45, 42, 9, 4] if q.dimension != "value" else [25, 45, 20, 10])[0])
            for q in questions
        ])
