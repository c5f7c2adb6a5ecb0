"""Reading a PDF's text to tell its own words from what staff typed (R27):
an English PDF may carry Chinese only where staff typed it."""

from __future__ import annotations

import re

from django.utils.html import strip_tags

from tests.notices import pdftotext, squash

# Han characters, CJK punctuation (including the ideographic space) and full-width forms.
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def pdf_text(pdf: bytes) -> str:
    """The PDF's text without whitespace (pdftotext breaks lines at will)."""
    return squash(pdftotext(pdf))


def chinese_left(text: str, *typed: str) -> list[str]:
    """The Chinese characters of `text` once every typed text (rich text
    reduced to its words) is taken out: longest first, so a typed text that
    contains another goes whole."""
    for piece in sorted((squash(strip_tags(t)) for t in typed if t), key=len, reverse=True):
        text = text.replace(piece, "")
    return CHINESE.findall(text)
