"""The sanitiser never loses a drafter's words silently.

The old hand-written parser dropped everything after an unclosed <embed>,
<svg>, <math> or <textarea>, and the sealed PDF lacked that text. Now the body
is parsed as a browser parses it (nh3/html5ever): what a browser repairs is
repaired, and what would still be lost is named, and the letter form refuses
it before the drafter submits."""

from __future__ import annotations

import pytest
from django import forms

from notices.models import Letter
from notices.pdf.render import render_letter_pdf
from notices.pdf.sanitize import sanitize_body_html, text_losses, visible_text
from tests.notices import make_context, pdftotext, squash

FIRST = "第一条：请各商户于本周五前完成消防自查。"
AFTER = "第二条：未按期整改的商户将被通报。"
LAST = "第三条：如有疑问请联系物业管理处。"

# An unclosed element, then the rest of the letter in paragraphs.
UNCLOSED = {
    "embed": f'<p>{FIRST}</p><embed src="plan.pdf"><p>{AFTER}</p><p>{LAST}</p>',
    "svg": f"<p>{FIRST}</p><svg><p>{AFTER}</p><p>{LAST}</p>",
    "math": f"<p>{FIRST}</p><math><p>{AFTER}</p><p>{LAST}</p>",
    "textarea": f"<p>{FIRST}</p><textarea><p>{AFTER}</p><p>{LAST}</p>",
}


@pytest.fixture(scope="module")
def pdf_texts():
    """Each body above, sanitised and rendered as the letter's PDF, as text."""
    return {
        tag: squash(pdftotext(render_letter_pdf(make_context(body_html=sanitize_body_html(body)))))
        for tag, body in UNCLOSED.items()
    }


@pytest.mark.parametrize("tag", ["embed", "svg", "math"])
def test_a_browser_repairs_an_unclosed_tag_and_so_does_the_sanitiser(tag, pdf_texts):
    body = UNCLOSED[tag]
    assert text_losses(body) is None
    out = sanitize_body_html(body)
    assert f"<p>{AFTER}</p><p>{LAST}</p>" in out
    for sentence in (FIRST, AFTER, LAST):
        assert sentence in pdf_texts[tag], f"{sentence} missing from the PDF after an unclosed <{tag}>"


def test_an_unclosed_textarea_is_named_with_the_text_it_swallows(pdf_texts):
    # In a browser, everything after <textarea> becomes the text box's content.
    loss = text_losses(UNCLOSED["textarea"])
    assert loss is not None
    assert loss.unclosed == ("textarea",)
    assert AFTER in loss.text and LAST in loss.text
    # What the PDF lacks is exactly what was reported: nothing goes unsaid.
    assert FIRST in pdf_texts["textarea"]
    assert AFTER not in pdf_texts["textarea"] and LAST not in pdf_texts["textarea"]


@pytest.mark.parametrize(
    ("body", "tag", "words"),
    [
        ("<p>前文<svg><text>图中文字</text></svg>后文</p>", "svg", "图中文字"),
        ("<p>面积<math><mi>公式</mi></math>平方米</p>", "math", "公式"),
        ("<p>请填写<textarea>回执内容</textarea>并交回</p>", "textarea", "回执内容"),
        ("<p>甲<svg>乙</p><p>丙</p>", "svg", "乙"),
    ],
)
def test_visible_text_inside_a_dropped_element_is_named(body, tag, words):
    loss = text_losses(body)
    assert loss is not None and tag in loss.tags and words in loss.text


def test_invisible_content_is_dropped_without_complaint():
    body = "<p>正文</p><script>alert(1)</script><style>p{color:red}</style><!-- 注释 --><template>模板</template>"
    assert text_losses(body) is None
    assert sanitize_body_html(body) == "<p>正文</p>"


@pytest.mark.parametrize("body", [
    "<p>a<b>b</p>c", "<div><span>见</span><a href='x'>附件</a></div>", "<h1>标题</h1><p>正文 1&lt;2 A&amp;B</p>",
    "<table><tr><td colspan=3>格</td></tr></table>", "</p></div><p>a<b>b",
])  # fmt: skip
def test_repaired_or_unwrapped_markup_keeps_every_word(body):
    assert text_losses(body) is None
    assert visible_text(sanitize_body_html(body)).replace(" ", "") == visible_text(body).replace(" ", "")


def test_a_loss_reaching_the_renderer_is_logged(caplog):
    with caplog.at_level("WARNING", logger="notices.pdf.sanitize"):
        sanitize_body_html(UNCLOSED["textarea"])
    assert "dropped" in caplog.text and "textarea" in caplog.text


# --- the letter form -----------------------------------------------------------


def _letter_form(world, body: str):
    """The Wagtail edit form of the Letter snippet. Draftail only ever posts
    escaped text, so the body is given as HTML through a plain text area — the
    form must refuse it whatever widget (or import) it came through."""
    form_class = Letter.snippet_viewset.get_edit_handler().get_form_class()
    form = form_class(
        data={
            "centre": world.centre_a.pk, "kind": "notice", "department": "safety", "title": "关于消防检查的通知",
            "addressee": "各位商户", "body": body, "recipient_mode": "all", "requires_receipt": "on",
            "remind_after_days": "1", "remind_every_days": "2", "remind_max": "5",
            "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0",
            "attachments-MIN_NUM_FORMS": "0", "attachments-MAX_NUM_FORMS": "1000",
        },
        instance=Letter(),
        for_user=world.drafter_a,
    )  # fmt: skip
    form.fields["body"].widget = forms.Textarea()
    return form


@pytest.mark.django_db
def test_the_letter_form_refuses_an_unclosed_textarea_naming_it_in_chinese(world):
    form = _letter_form(world, UNCLOSED["textarea"])
    assert not form.is_valid()
    message = " ".join(form.errors["body"])
    assert "<textarea> 标签没有闭合" in message
    assert "第二条" in message


@pytest.mark.django_db
def test_the_letter_form_refuses_words_inside_an_svg(world):
    form = _letter_form(world, "<p>前文<svg><text>图中文字</text></svg>后文</p>")
    assert not form.is_valid()
    assert "<svg> 标签内的文字" in " ".join(form.errors["body"])


@pytest.mark.django_db
@pytest.mark.parametrize("tag", ["embed", "svg", "math"])
def test_the_letter_form_accepts_a_body_the_browser_repairs(world, tag):
    form = _letter_form(world, UNCLOSED[tag])
    form.is_valid()
    assert "body" not in form.errors, form.errors


def test_a_body_that_names_a_file_stays_text():
    # tinyhtml5 reads a short str naming an existing file as that file.
    assert visible_text("/etc/hostname") == "/etc/hostname"
    assert text_losses("/etc/hostname") is None
