"""The stamped letter is laid out after GB/T 9704-2012: the parts in the
standard's order, the issuer and the signature each on one line, the page
numbers "— N —" on alternate sides, the 版记 when set. Checked on the PDF
itself, as poppler reads it."""

import datetime as dt

import pytest

from notices.pdf.render import (
    SealBox,
    build_letter_html,
    issuer_font_size,
    render_letter,
    render_letter_pdf,
)
from notices.pdf.stamp import stamp_letter
from tests.notices import (
    BODY_SENTENCE,
    COMPANY,
    DOC_NUMBER,
    TITLE,
    demo_keys,
    line_index,
    line_starting,
    make_context,
    pdf_lines,
    rasterize,
    red_pixels_in_box,
)

A4_WIDTH_PT, A4_HEIGHT_PT = 595.28, 841.89
MM = 72 / 25.4
LONG_ISSUER = "安泰商业管理（集团）有限公司北京朝阳大悦城购物中心分公司营运管理中心"


@pytest.fixture(scope="module")
def stamped():
    key_pem, cert_pem = demo_keys()
    context = make_context(
        paragraphs=12, footer_text="", copy_to="朝阳区消防救援支队，物业管理处", printed_by="北京朝阳大悦城商业管理有限公司营运部",
        printed_on=dt.date(2026, 11, 24),
    )
    return stamp_letter(context, key_pem=key_pem, cert_pem=cert_pem)


@pytest.fixture(scope="module")
def lines(stamped):
    return pdf_lines(stamped.pdf)


def test_the_parts_come_in_the_standards_order(lines):
    order = [
        issuer_index(lines),  # 发文机关标志
        line_index(lines, DOC_NUMBER),  # 发文字号
        line_index(lines, TITLE),  # 标题
        line_index(lines, "各位商户："),  # 主送
        line_starting(lines, BODY_SENTENCE),  # 正文
        line_starting(lines, "附件：1."),  # 附件说明
        line_index(lines, "2.整改通知书模板.docx"),
        line_index(lines, "2026年11月23日"),  # 成文日期
        line_starting(lines, "（地址："),  # 附注
        line_index(lines, "抄送：朝阳区消防救援支队，物业管理处"),  # 版记
        line_index(lines, "北京朝阳大悦城商业管理有限公司营运部"),
    ]
    assert order == sorted(order)
    signatures = [i for i, line in enumerate(lines) if line.text == COMPANY]
    assert len(signatures) == 2 and signatures[1] + 1 == order[7], "署名 right above the date"
    printed_by, printed_on = lines[order[-1]], lines[line_index(lines, "2026年11月24日印发")]
    assert printed_by.page == printed_on.page and abs(printed_by.top - printed_on.top) < 3, "印发 on one row"
    assert printed_on.left > printed_by.right


def issuer_index(lines) -> int:
    return next(i for i, line in enumerate(lines) if line.text == COMPANY)


def test_the_addressee_is_printed_once_under_the_title(lines):
    assert sum("各位商户" in line.text for line in lines) == 1
    assert line_index(lines, TITLE) + 1 == line_index(lines, "各位商户：")


def test_issuer_signature_and_date_are_each_one_line(lines):
    # line_index finds a line that is exactly the whole name: had it wrapped
    # ("…有限公" / "司") no line would be.
    issuer = lines[issuer_index(lines)]
    assert issuer.page == 1 and issuer.right - issuer.left < 156 * MM + 1
    date = lines[line_index(lines, "2026年11月23日")]
    signature = lines[line_index(lines, "2026年11月23日") - 1]
    assert signature.text == COMPANY
    assert signature.page == date.page and 0 < date.top - signature.top < 40
    # 右空四字: the date's right end about four 16 pt characters from the type area's edge
    right_edge = A4_WIDTH_PT - (26 if date.page % 2 else 28) * MM
    assert 3 * 16 <= right_edge - date.right <= 5.5 * 16 + 40


def test_a_long_issuer_name_shrinks_to_one_line_and_never_wraps():
    assert issuer_font_size(LONG_ISSUER) < issuer_font_size(COMPANY) <= 30
    lines = pdf_lines(render_letter_pdf(make_context(letterhead_name=LONG_ISSUER, paragraphs=0)))
    issuer = lines[line_index(lines, LONG_ISSUER)]
    assert issuer.left >= 28 * MM - 1 and issuer.right <= A4_WIDTH_PT - 26 * MM + 1


def test_the_type_area_has_the_standards_margins(lines):
    body = [line for line in lines if line.page == 1]
    assert min(line.top for line in body) >= 37 * MM - 1  # 天头 37 mm
    assert min(line.left for line in body) >= 28 * MM - 1  # 订口 28 mm on an odd page
    assert max(line.right for line in body) <= A4_WIDTH_PT - 26 * MM + 1


def test_page_numbers_are_dashed_and_alternate_sides(stamped, lines):
    assert stamped.pages >= 2
    for page in range(1, stamped.pages + 1):
        number = lines[line_index(lines, f"—{page}—")]
        assert number.page == page
        assert number.top > A4_HEIGHT_PT - 35 * MM  # under the type area
        if page % 2:
            assert number.left > A4_WIDTH_PT / 2, "odd pages: on the right"
        else:
            assert number.right < A4_WIDTH_PT / 2, "even pages: on the left"


def test_the_red_rule_sits_between_the_number_and_the_title(stamped, lines, tmp_path):
    number, title = lines[line_index(lines, DOC_NUMBER)], lines[line_index(lines, TITLE)]
    between = SealBox(0, 28 * MM, A4_HEIGHT_PT - title.top, A4_WIDTH_PT - 26 * MM, A4_HEIGHT_PT - number.top - 24)
    assert red_pixels_in_box(rasterize(stamped.pdf, 1, tmp_path, dpi=100), between, dpi=100) > 100


def test_the_seal_presses_the_signature_and_the_date(lines):
    placeholder = render_letter(
        make_context(paragraphs=12, footer_text="", copy_to="朝阳区消防救援支队，物业管理处",
                     printed_by="北京朝阳大悦城商业管理有限公司营运部", printed_on=dt.date(2026, 11, 24)),
        seal="placeholder",
    )
    box = placeholder.seal_box
    date = lines[line_index(lines, "2026年11月23日")]
    signature = lines[line_index(lines, "2026年11月23日") - 1]
    assert signature.text == COMPANY
    for line in (signature, date):
        top_from_bottom = A4_HEIGHT_PT - line.top
        assert box.y1 < top_from_bottom < box.y2
    # the text sits below the seal's centre
    centre = (box.y1 + box.y2) / 2
    assert A4_HEIGHT_PT - date.top < centre


def test_no_colophon_without_its_fields():
    html = build_letter_html(make_context(footer_text="", copy_to="", printed_by=""))
    assert 'class="colophon"' not in html
    html = build_letter_html(make_context(footer_text="", copy_to="消防支队"))
    assert "抄送：消防支队" in html


def _body_lines(lines):
    """The letter's text lines, the page numbers (— N —) left out."""
    return [line for line in lines if not (line.text.startswith("—") and line.text.endswith("—"))]


def test_the_colophon_closes_the_letter_in_order_when_set(stamped, lines):
    text = [line.text for line in _body_lines(lines)]
    assert text[-3:] == ["抄送：朝阳区消防救援支队，物业管理处", "北京朝阳大悦城商业管理有限公司营运部", "2026年11月24日印发"]
    cc, printed_by, printed_on = (lines[line_index(lines, t)] for t in text[-3:])
    assert cc.page == printed_by.page == stamped.pages, "版记 on the last page"
    assert cc.top < printed_by.top and cc.left <= printed_by.left + 1
    date = lines[line_index(lines, "2026年11月23日")]
    assert (date.page, date.top) < (cc.page, cc.top), "版记 after 成文日期"


@pytest.mark.parametrize(("copy_to", "printed_by", "expected"), [
    ("", "", []),
    ("消防支队", "", ["抄送：消防支队"]),
    ("", "营运部", ["营运部", "2026年11月24日印发"]),
])
def test_each_colophon_line_is_printed_only_when_set(copy_to, printed_by, expected):
    pdf = render_letter_pdf(make_context(footer_text="", copy_to=copy_to, printed_by=printed_by,
                                         printed_on=dt.date(2026, 11, 24)))
    text = [line.text for line in _body_lines(pdf_lines(pdf))]
    assert not any(t.startswith("抄送") or t.endswith("印发") for t in text[:len(text) - len(expected)])
    assert text[len(text) - len(expected):] == expected
    assert text[len(text) - len(expected) - 1].endswith("010-85551234）"), "right after the 附注"
