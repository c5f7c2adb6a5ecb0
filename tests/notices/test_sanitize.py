import pytest

from notices.pdf.sanitize import sanitize_body_html as sanitize


@pytest.mark.parametrize(("html", "expected"), [
    # script tags go with their content
    ("<p>通知<script>alert('x')</script>正文</p><SCRIPT src=//evil></SCRIPT>", "<p>通知正文</p>"),
    # so do style and iframe
    ("<style>p{background:url(http://evil/)}</style><iframe src=x>框</iframe><p>留</p>", "<p>留</p>"),
    # images and link elements are dropped
    ('<p>a<img src="file:///etc/passwd" alt="x">b<link rel=stylesheet href="http://e/x.css"></p>', "<p>ab</p>"),
    # links and unknown tags are unwrapped, keeping their text
    ('<div><span style="color:red">见</span><a href="javascript:alert(1)">附件</a></div>', "见附件"),
], ids=["script", "style-and-iframe", "images-and-links", "unwraps-links-and-unknown-tags"])
def test_it_removes_dangerous_elements_and_unwraps_the_rest(html, expected):
    assert sanitize(html) == expected


def test_it_strips_every_attribute_except_numeric_colspan_and_rowspan():
    out = sanitize(
        '<p style="background:url(http://e/)" onclick="x()" class="c">a</p>'
        '<table><tr><td colspan="2" rowspan="x" style="y">b</td><th rowspan=3 onmouseover=z>c</th></tr></table>'
    )
    # A browser puts rows in a <tbody>; so does the HTML5 parser.
    assert out == '<p>a</p><table><tbody><tr><td colspan="2">b</td><th rowspan="3">c</th></tr></tbody></table>'


def test_spans_are_clamped_to_fifty():
    assert sanitize("<table><tr><td colspan=99 rowspan=0>x</td></tr></table>") == (
        '<table><tbody><tr><td colspan="50" rowspan="1">x</td></tr></tbody></table>'
    )


def test_it_keeps_the_allowed_formatting_tags():
    html = (
        "<h3>一、检查范围</h3><h4>（一）</h4><p><strong>重要</strong><b>粗</b><em>斜</em><i>i</i><u>下划线</u><br>换行</p>"
        "<ol><li>一</li></ol><ul><li>二</li></ul><blockquote>引</blockquote>"
        "<table><thead><tr><th>项</th></tr></thead><tbody><tr><td>值</td></tr></tbody></table>"
    )
    assert sanitize(html) == html


def test_it_escapes_text_so_escaped_markup_stays_text():
    out = sanitize("<p>&lt;script&gt;alert(1)&lt;/script&gt; A&amp;B 1<2</p>")
    assert out == "<p>&lt;script&gt;alert(1)&lt;/script&gt; A&amp;B 1&lt;2</p>"


def test_it_drops_comments_doctype_and_cdata():
    assert sanitize("<!DOCTYPE html><!-- <script>x</script> --><![CDATA[x]]><p>正</p>") == "<p>正</p>"


def test_it_repairs_unclosed_and_stray_tags_as_a_browser_does():
    # HTML5 rules: a stray </p> is an empty paragraph, </div> is ignored, open
    # tags close at the end, and bold left open across </p> carries on bold.
    assert sanitize("</p></div><p>a<b>b") == "<p></p><p>a<b>b</b></p>"
    assert sanitize("<p>a<b>b</p>c") == "<p>a<b>b</b></p><b>c</b>"


def test_svg_and_math_are_dropped_with_their_content():
    assert sanitize('<svg><image href="file:///etc/passwd"/><script>x</script></svg><math>m</math>ok') == "ok"


def test_sanitizing_twice_changes_nothing():
    once = sanitize('<p onclick=x>a<script>b</script><td colspan=99>c</p>')
    assert sanitize(once) == once


def test_it_accepts_empty_input():
    assert sanitize("") == ""
