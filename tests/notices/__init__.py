"""Shared helpers for the official-letter PDF tests (plain functions, no DB)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree
from PIL import Image

from notices.pdf.render import LetterContext, SealBox
from notices.pdf.seal import make_demo_certificate, make_seal_png

COMPANY = "北京朝阳大悦城商业管理有限公司"
TITLE = "关于开展冬季消防安全检查的通知"
DOC_NUMBER = "BJ商管〔2026〕007号"
BODY_SENTENCE = "请各商户于十二月一日前完成店铺消防设施自查"
PARAGRAPH = (
    "<p>为进一步加强商场消防安全管理，保障广大顾客和商户的生命财产安全，"
    "根据《中华人民共和国消防法》及相关规定，现将有关事项通知如下。</p>"
)
# 26 of these (plus the first sentence) lay out to five A4 pages in the
# GB/T 9704 type area with Noto Serif CJK, the signature block in the middle
# of page 5 (24–28 all give 5).
FIVE_PAGE_PARAGRAPHS = 26


@functools.cache
def seal_png() -> bytes:
    return make_seal_png(COMPANY)


@functools.cache
def demo_keys() -> tuple[bytes, bytes]:
    return make_demo_certificate("朝阳大悦城电子公章", COMPANY)


def make_context(paragraphs: int = 0, **overrides) -> LetterContext:
    body = f"<p>{BODY_SENTENCE}，并将自查表报送物业管理处。</p>" + PARAGRAPH * paragraphs
    fields = {
        "centre_name": "朝阳大悦城",
        "letterhead_name": COMPANY,
        "letterhead_address": "北京市朝阳区朝阳北路101号",
        "letterhead_phone": "010-85551234",
        "doc_number": DOC_NUMBER,
        "date": dt.date(2026, 11, 23),
        "addressee": "各位商户",
        "title": TITLE,
        "body_html": body,
        "signatory_name": COMPANY,
        "attachments": ["消防安全自查表.xlsx", "整改通知书模板.docx"],
        "footer_text": "抄送：朝阳区消防救援支队",
        "seal_png": seal_png(),
    }
    fields.update(overrides)
    return LetterContext(**fields)


def pdftotext(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


def squash(text: str) -> str:
    """pdftotext breaks lines and adds spaces; compare without whitespace."""
    return "".join(text.split())


def page_count(pdf: bytes) -> int:
    info = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8", "replace")
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError(f"no page count in pdfinfo output: {info}")


def rasterize(pdf: bytes, page: int, tmp_path: Path, dpi: int = 50) -> Image.Image:
    """Render one page (1-based) with poppler's pdftoppm, annotations included."""
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf)
    out = tmp_path / f"page{page}"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile", str(src), str(out)],
        check=True,
    )
    return Image.open(io.BytesIO(out.with_suffix(".png").read_bytes())).convert("RGB")


def red_pixels_in_box(image: Image.Image, box: SealBox, dpi: int = 50, page_height_pt: float = 841.89) -> int:
    """Count strongly red pixels inside ``box`` (PDF pt, origin bottom-left)."""
    k = dpi / 72
    left, right = int(box.x1 * k), int(box.x2 * k)
    top, bottom = int((page_height_pt - box.y2) * k), int((page_height_pt - box.y1) * k)
    region = image.crop((left, top, right, bottom))
    raw = region.tobytes()
    return sum(
        1 for i in range(0, len(raw), 3) if raw[i] > 170 and raw[i + 1] < 110 and raw[i + 2] < 110
    )


@dataclass(frozen=True)
class PdfLine:
    page: int  # 1-based
    top: float  # pt from the top of the page
    left: float
    right: float
    text: str  # without whitespace


def pdf_lines(pdf: bytes) -> list[PdfLine]:
    """Every text line of the PDF in reading order, with its box, as poppler's
    ``pdftotext -bbox-layout`` finds it (a line is what the layout set on one
    baseline: a name that wrapped is two lines)."""
    xhtml = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.fromstring(xhtml)
    lines = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        for line in page.iterfind(".//x:line", ns):
            words = "".join((w.text or "") for w in line.iterfind("x:word", ns))
            lines.append(PdfLine(number, float(line.get("yMin")), float(line.get("xMin")),
                                 float(line.get("xMax")), squash(words)))
    return lines


def line_index(lines: list[PdfLine], text: str) -> int:
    """Index of the one line whose whole text is ``text`` (whitespace aside)."""
    found = [i for i, line in enumerate(lines) if line.text == squash(text)]
    assert len(found) == 1, (text, [line.text for line in lines])
    return found[0]


def line_starting(lines: list[PdfLine], text: str) -> int:
    found = [i for i, line in enumerate(lines) if line.text.startswith(squash(text))]
    assert found, (text, [line.text for line in lines])
    return found[0]
