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

from wagtail.rich_text import expand_db_html
from weasyprint import CSS, HTML

from notices.pdf.sanitize import sanitize_body_html
from portal.pdf.fetcher import SafeURLFetcher
from portal.pdf.render import chinese_date, run_with_time_limit

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


def build_handbook_html(*, title: str, centre_name: str, hotline: str, edition_label: str, issued_on: dt.date,
                        intro_html: str, chapters: list[HandbookChapter]) -> str:
    e = functools.partial(escape, quote=True)
    toc = "".join(
        f'<li><a href="#ch{i}">第{i}章　{e(ch.title)}</a></li>' for i, ch in enumerate(chapters, start=1)
    )
    body = "".join(
        f'<section class="chapter" id="ch{i}"><h2>第{i}章　{e(ch.title)}</h2><div class="body">{_body(ch.body_html)}</div></section>'
        for i, ch in enumerate(chapters, start=1)
    )
    intro = f'<section class="intro"><h2>前言</h2><div class="body">{_body(intro_html)}</div></section>' if intro_html else ""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title></head><body>"
        f'<section class="cover"><h1>{e(title)}</h1><p class="centre">{e(centre_name)}</p>'
        f'<p class="edition">{e(edition_label)}　{e(chinese_date(issued_on))}</p>'
        f'<p class="hotline">24小时服务热线：{e(hotline)}</p></section>'
        f'<nav class="toc"><h2>目录</h2><ol>{toc}</ol></nav>{intro}{body}</body></html>'
    )


@functools.cache
def _stylesheet() -> CSS:
    return CSS(filename=str(ASSETS_DIR / "handbook.css"), url_fetcher=SafeURLFetcher(ASSETS_DIR))


def render_handbook_pdf(**kwargs) -> bytes:
    html = build_handbook_html(**kwargs)

    def work() -> bytes:
        document = HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=SafeURLFetcher(ASSETS_DIR))
        return document.write_pdf(stylesheets=[_stylesheet()])

    return run_with_time_limit(work, TIME_LIMIT)
