"""The managers' dashboard: who sees which centres, drill-down lists, the
XLSX (formulae escaped), the audit report PDF and the auditor pack ZIP."""

import hashlib
import io
import json
import zipfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.base import ANONYMOUS, assert_access, logged_in
from tests.visits.helpers import past_visit
from visits.models import AuditExport, ExportStatus, Meeting
from visits.selectors.dashboard import STAFF_FIGURES
from visits.services.plans import plan_sync

# A fixed day in June, not the real date: by then January's visit is in the
# past and the first windows of the year have ended, so the overdue drill-down
# and the formula in the XLSX have rows to show whatever month the suite runs
# in (it used to skip every January). The clock ticks from there.
TODAY = datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(TODAY, tick=True)]


@pytest.fixture
def data(world):
    today = timezone.localdate()
    plan_sync(centre=world.centre_a, year=today.year)
    plan_sync(centre=world.centre_b, year=today.year)
    world.tenant_a.trading_name = "=HYPERLINK(\"http://evil\")"
    world.tenant_a.save()
    past_visit(world.tenant_a2, world.ops_a, date(today.year, 1, 5))
    Meeting.objects.create(centre=world.centre_a, title="租户大会", starts_at=timezone.now() - timedelta(hours=3),
                           ends_at=timezone.now() - timedelta(hours=1), location="会议室", agenda="议程",
                           minutes="纪要正文", minutes_published_at=timezone.now())
    return world


def test_staff_see_their_centres_the_operator_manager_all_tenants_none(data):
    w = data
    url = reverse("visits_dashboard:index")
    assert_access(url, allowed=[w.ops_a, w.ops_b, w.manager], refused=[w.signer_a, w.editor_a, w.drafter_a, ANONYMOUS])
    ops = logged_in(w.ops_a).get(url).context
    assert [c.pk for c in ops["centres"]] == [w.centre_a.pk]
    manager = logged_in(w.manager).get(url).context
    assert {c.pk for c in manager["centres"]} == {w.centre_a.pk, w.centre_b.pk}
    # Asking for another centre's figures by URL falls back to one's own.
    sneaky = logged_in(w.ops_a).get(url, {"centre": w.centre_b.pk}).context
    assert [c.pk for c in sneaky["centres"]] == [w.centre_a.pk]


def test_the_dashboard_shows_targets_against_goals_with_svg_charts(data):
    html = logged_in(data.manager).get(reverse("visits_dashboard:index")).content.decode()
    for key in ("visit_rate", "attainment", "face_to_face", "suggestion_reply", "response", "satisfaction"):
        assert f'data-testid="figure-{key}"' in html
    assert html.count("<svg") >= 4 and "<script src=\"http" not in html
    # What each visit figure counts, said where a manager reads it (a reviewer
    # took the annual visit rate for "visited at least once").
    assert "错过一个窗口，该租户本年度即计为未达标" in html and "本年度至少当面走访过一次的租户占比" in html


def test_drill_down_lists_overdue_visits_of_visible_centres_only(data):
    w = data
    rows = logged_in(w.ops_a).get(reverse("visits_dashboard:drill", args=["overdue"])).context["rows"]
    assert rows and {p.centre_id for p in rows} == {w.centre_a.pk}
    all_rows = logged_in(w.manager).get(reverse("visits_dashboard:drill", args=["overdue"])).context["rows"]
    assert {p.centre_id for p in all_rows} == {w.centre_a.pk, w.centre_b.pk}
    assert logged_in(w.manager).get(reverse("visits_dashboard:drill", args=["nonsense"])).status_code == 404
    for kind in ("behind", "not_met", "unanswered", "unsatisfied"):
        assert logged_in(w.manager).get(reverse("visits_dashboard:drill", args=[kind])).status_code == 200


def test_the_xlsx_escapes_formulae(data):
    response = logged_in(data.ops_a).get(reverse("visits_dashboard:xlsx"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert "Targets" in wb.sheetnames or "指标" in wb.sheetnames
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in values)
    assert any(v.startswith("'=HYPERLINK") for v in values)


def test_the_audit_report_pdf_is_built_by_a_task_and_served_to_its_requester(data, django_capture_on_commit_callbacks):
    w = data
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(w.manager).post(reverse("visits_dashboard:export_request"),
                                           {"kind": "pdf", "start": date(today.year, 1, 1), "end": today})
    job = AuditExport.objects.get()
    assert response["Location"] == reverse("visits_dashboard:export", args=[job.pk])
    assert job.status == ExportStatus.READY, job.error
    download = reverse("visits_dashboard:export_download", args=[job.pk])
    content = b"".join(logged_in(w.manager).get(download).streaming_content)
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == job.sha256
    assert_access(download, refused=[w.ops_a, w.signer_a, ANONYMOUS])


def test_the_auditor_pack_has_a_manifest_of_hashes(data, django_capture_on_commit_callbacks):
    w = data
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(w.ops_a).post(reverse("visits_dashboard:export_request"),
                              {"kind": "zip", "start": date(today.year, 1, 1), "end": today})
    job = AuditExport.objects.get()
    assert job.status == ExportStatus.READY, job.error
    content = b"".join(logged_in(w.ops_a).get(reverse("visits_dashboard:export_download", args=[job.pk])).streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = {f["name"] for f in manifest["files"]}
        assert {"visit_records.csv", "visit_plan.csv", "meetings.csv", "meeting_attendance.csv",
                "request_deadlines.csv"} <= names
        assert any(n.startswith("minutes/") for n in names)
        for f in manifest["files"]:
            assert hashlib.sha256(zf.read(f["name"])).hexdigest() == f["sha256"]
    assert manifest["centres"] == [{"id": w.centre_a.pk, "code": "TA", "name": "测试广场A"}]


def test_tiers_are_listed_one_two_three_special_not_by_their_names():
    from visits.selectors.dashboard import _rows
    from visits.selectors.targets import Figure

    fig = Figure("visit_rate", by={"tier": {"special": (1, 1), "3": (1, 2), "1": (2, 2), "2": (0, 1)}})
    labels = {"1": "一级", "2": "二级", "3": "三级", "special": "特殊"}
    assert [r.label for r in _rows(fig, "tier", labels, order=["1", "2", "3", "special"])] == ["一级", "二级", "三级", "特殊"]
    # by string, Chinese numerals would sort 一级, 三级, 二级: the bug this guards
    assert [r.label for r in _rows(fig, "tier", labels)][:3] == ["一级", "三级", "二级"]


def test_the_dashboards_tier_table_reads_in_tier_order(data):
    from tenants.models import Tenant

    Tenant.objects.filter(pk=data.tenant_a.pk).update(tier="3")
    Tenant.objects.filter(pk=data.tenant_a2.pk).update(tier="2")
    plan_sync(centre=data.centre_a, year=timezone.localdate().year)
    response = logged_in(data.manager).get(reverse("visits_dashboard:index"))
    rank = {"1": 0, "2": 1, "3": 2, "special": 3}
    tables = response.context["tiers"]
    assert any(len(rows) >= 2 for rows in tables.values())
    for rows in tables.values():
        keys = [rank.get(r.key, 9) for r in rows]
        assert keys == sorted(keys), [r.label for r in rows]


def test_face_to_face_counts_meeting_attendance_and_in_person_visits_are_shown_apart(data):
    """Clause 4.10: 在租户大会上当面沟通. A tenant visited on site is not met
    face to face by that; the visits have their own card, drill-down and
    spreadsheet row, without a goal of their own."""
    from visits.models import MeetingAttendance
    from visits.services.standing import standing_refresh

    w = data
    today = timezone.localdate()
    past_visit(w.tenant_a, w.ops_a, date(today.year, 2, 3), mode="on_site")
    meeting = Meeting.objects.get(centre=w.centre_a)
    MeetingAttendance.objects.create(meeting=meeting, tenant=w.tenant_a2, attendee_name="张", method="staff",
                                     at=meeting.starts_at)
    standing_refresh(year=today.year, centre_ids=[w.centre_a.pk])

    response = logged_in(w.ops_a).get(reverse("visits_dashboard:index"))
    figures = response.context["figures"]
    assert (figures["face_to_face"].met, figures["face_to_face"].total) == (1, 2)
    assert (figures["on_site"].met, figures["on_site"].total) == (1, 2)
    html = response.content.decode()
    assert "当面沟通率（租户大会）" in html and "当面走访率" in html
    card = html.split('data-testid="figure-on_site"')[1]
    assert card.split('<div class="vd-goal">')[1].startswith("1/2</div>")  # no goal to show

    not_met = logged_in(w.ops_a).get(reverse("visits_dashboard:drill", args=["not_met"])).context["rows"]
    assert [x.pk for x in not_met] == [w.tenant_a.pk]
    not_visited = logged_in(w.ops_a).get(reverse("visits_dashboard:drill", args=["not_on_site"])).context["rows"]
    assert [x.pk for x in not_visited] == [w.tenant_a2.pk]

    wb = load_workbook(io.BytesIO(logged_in(w.ops_a).get(reverse("visits_dashboard:xlsx")).content))
    targets = {row[0]: row[1:] for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert targets["当面沟通率（租户大会）"] == (50.0, 90, 1, 2)
    assert targets["当面走访率"] == (50.0, None, 1, 2)


def test_every_figure_by_staff_member_tier_and_month_on_the_page_and_in_the_xlsx(data):
    w = data
    response = logged_in(w.manager).get(reverse("visits_dashboard:index") + f"?centre={w.centre_a.pk}")
    html = response.content.decode()
    for group in ("staff", "tier", "month"):
        assert f'data-testid="breakdown-{group}"' in html
    staff = next(b for b in response.context["breakdowns"] if b.group == "staff")
    assert [k for k, _label in staff.columns] == list(STAFF_FIGURES)  # satisfaction is nobody's
    row = next(r for r in staff.rows if r[0] == w.ops_a.pk)
    cells = {fk: (r, link) for fk, r, link in row[2]}
    assert cells["visit_rate"][0].total == 2 and cells["attainment"][0].total >= 1
    # A staff member's cell opens the drill-down narrowed to that person.
    assert f"staff={w.ops_a.pk}" in cells["visit_rate"][1]
    drill = logged_in(w.manager).get(cells["visit_rate"][1])
    assert drill.status_code == 200 and drill.context["narrowed_to"] == str(w.ops_a)
    month = next(b for b in response.context["breakdowns"] if b.group == "month")
    assert [r[0] for r in month.rows] == list(range(1, 13)) and len(month.columns) == 9
    assert "data-testid=\"owners-help\"" in html

    wb = load_workbook(io.BytesIO(logged_in(w.manager).get(reverse("visits_dashboard:xlsx")).content))
    by_staff = {(r[0], r[1]) for r in list(wb.worksheets[3].iter_rows(values_only=True))[1:]}
    figures_by_staff = {f for f, _who in by_staff}
    assert len(figures_by_staff) >= 3 and all(who for _f, who in by_staff)
    by_month = list(wb.worksheets[5].iter_rows(values_only=True))[1:]
    assert len({r[0] for r in by_month}) >= 4


def test_month_labels_are_in_the_readers_language():
    from django.utils import translation

    from visits.selectors.dashboard import month_label

    with translation.override("zh-hans"):
        assert [month_label(m) for m in (1, 3, 12)] == ["1月", "3月", "12月"]
    with translation.override("en"):
        assert [month_label(m) for m in (1, 3, 12)] == ["Jan", "Mar", "Dec"]
