"""The handbook PDF's own words — chapter numbering, contents, foreword,
hotline, page numbers — are in the language it is rendered in, Chinese by
default (R27)."""

from datetime import date

from portal.pages.pdf import HandbookChapter, render_handbook_pdf
from tests.notices import pdftotext, squash

ARGS = {"title": "租户服务管理手册", "centre_name": "测试广场", "hotline": "0571-8888", "edition_label": "v1",
        "issued_on": date(2026, 3, 5), "intro_html": "<p>为租户提供便利。</p>",
        "chapters": [HandbookChapter("服务热线", "<p>全年无休。</p>"), HandbookChapter("装修施工", "<p>提前申请。</p>")]}


def test_chinese_by_default():
    text = squash(pdftotext(render_handbook_pdf(**ARGS)))
    for expected in ("第1章服务热线", "第2章装修施工", "目录", "前言", "24小时服务热线：0571-8888", "2026年3月5日", "第2页"):
        assert expected in text, expected
    assert "Chapter" not in text


def test_in_english_when_asked():
    text = squash(pdftotext(render_handbook_pdf(language="en", **ARGS)))
    for expected in ("Chapter1服务热线", "Chapter2装修施工", "Contents", "Foreword", "24-hourservicehotline:0571-8888",
                     "5March2026", "Page2"):
        assert expected in text, expected
    assert "第1章" not in text and "目录" not in text
