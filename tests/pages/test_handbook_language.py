"""The handbook PDF's own words — chapter numbering, edition, contents,
foreword, hotline, page numbers, dates — are in the language it is rendered
in, Chinese by default (R27); the title, the centre and the chapters are as
staff typed them."""

from datetime import date

from portal.pages.pdf import HandbookChapter, render_handbook_pdf

from .pdf_text import chinese_left, pdf_text

CHAPTERS = [HandbookChapter("服务热线", "<p>全年无休。</p>"), HandbookChapter("装修施工", "<p>提前申请。</p>")]
ARGS = {"title": "租户服务管理手册", "centre_name": "测试广场", "hotline": "0571-8888", "edition_number": 1,
        "issued_on": date(2026, 3, 5), "intro_html": "<p>为租户提供便利。</p>", "chapters": CHAPTERS}
TYPED = (ARGS["title"], ARGS["centre_name"], ARGS["intro_html"], *(c.title for c in CHAPTERS), *(c.body_html for c in CHAPTERS))


def test_chinese_by_default_with_chapters_numbered_in_words():
    text = pdf_text(render_handbook_pdf(**ARGS))
    for expected in ("第一章服务热线", "第二章装修施工", "第1版", "目录", "前言", "24小时服务热线：0571-8888",
                     "2026年3月5日", "第2页"):
        assert expected in text, expected
    assert "Chapter" not in text and "Contents" not in text and "第1页" not in text  # no number on the cover
    assert set("第章版目录前言页") <= set(chinese_left(text, *TYPED))  # the check below sees the document's words


def test_in_english_when_asked_with_chinese_only_where_staff_typed_it():
    text = pdf_text(render_handbook_pdf(language="en", **ARGS))
    for expected in ("Chapter1服务热线", "Chapter2装修施工", "Edition1·5March2026", "Contents", "Foreword",
                     "24-hourservicehotline:0571-8888", "Page2", "全年无休。", "租户服务管理手册"):
        assert expected in text, expected
    assert chinese_left(text, *TYPED) == [] and "Page1" not in text
