"""The centre's monthly inspection report as a PDF (WeasyPrint).

The HTML comes from a Django template (autoescaped: tenant names and notes are
user input) and is rendered with the letters' safe URL fetcher, so nothing in
it can reach the file system or the network."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from notices.fire.models import InspectionRound
from notices.fire.selectors import monthly_status, round_table
from notices.pdf.render import ASSETS_DIR, DEFAULT_TIME_LIMIT
from portal.pdf.fetcher import SafeURLFetcher
from portal.pdf.render import chinese_date, run_with_time_limit


def report_html(round_: InspectionRound) -> str:
    with translation.override("zh-hans"):
        return render_to_string("fire/pdf/report.html", {
            "round": round_, "centre": round_.centre, "rows": round_table(round_),
            "status": monthly_status(round_.centre, round_.month),
            "printed": chinese_date(timezone.localdate()),
            "items": list(round_.centre.fire_checklist.filter(active=True)),
        })


def render_report_pdf(round_: InspectionRound, *, time_limit: float = DEFAULT_TIME_LIMIT) -> bytes:
    html = report_html(round_)

    def work() -> bytes:
        return HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=SafeURLFetcher(ASSETS_DIR)).write_pdf()

    return run_with_time_limit(work, time_limit)
