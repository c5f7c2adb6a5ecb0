"""Audit report (PDF) and auditor pack (ZIP), built by a worker.

The PDF is rendered with WeasyPrint through the letters' safe fetcher, so
nothing in a tenant's or a staff member's text can make the renderer read
files or reach the network. The pack holds CSV files and the meetings'
minutes, with a manifest of SHA-256 hashes, itself hashed on the job row."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import zipfile
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.audit import audit_record
from portal.audit_verify import audit_evidence_files
from portal.pdf.render import html_to_pdf
from portal.spreadsheets import escape_formula
from tenants.models import Centre

from ..models import (
    AuditExport,
    ExportKind,
    ExportStatus,
    Meeting,
    MeetingAttendance,
    PlannedVisit,
    VisitRecord,
)
from ..selectors.dashboard import dashboard_data
from ..selectors.targets import Period

log = logging.getLogger(__name__)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (timezone.make_aware(datetime.combine(start, time.min)),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)))


def report_pdf(*, centres: list[Centre], start: date, end: date) -> bytes:
    period = Period(year=end.year, as_of=end)
    data = dashboard_data(centres=centres, period=period)
    lo, hi = _bounds(start, end)
    visits = (VisitRecord.objects.filter(centre__in=centres, visited_at__gte=lo, visited_at__lt=hi)
              .select_related("tenant", "staff").order_by("visited_at")[:2000])
    meetings = Meeting.objects.filter(centre__in=centres, starts_at__gte=lo, starts_at__lt=hi).select_related("centre")
    html = render_to_string("visits/admin/report_pdf.html", {
        **data, "start": start, "end": end, "visits": visits, "meetings": meetings, "printed": timezone.localtime(),
    })
    return html_to_pdf(html)


def _csv(header: list, rows) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    for row in rows:
        w.writerow([escape_formula(v) for v in row])
    # A BOM so that Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _when(v) -> str:
    return timezone.localtime(v).strftime("%Y-%m-%d %H:%M") if v else ""


def auditor_pack(*, centres: list[Centre], start: date, end: date) -> bytes:
    lo, hi = _bounds(start, end)
    files: dict[str, bytes] = {}
    files.update(_visit_files(centres=centres, start=start, end=end, lo=lo, hi=hi))
    files.update(_meeting_files(centres=centres, lo=lo, hi=hi))
    files.update(_figure_files(centres=centres, lo=lo, hi=hi))
    # The evidence chain's anchors and timestamps (whole chain, no content):
    # what lets an auditor later show that the evidence was not rewritten.
    files.update(audit_evidence_files())
    return _zip_with_manifest(files, centres=centres, start=start, end=end)


def _visit_files(*, centres: list[Centre], start: date, end: date, lo, hi) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    visits = (VisitRecord.objects.filter(centre__in=centres, visited_at__gte=lo, visited_at__lt=hi)
              .select_related("centre", "tenant", "staff", "checkin__unit").prefetch_related("requests")
              .order_by("visited_at"))
    files["visit_records.csv"] = _csv(
        [_("Centre"), _("Tenant code"), _("Tenant"), _("Date and time"), _("How"), _("Checked in at unit"),
         _("Visited by"), _("People met"), _("What was discussed"), _("Requests raised")],
        ([v.centre.name, v.tenant.code, v.tenant.trading_name, _when(v.visited_at), v.get_mode_display(),
          v.checkin.unit.number if v.checkin else "", str(v.staff), v.people_met, v.topics,
          " ".join(sr.number for sr in v.requests.all())] for v in visits.iterator(chunk_size=2000)),
    )
    planned = (PlannedVisit.objects.live().filter(centre__in=centres, window_end__gte=start, window_start__lte=end)
               .select_related("centre", "tenant", "assignee").order_by("centre", "window_end"))
    files["visit_plan.csv"] = _csv(
        [_("Centre"), _("Tenant code"), _("Tenant"), _("Tier"), _("Window from"), _("Due by"), _("Assigned to"),
         _("Status"), _("Visited at")],
        ([p.centre.name, p.tenant.code, p.tenant.trading_name, p.get_tier_display(), p.window_start, p.window_end,
          str(p.assignee or ""), p.get_status_display(), _when(p.done_at)] for p in planned.iterator(chunk_size=2000)),
    )
    return files


def _meeting_files(*, centres: list[Centre], lo, hi) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    meetings = list(Meeting.objects.filter(centre__in=centres, starts_at__gte=lo, starts_at__lt=hi).select_related("centre"))
    files["meetings.csv"] = _csv(
        [_("Centre"), _("Meeting"), _("Starts at"), _("Location"), _("Attendance"), _("Minutes published at")],
        ([m.centre.name, m.title, _when(m.starts_at), m.location, m.attendance.count(), _when(m.minutes_published_at)]
         for m in meetings),
    )
    attendance = MeetingAttendance.objects.filter(meeting__in=meetings).select_related("meeting", "tenant")
    files["meeting_attendance.csv"] = _csv(
        [_("Meeting"), _("Tenant code"), _("Tenant"), _("Attendee"), _("Arrived at"), _("Registered by")],
        ([a.meeting.title, a.tenant.code, a.tenant.trading_name, a.attendee_name, _when(a.at), a.get_method_display()]
         for a in attendance),
    )
    for m in meetings:
        if m.minutes:
            files[f"minutes/{m.pk}-{m.starts_at:%Y%m%d}.txt"] = m.minutes.encode("utf-8")
        if m.minutes_file:
            try:
                with m.minutes_file.open("rb") as fh:
                    name = m.minutes_file.name.rsplit("/", 1)[-1]
                    files[f"minutes/{m.pk}-{name}"] = fh.read()
            except OSError:
                log.warning("minutes file of meeting %s is missing", m.pk)
    return files


def _figure_files(*, centres: list[Centre], lo, hi) -> dict[str, bytes]:
    from notices.selectors import receipt_figures
    from tenants.selectors.figures import request_figures

    files: dict[str, bytes] = {}
    rows = request_figures(centres=centres, start=lo, end=hi, group_by=("centre", "month"))
    files["request_deadlines.csv"] = _csv(
        [_("Centre"), _("Month"), _("Requests"), _("First response met"), _("First response missed"),
         _("Initial answer met"), _("Initial answer missed"), _("Resolution met"), _("Resolution missed"),
         _("Satisfaction %")],
        ([r["centre__name"], r["month"], r["total"], r["response_met"], r["response_missed"], r["answer_met"],
          r["answer_missed"], r["resolution_met"], r["resolution_missed"], r["satisfaction_rate"] or ""] for r in rows),
    )
    names = {c.pk: c.name for c in centres}
    files["receipts_summary.csv"] = _csv(
        [_("Centre"), pgettext("count", "Delivered"), _("Signed"), _("Mean hours to sign")],
        ([names[r["centre"]], r["delivered"], r["signed"], r["hours_to_sign"] if r["hours_to_sign"] is not None else ""]
         for r in receipt_figures(centres=[c.pk for c in centres], start=lo, end=hi)),
    )
    return files


def _zip_with_manifest(files: dict[str, bytes], *, centres: list[Centre], start: date, end: date) -> bytes:
    manifest = {
        "generated_at": timezone.now().isoformat(),
        "period": [start.isoformat(), end.isoformat()],
        "centres": [{"id": c.pk, "code": c.code, "name": c.name} for c in centres],
        "files": [{"name": n, "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()} for n, b in sorted(files.items())],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in sorted(files.items()):
            zf.writestr(name, content)
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        zf.writestr("SHA256SUMS", "".join(f"{f['sha256']}  {f['name']}\n" for f in manifest["files"]))
    return out.getvalue()


def export_request_create(*, actor, centres: list[Centre], kind: str, start: date, end: date,
                          request=None) -> AuditExport:
    """Queue an audit export for `actor` over `centres` (already scoped to what
    the actor may see by the caller's selector); the file is built by a task."""
    with transaction.atomic():
        job = AuditExport.objects.create(kind=kind, requested_by=actor, centre_ids=[c.pk for c in centres],
                                         start=start, end=end)
        audit_record(actor=actor, action="visits.export_requested", obj=job, request=request, details={"kind": kind})
        from ..tasks import build_export

        transaction.on_commit(lambda: build_export.delay(job.pk))
    return job


def export_build(*, export_id: int) -> AuditExport | None:
    """Build the file of a queued export. Safe to run twice: a job that is
    already ready or failed is left alone."""
    job = AuditExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).select_related("requested_by").first()
    if job is None:
        return None
    centres = list(Centre.objects.filter(pk__in=job.centre_ids).select_related("operator").order_by("name"))
    try:
        with translation.override("zh-hans"):
            if job.kind == ExportKind.REPORT_PDF:
                content, name = report_pdf(centres=centres, start=job.start, end=job.end), "report.pdf"
            else:
                content, name = auditor_pack(centres=centres, start=job.start, end=job.end), "pack.zip"
    except Exception as exc:
        log.exception("audit export %s failed", job.pk)
        AuditExport.objects.filter(pk=job.pk, status=ExportStatus.QUEUED).update(
            status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        return None
    with transaction.atomic():
        job = AuditExport.objects.select_for_update().get(pk=job.pk)
        if job.status != ExportStatus.QUEUED:
            return job
        job.file.save(f"{job.pk}-{name}", ContentFile(content), save=False)
        job.sha256 = hashlib.sha256(content).hexdigest()
        job.status, job.finished_at = ExportStatus.READY, timezone.now()
        job.save()
    return job
