"""The centre's monthly inspection report as a PDF (WeasyPrint).

The HTML comes from a Django template (autoescaped: tenant names and notes are
user input) and is rendered with the letters' safe URL fetcher, so nothing in
it can reach the file system or the network."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from notices.fire.models import InspectionRound
from notices.fire.selectors import monthly_status, round_table
from notices.pdf.render import ASSETS_DIR, DEFAULT_TIME_LIMIT
from portal.pdf.render import (
    document_date,
    html_to_pdf,
    in_chinese,
    run_with_time_limit,
)


def report_html(round_: InspectionRound, *, language: str | None = None) -> str:
    """The report in `language`: the person who asked for it reads it (their
    admin language), Chinese when nobody did (settings.LANGUAGE_CODE)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        today, month = timezone.localdate(), round_.month
        # "第 3 页 / 共 5 页" or "Page 3 of 5": the margin box's text around the two counters.
        before, _sep, rest = _("Page %(page)s of %(pages)s").partition("%(page)s")
        between, _sep, after = rest.partition("%(pages)s")
        return render_to_string("fire/pdf/report.html", {
            "round": round_, "centre": round_.centre, "rows": round_table(round_),
            "status": monthly_status(round_.centre, round_.month),
            "printed": document_date(today),
            "month_label": f"{month.year}年{month.month}月" if in_chinese() else date_format(month, "F Y"),
            "page_before": before, "page_between": between, "page_after": after,
            "items": list(round_.centre.fire_checklist.filter(active=True)),
        })


def render_report_pdf(round_: InspectionRound, *, time_limit: float = DEFAULT_TIME_LIMIT, language: str | None = None) -> bytes:
    html = report_html(round_, language=language)

    def work() -> bytes:
        return html_to_pdf(html, assets_dir=ASSETS_DIR)

    return run_with_time_limit(work, time_limit)
