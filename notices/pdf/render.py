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
import unicodedata
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from string import Template
from typing import Literal

from portal.pdf.render import (
    RenderTimeout,
    chinese_date,
    lay_out,
    run_with_time_limit,
)

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
    footer_text: str = ""  # a line of the 版记 (e.g. the centre's address and hotline)
    copy_to: str = ""  # 抄送 (the 版记's first line) when set
    printed_by: str = ""  # 印发机关; with printed_on the 版记's last line
    printed_on: dt.date | None = None
    compact: bool = False  # tighter spacing for a one-page form such as the receipt certificate
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
</head>
<body class="$body_class">
<header class="letterhead"><div class="issuer" style="font-size: ${issuer_pt}pt">$logo<span class="name">$letterhead_name</span></div>
<p class="doc-number">$doc_number</p>
<hr class="red-rule"></header>
<h1 class="title">$title</h1>
<p class="addressee">$addressee：</p>
<div class="body">$body_html</div>
$attachments
<div class="sign-wrap"><div class="sign"><p class="signatory">$signatory_name</p><p class="date">$date</p>$seal</div></div>
$contact
$colophon
</body>
</html>
"""
)

# The issuer line (发文机关标志) is one line that shrinks to fit the 156 mm
# type area: WeasyPrint has no fit-to-width, so the size is computed from the
# name's width in ems (CJK and full-width glyphs are 1 em; Latin is taken as
# 0.6 em, wider than most). white-space: nowrap in the stylesheet keeps it on
# one line even if the estimate is a little short.
TYPE_AREA_PT = 156 / 25.4 * 72
LOGO_PT = 18 / 25.4 * 72  # 14 mm logo + 4 mm gap
ISSUER_MAX_PT = 30.0
ISSUER_MIN_PT = 9.0
ISSUER_LETTER_SPACING_EM = 0.05  # letter.css .issuer .name


def _width_em(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)


def issuer_font_size(name: str, *, has_logo: bool = False, largest: float = ISSUER_MAX_PT) -> float:
    """The issuer name's font size in pt: as large as fits, at most ``largest``."""
    ems = _width_em(name) + len(name) * ISSUER_LETTER_SPACING_EM
    room = (TYPE_AREA_PT - (LOGO_PT if has_logo else 0)) * 0.97
    if ems <= 0:
        return largest
    return round(max(ISSUER_MIN_PT, min(largest, room / ems)), 2)


def _attachments_html(names: list[str]) -> str:
    """附件说明: "附件：1. …" with later items aligned under the first."""
    if not names:
        return ""
    e = functools.partial(escape, quote=True)
    if len(names) == 1:
        items = f"<li>{e(names[0])}</li>"
    else:
        items = "".join(f"<li>{i}. {e(name)}</li>" for i, name in enumerate(names, start=1))
    return f'<div class="attachments"><span class="label">附件：</span><ol>{items}</ol></div>'


def _colophon_html(context: LetterContext) -> str:
    """版记: 抄送, any footer line of the template, then 印发机关 and 印发日期."""
    e = functools.partial(escape, quote=True)
    rows = []
    if context.copy_to.strip():
        rows.append(f'<p class="cc">抄送：{e(context.copy_to.strip())}</p>')
    for line in context.footer_text.strip().splitlines():
        if line.strip():
            rows.append(f'<p class="note">{e(line.strip())}</p>')
    if context.printed_by.strip():
        when = chinese_date(context.printed_on) + "印发" if context.printed_on else ""
        rows.append(
            f'<p class="printed"><span class="by">{e(context.printed_by.strip())}</span>'
            f'<span class="on">{e(when)}</span></p>'
        )
    if not rows:
        return ""
    return f'<div class="colophon">{"".join(rows)}</div>'


def build_letter_html(context: LetterContext, *, seal: SealMode = "image") -> str:
    """The letter as an HTML document (what WeasyPrint renders), in the order
    of GB/T 9704-2012: 版头 (issuer, number, red rule), 主体 (title, 主送,
    body, 附件说明, 署名, 成文日期 with the seal, 附注), 版记.

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
    contact = "　".join(
        e(part)
        for part in (
            f"地址：{context.letterhead_address}" if context.letterhead_address else "",
            f"电话：{context.letterhead_phone}" if context.letterhead_phone else "",
        )
        if part
    )
    return _TEMPLATE.substitute(
        lang=e(context.lang),
        body_class="compact" if context.compact else "letter",
        title=e(context.title),
        letterhead_name=e(context.letterhead_name),
        issuer_pt=issuer_font_size(
            context.letterhead_name, has_logo=bool(context.logo_png), largest=22.0 if context.compact else ISSUER_MAX_PT
        ),
        doc_number=e(context.doc_number),
        logo=logo,
        addressee=e(context.addressee),
        body_html=context.body_html,  # sanitized upstream; see module doc
        attachments=_attachments_html(context.attachments),
        signatory_name=e(context.signatory_name),
        date=e(chinese_date(context.date)),
        seal=seal_html,
        contact=f'<p class="contact">（{contact}）</p>' if contact else "",
        colophon=_colophon_html(context),
    )


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
    url_fetcher=None,
) -> RenderedLetter:
    """Render the letter; also report page count and where the seal landed."""
    html = build_letter_html(context, seal=seal)

    def work() -> RenderedLetter:
        document = lay_out(html, assets_dir=ASSETS_DIR, stylesheet="letter.css", url_fetcher=url_fetcher)
        seal_box = _find_seal_box(document)
        pdf = document.write_pdf()  # never full_fonts=True: subsetting keeps it fast and small
        return RenderedLetter(pdf=pdf, pages=len(document.pages), seal_box=seal_box)

    return run_with_time_limit(work, time_limit)


def render_letter_pdf(context: LetterContext, *, time_limit: float = DEFAULT_TIME_LIMIT) -> bytes:
    """Render the letter to PDF bytes (seal drawn as a picture, unsigned).

    For an official, signed letter use :func:`notices.pdf.stamp.stamp_letter`.
    """
    return render_letter(context, seal="image", time_limit=time_limit).pdf
