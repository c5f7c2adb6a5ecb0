"""Render an official letter (公函) to PDF with WeasyPrint.

Pure function of a :class:`LetterContext`: no Django, no database. Every
field is HTML-escaped except ``body_html``, which must come from
:func:`notices.pdf.sanitize.sanitize_body_html`. Resources are fetched only
through :class:`~portal.pdf.fetcher.SafeURLFetcher`; the seal and the logo
travel inside the HTML as ``data:`` URLs.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from string import Template
from typing import Literal

from weasyprint import CSS, HTML

from portal.pdf.fetcher import SafeURLFetcher
from portal.pdf.render import RenderTimeout, chinese_date, run_with_time_limit

__all__ = ["RenderTimeout", "chinese_date", "run_with_time_limit"]  # re-exported for the letter's callers

# The letter's stylesheet and fonts: the only files a letter's render may read.
ASSETS_DIR = (Path(__file__).parent / "assets").resolve()

DEFAULT_TIME_LIMIT = 30.0
PX_TO_PT = 0.75  # WeasyPrint lays out in CSS px (1/96 in); PDF uses pt (1/72 in)

SealMode = Literal["image", "placeholder", "none"]


@dataclass(frozen=True)
class LetterContext:
    centre_name: str
    letterhead_name: str
    letterhead_address: str
    letterhead_phone: str
    doc_number: str  # e.g. "BJ商管〔2026〕007号"
    date: dt.date
    addressee: str  # "各位商户" or a tenant's name
    title: str
    body_html: str  # already sanitized (sanitize_body_html)
    signatory_name: str  # company name above the date in the signature block
    attachments: list[str] = field(default_factory=list)
    footer_text: str = ""
    logo_png: bytes | None = None
    seal_png: bytes | None = None
    lang: str = "zh-CN"


@dataclass(frozen=True)
class SealBox:
    """Where the seal sits, in PDF user space (pt, origin bottom-left)."""

    page_index: int  # 0-based
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def box(self) -> tuple[int, int, int, int]:
        """Integer (x1, y1, x2, y2), the form pyHanko's ``SigFieldSpec`` takes."""
        return (round(self.x1), round(self.y1), round(self.x2), round(self.y2))


@dataclass(frozen=True)
class RenderedLetter:
    pdf: bytes
    pages: int
    seal_box: SealBox | None  # None when the letter has no seal element


def _css_string(text: str) -> str:
    """Quote ``text`` as a CSS string. Every ASCII non-alphanumeric is
    hex-escaped, so quotes, backslashes, newlines and ``</style>`` cannot
    break out of the string or the <style> element."""
    out = []
    for ch in text:
        if ch.isalnum() or ord(ch) > 0x7F and ch.isprintable():
            out.append(ch)
        elif ch == " ":
            out.append(" ")
        else:
            out.append(f"\\{ord(ch):06x}")
    return '"' + "".join(out) + '"'


def _image_data_url(data: bytes, what: str) -> str:
    # Only formats we expect; anything else is a programming error upstream,
    # not something to hand to the image decoders.
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        mime = "image/png"
    elif data.startswith(b"\xff\xd8\xff"):
        mime = "image/jpeg"
    else:
        raise ValueError(f"{what} must be PNG or JPEG bytes")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


_TEMPLATE = Template(
    """<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<title>$title</title>
<meta name="author" content="$letterhead_name">
<meta name="description" content="$doc_number">
<style>@page { @bottom-center { content: $footer_css "第 " counter(page) " 页 / 共 " counter(pages) " 页"; } }</style>
</head>
<body>
<header class="letterhead">$logo<span class="name">$letterhead_name</span></header>
<p class="doc-number">$doc_number</p>
<hr class="red-rule">
<p class="contact">$contact</p>
<p class="addressee">$addressee：</p>
<h1 class="title">$title</h1>
<div class="body">$body_html</div>
$attachments
<div class="sign-wrap"><div class="sign"><p class="signatory">$signatory_name</p><p class="date">$date</p>$seal</div></div>
</body>
</html>
"""
)


def build_letter_html(context: LetterContext, *, seal: SealMode = "image") -> str:
    """The letter as an HTML document (what WeasyPrint renders).

    ``seal``: ``"image"`` draws ``context.seal_png`` into the page;
    ``"placeholder"`` only reserves the seal's box (an empty element) so that
    :mod:`notices.pdf.sign` can put the picture there as the *signature's*
    appearance; ``"none"`` leaves it out.
    """
    e = functools.partial(escape, quote=True)
    logo = (
        f'<img class="logo" alt="" src="{_image_data_url(context.logo_png, "logo_png")}">'
        if context.logo_png
        else ""
    )
    if seal == "image" and context.seal_png:
        seal_html = f'<img class="seal" id="seal" alt="" src="{_image_data_url(context.seal_png, "seal_png")}">'
    elif seal == "placeholder":
        seal_html = '<div class="seal" id="seal"></div>'
    else:
        seal_html = ""
    if context.attachments:
        items = "".join(
            f"<li>{i}. {e(name)}</li>" for i, name in enumerate(context.attachments, start=1)
        )
        attachments = f'<div class="attachments"><span class="label">附件：</span><ol>{items}</ol></div>'
    else:
        attachments = ""
    contact = "　".join(
        e(part)
        for part in (
            context.centre_name,
            f"地址：{context.letterhead_address}" if context.letterhead_address else "",
            f"电话：{context.letterhead_phone}" if context.letterhead_phone else "",
        )
        if part
    )
    footer = context.footer_text.strip()
    return _TEMPLATE.substitute(
        lang=e(context.lang),
        title=e(context.title),
        letterhead_name=e(context.letterhead_name),
        doc_number=e(context.doc_number),
        footer_css=_css_string(footer + "\n") if footer else '""',
        logo=logo,
        contact=contact,
        addressee=e(context.addressee),
        body_html=context.body_html,  # sanitized upstream; see module doc
        attachments=attachments,
        signatory_name=e(context.signatory_name),
        date=e(chinese_date(context.date)),
        seal=seal_html,
    )


@functools.cache
def _stylesheet() -> CSS:
    # Parsed once per process; the file is ours (assets/), read directly.
    return CSS(filename=str(ASSETS_DIR / "letter.css"), url_fetcher=SafeURLFetcher(ASSETS_DIR))


def _find_seal_box(document) -> SealBox | None:
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None and element.get("id") == "seal":
                x, y = box.border_box_x(), box.border_box_y()
                w, h = box.border_width(), box.border_height()
                page_h = page.height
                return SealBox(
                    page_index=index,
                    x1=x * PX_TO_PT,
                    y1=(page_h - y - h) * PX_TO_PT,
                    x2=(x + w) * PX_TO_PT,
                    y2=(page_h - y) * PX_TO_PT,
                )
    return None


def render_letter(
    context: LetterContext,
    *,
    seal: SealMode = "image",
    time_limit: float = DEFAULT_TIME_LIMIT,
    url_fetcher: SafeURLFetcher | None = None,
) -> RenderedLetter:
    """Render the letter; also report page count and where the seal landed."""
    html = build_letter_html(context, seal=seal)
    fetcher = url_fetcher or SafeURLFetcher(ASSETS_DIR)

    def work() -> RenderedLetter:
        document = HTML(
            string=html,
            base_url=ASSETS_DIR.as_uri() + "/",  # relative URLs resolve to assets only
            url_fetcher=fetcher,
        ).render(stylesheets=[_stylesheet()])
        seal_box = _find_seal_box(document)
        pdf = document.write_pdf()  # never full_fonts=True: subsetting keeps it fast and small
        return RenderedLetter(pdf=pdf, pages=len(document.pages), seal_box=seal_box)

    return run_with_time_limit(work, time_limit)


def render_letter_pdf(context: LetterContext, *, time_limit: float = DEFAULT_TIME_LIMIT) -> bytes:
    """Render the letter to PDF bytes (seal drawn as a picture, unsigned).

    For an official, signed letter use :func:`notices.pdf.stamp.stamp_letter`.
    """
    return render_letter(context, seal="image", time_limit=time_limit).pdf
