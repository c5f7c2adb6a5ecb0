import gc
import signal
import subprocess
import threading
import time

import pytest

from notices.pdf.render import (
    RenderTimeout,
    build_letter_html,
    chinese_date,
    render_letter,
    render_letter_pdf,
    run_with_time_limit,
)
from notices.pdf.stamp import stamp_letter
from portal.pdf import render as pdf_render
from tests.notices import (
    BODY_SENTENCE,
    DOC_NUMBER,
    FIVE_PAGE_PARAGRAPHS,
    TITLE,
    demo_keys,
    make_context,
    page_count,
    pdftotext,
    rasterize,
    red_pixels_in_box,
    squash,
)


@pytest.fixture(scope="module")
def one_page_pdf() -> bytes:
    return render_letter_pdf(make_context())


@pytest.fixture(scope="module")
def five_page_stamped():
    context = make_context(paragraphs=FIVE_PAGE_PARAGRAPHS)
    key_pem, cert_pem = demo_keys()
    placeholder = render_letter(context, seal="placeholder")
    stamped = stamp_letter(context, key_pem=key_pem, cert_pem=cert_pem)
    return placeholder, stamped


def test_it_renders_a_pdf_that_poppler_opens(one_page_pdf):
    assert one_page_pdf.startswith(b"%PDF-")
    assert page_count(one_page_pdf) == 1


def test_pdftotext_finds_the_chinese_title_body_and_doc_number(one_page_pdf):
    text = squash(pdftotext(one_page_pdf))
    assert TITLE in text
    assert BODY_SENTENCE in text
    assert DOC_NUMBER in text
    assert "各位商户：" in text


def test_it_signs_off_with_company_and_chinese_date(one_page_pdf):
    text = squash(pdftotext(one_page_pdf))
    assert chinese_date(make_context().date) == "2026年11月23日"
    assert "北京朝阳大悦城商业管理有限公司2026年11月23日" in text


def test_it_lists_the_attachments(one_page_pdf):
    text = squash(pdftotext(one_page_pdf))
    assert "附件：1.消防安全自查表.xlsx" in text
    assert "2.整改通知书模板.docx" in text


def test_it_numbers_pages_in_the_standards_style(five_page_stamped):
    _, stamped = five_page_stamped
    text = squash(pdftotext(stamped.pdf))
    for n in range(1, 6):
        assert f"—{n}—" in text
    assert "抄送：朝阳区消防救援支队" in text


def test_it_embeds_subsets_of_cjk_fonts_not_whole_fonts(one_page_pdf, tmp_path):
    path = tmp_path / "l.pdf"
    path.write_bytes(one_page_pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    assert any("CJK" in row for row in rows)
    # "ABCDEF+Name" = subset; the "emb" and "sub" columns are both "yes".
    assert all(row.split()[0][6] == "+" for row in rows), fonts
    assert len(one_page_pdf) < 400_000


def test_a_five_page_letter_has_its_seal_box_on_the_last_page(five_page_stamped):
    placeholder, stamped = five_page_stamped
    assert placeholder.pages == 5 == stamped.pages == page_count(stamped.pdf)
    assert placeholder.seal_box is not None
    assert placeholder.seal_box.page_index == 4


def test_the_seal_is_drawn_on_the_last_page_and_not_on_the_first(five_page_stamped, tmp_path):
    placeholder, stamped = five_page_stamped
    box = placeholder.seal_box
    last = rasterize(stamped.pdf, 5, tmp_path)
    first = rasterize(stamped.pdf, 1, tmp_path)
    assert red_pixels_in_box(last, box) > 500
    assert red_pixels_in_box(first, box) == 0


def test_fields_other_than_the_body_are_html_escaped():
    html = build_letter_html(
        make_context(title='<script>x</script>通知', addressee='<img src="file:///etc/passwd">')
    )
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;通知" in html
    assert "<img src=" not in html


def test_footer_text_is_escaped_into_the_colophon():
    evil = '"; } body { display: none } </style><script>alert(1)</script> "'
    html = build_letter_html(make_context(footer_text=evil))
    assert "<script>" not in html and "&lt;/style&gt;&lt;script&gt;" in html
    text = squash(pdftotext(render_letter_pdf(make_context(footer_text="联系人：王经理 \"甲\"\\乙"))))
    assert '联系人：王经理"甲"\\乙' in text


def test_it_rejects_seal_bytes_that_are_not_an_image():
    with pytest.raises(ValueError, match="seal_png"):
        build_letter_html(make_context(seal_png=b"<svg onload=alert(1)>"))


# The deadline can land in a WeasyPrint finaliser (__del__): Python reports
# that as "Exception ignored", which pytest turns into a warning.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_time_limit_stops_a_render_in_the_main_thread():
    previous_handler = signal.getsignal(signal.SIGALRM)
    with pytest.raises(RenderTimeout):
        render_letter(make_context(paragraphs=FIVE_PAGE_PARAGRAPHS), time_limit=0.01)
    # The alarm is disarmed and the previous handler restored afterwards.
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is previous_handler
    gc.collect()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_time_limit_works_outside_the_main_thread_too():
    outcome: list[BaseException | bytes] = []

    def in_thread():
        try:
            outcome.append(render_letter(make_context(paragraphs=FIVE_PAGE_PARAGRAPHS), time_limit=0.01).pdf)
        except BaseException as exc:  # noqa: BLE001 — the test inspects it
            outcome.append(exc)

    worker = threading.Thread(target=in_thread)
    worker.start()
    worker.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], RenderTimeout)
    # The abandoned render thread is stopped too, not left running.
    deadline = time.monotonic() + 10
    while any(t.name == "letter-render" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "abandoned render thread still running"
        time.sleep(0.02)
    gc.collect()


def test_a_generous_time_limit_returns_the_result():
    assert run_with_time_limit(lambda: 42, 5) == 42
    assert pdf_render._run_in_thread(lambda: 43, 5) == 43
