"""The printable fee-schedule notice (4.14, R17): the schedule in force as
an A4 PDF for the customer service centre and each service window — the
centre's letterhead, the charges by kind, the effective date and a QR code
that opens the schedule online.

A notice is made for each published revision of the schedule in force: when
a schedule is published (or republished) and when its effective date comes
(a daily beat task), never twice for the same revision; in Chinese and in
English, one file each (portal.pdf.kept). Rendering is slow (WeasyPrint), so
it runs in Celery tasks; staff download the file from the admin
(portal.pages.fee_notice_views), in their language or the one they pick.
The schedule's title, items and notes are as staff typed them."""

from __future__ import annotations

import base64
import functools
import io
from html import escape
from pathlib import Path

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from notices.pdf.sanitize import sanitize_body_html
from portal.models import FeeNotice, FeeScheduleIndexPage, FeeSchedulePage, PdfStatus
from portal.pages.site import public_url
from portal.pdf.kept import (
    keep_pdf,
    kept_name,
    missing_a_language,
    pdf_language,
    queue_each_language,
)
from portal.pdf.render import (
    document_date,
    failure_kept,
    html_to_pdf,
    run_with_time_limit,
)

ASSETS_DIR = (Path(__file__).parent / "assets").resolve()
TIME_LIMIT = 60.0


def schedule_url(schedule: FeeSchedulePage) -> str:
    """Where the QR code leads: the schedule's page, at the portal's public
    address (a phone at the counter reads it)."""
    return public_url(schedule)


def _qr_data_uri(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=4, border=2)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _tables(schedule: FeeSchedulePage) -> str:
    e = functools.partial(escape, quote=True)
    head = f"<tr><th>{e(_('Item'))}</th><th>{e(_('Price'))}</th><th>{e(_('Unit'))}</th><th>{e(_('Remarks'))}</th></tr>"
    out = []
    for label, items in schedule.tables():
        rows = "".join(f"<tr><td>{e(i.name)}</td><td class='price'>{e(i.price)}</td><td>{e(i.unit)}</td>"
                       f"<td>{e(i.remarks)}</td></tr>" for i in items)
        out.append(f"<h3>{e(str(label))}</h3><table><thead>{head}</thead><tbody>{rows}</tbody></table>")
    return "".join(out)


def build_fee_notice_html(schedule: FeeSchedulePage, centre, *, today) -> str:
    """The notice's HTML, in the active language. Every text from the
    database is escaped; the notes are reduced to the letters' inert subset."""
    e = functools.partial(escape, quote=True)
    url = schedule_url(schedule)
    notes = sanitize_body_html(expand_db_html(schedule.notes or ""))
    address = " · ".join(x for x in (centre.letterhead_address or centre.address,
                                     centre.letterhead_phone or centre.hotline) if x)
    return (
        f'<!DOCTYPE html><html lang="{e(get_language() or "zh-hans")}"><head><meta charset="utf-8">'
        f"<title>{e(schedule.title)}</title></head><body>"
        f'<header class="letterhead"><p class="issuer">{e(centre.letterhead_name or centre.name)}</p>'
        f'<p class="centre">{e(centre.name)}</p><p class="address">{e(address)}</p></header>'
        f'<h1>{e(_("Fee schedule"))}</h1><p class="subtitle">{e(schedule.title)}</p>'
        f'<p class="effective">{e(_("Effective from %(date)s") % {"date": document_date(schedule.effective_from)})}</p>'
        f"{_tables(schedule)}"
        + (f'<div class="notes">{notes}</div>' if notes.strip() else "")
        + f'<footer><img class="qr" alt="" src="{_qr_data_uri(url)}"><div>'
        f'<p>{e(_("Scan the code to read this schedule and any later one online:"))}</p><p class="url">{e(url)}</p>'
        f'<p>{e(_("Questions: the customer service centre, telephone %(phone)s.") % {"phone": centre.hotline})}</p>'
        f'<p class="posted">{e(_("Posted on %(date)s") % {"date": document_date(today)})}</p></div></footer>'
        "</body></html>"
    )


def render_fee_notice_pdf(schedule: FeeSchedulePage, centre, *, language: str | None = None) -> bytes:
    """The notice as PDF bytes, in `language` (the site's default, Chinese,
    for what is pinned up at the windows)."""
    with override(language or settings.LANGUAGE_CODE):
        html = build_fee_notice_html(schedule, centre, today=timezone.localdate())

    def work() -> bytes:
        return html_to_pdf(html, assets_dir=ASSETS_DIR, stylesheet="fee_notice.css")

    return run_with_time_limit(work, TIME_LIMIT)


# --- which notices are due, and making them ---------------------------------------------


def fee_notice_due(index: FeeScheduleIndexPage) -> FeeNotice | None:
    """The notice of the schedule in force today at `index`, created (to be
    made) if its live revision has none yet; None without a schedule in force."""
    current = index.current_schedule()
    if current is None or current.live_revision_id is None or index.centre is None:
        return None
    notice, _created = FeeNotice.objects.get_or_create(
        schedule=current, revision_id=current.live_revision_id, defaults={"centre": index.centre}
    )
    return notice


def fee_notices_refresh(*, index_ids=None) -> list[int]:
    """Create the notices now due (all centres, or the given schedule pages)
    and queue the making of each language's file not made yet; returns the
    notices' ids. The daily run (all centres) also makes what any notice
    lacks: a lost task, or a notice from before its English file. Safe to
    run any number of times."""
    from .tasks import fee_notice_render

    indexes = FeeScheduleIndexPage.objects.live()
    if index_ids is not None:
        indexes = indexes.filter(pk__in=list(index_ids))
    due = [notice for notice in map(fee_notice_due, indexes) if notice is not None and notice.languages_missing()]
    if index_ids is None:
        seen = {notice.pk for notice in due}
        due += [notice for notice in FeeNotice.objects.filter(missing_a_language()).order_by("pk") if notice.pk not in seen]
    for notice in due:
        transaction.on_commit(functools.partial(queue_each_language, fee_notice_render, notice.pk,
                                                notice.languages_missing()))
    return [notice.pk for notice in due]


def fee_notice_make(notice_id: int, language: str | None = None) -> FeeNotice | None:
    """Render the notice in `language` (Chinese by default) once and keep
    it; a rerun finds it made. The notice is ready once every language is."""
    language = pdf_language(language)
    notice = FeeNotice.objects.select_related("centre").filter(pk=notice_id).first()
    if notice is None or notice.pdf_in(language):
        return notice
    schedule = FeeSchedulePage.objects.get(pk=notice.schedule_id)
    revision = schedule.revisions.filter(pk=notice.revision_id).first()
    page = revision.as_object() if revision is not None else schedule
    with failure_kept(FeeNotice.objects.filter(pk=notice_id), f"fee notice {notice_id} ({language})",
                      error_field="error", status=PdfStatus.FAILED):
        pdf = render_fee_notice_pdf(page, notice.centre, language=language)
    stem = f"fees-{notice.centre.code}-{page.effective_from:%Y%m%d}-r{notice.revision_id}"
    return keep_pdf(FeeNotice, notice_id, language=language, pdf=pdf, name=kept_name(stem, language),
                    done={"status": PdfStatus.READY, "error": "", "made_at": timezone.now()})
