"""The whole handbook as one PDF: cover, table of contents with page numbers
(CSS ``target-counter``), foreword, one chapter per page break.

Chapter bodies are rich text written by staff: they are reduced to the same
inert subset as letter bodies, and WeasyPrint may only fetch our own asset
folder (the letters' safe URL fetcher, pointed at portal/pages/assets)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from html import escape
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from notices.pdf.sanitize import sanitize_body_html
from portal.pdf.render import (
    chinese_number,
    document_date,
    html_to_pdf,
    in_chinese,
    run_with_time_limit,
)

ASSETS_DIR = (Path(__file__).parent / "assets").resolve()
TIME_LIMIT = 120.0


@dataclass(frozen=True)
class HandbookChapter:
    title: str
    body_html: str  # Wagtail rich text (database form)


def _body(rich_text: str) -> str:
    html = expand_db_html(rich_text or "")
    # Chapter headings are h2 in the PDF; the text's own h2 become h3.
    html = html.replace("<h2", "<h3").replace("</h2>", "</h3>")
    return sanitize_body_html(html)


def build_handbook_html(*, title: str, centre_name: str, hotline: str, edition_number: int, issued_on: dt.date,
                        intro_html: str, chapters: list[HandbookChapter]) -> str:
    """The handbook's HTML in the active language: its own headings, the
    edition, the chapters' numbering ("第三章" / "Chapter 3") and the page
    footer. The title, the centre and the chapters are as staff typed them."""
    e = functools.partial(escape, quote=True)
    edition_label = _("Edition %(number)s") % {"number": edition_number}

    def heading(i: int, ch: HandbookChapter) -> str:
        # Chinese numbers chapters in words (第三章), English in figures.
        number = chinese_number(i) if in_chinese() else str(i)
        return _("Chapter %(number)s %(title)s") % {"number": number, "title": e(ch.title)}

    toc = "".join(f'<li><a href="#ch{i}">{heading(i, ch)}</a></li>' for i, ch in enumerate(chapters, start=1))
    body = "".join(
        f'<section class="chapter" id="ch{i}"><h2>{heading(i, ch)}</h2><div class="body">{_body(ch.body_html)}</div></section>'
        for i, ch in enumerate(chapters, start=1)
    )
    intro = (f'<section class="intro"><h2>{e(_("Foreword"))}</h2><div class="body">{_body(intro_html)}</div></section>'
             if intro_html else "")
    before, _sep, after = _("Page %(page)s").partition("%(page)s")
    # The cover has no number: said again here, as this rule outweighs the stylesheet's.
    footer = (f'<style>@page {{ @bottom-center {{ content: "{_css(before)}" counter(page) "{_css(after)}"; }} }}'
              "@page :first { @bottom-center { content: none; } }</style>")
    return (
        f'<!DOCTYPE html><html lang="{e(get_language() or "zh-hans")}"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title>{footer}</head><body>"
        f'<section class="cover"><h1>{e(title)}</h1><p class="centre">{e(centre_name)}</p>'
        f'<p class="edition">{e(edition_label)}{"　" if in_chinese() else " · "}{e(document_date(issued_on))}</p>'
        f'<p class="hotline">{e(_("24-hour service hotline: %(phone)s") % {"phone": hotline})}</p></section>'
        f'<nav class="toc"><h2>{e(_("Contents"))}</h2><ol>{toc}</ol></nav>{intro}{body}</body></html>'
    )


def _css(text: str) -> str:
    """Text for a CSS string literal."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def render_handbook_pdf(*, language: str | None = None, **kwargs) -> bytes:
    """The handbook as PDF bytes in `language` (the site's default, Chinese,
    for the edition tenants acknowledge)."""
    with override(language or settings.LANGUAGE_CODE):
        html = build_handbook_html(**kwargs)

    def work() -> bytes:
        return html_to_pdf(html, assets_dir=ASSETS_DIR, stylesheet="handbook.css")

    return run_with_time_limit(work, TIME_LIMIT)
