"""portal.mail_batch: a message filled in from the batch's MIME is the one
Django would have built for that recipient (Message-ID aside), and a value
the shortcut cannot hold gets Django's own message."""

import re
from email import message_from_bytes, policy

from django.core.mail import EmailMultiAlternatives
from django.template import Context, Template
from django.utils.html import escape

from portal.mail_batch import EmailBatch, PreparedEmail

TEXT = Template("{% autoescape off %}{{ name }}：\n请签收。\n{{ url }}\n{% endautoescape %}")
HTML = Template("<p>{{ name }}：</p><p><a href=\"{{ url }}\">打开</a></p>")


def _render(values):
    return TEXT.render(Context(values)), HTML.render(Context(values))


def _django(to, name, url):
    text, html = _render({"name": name, "url": url})
    message = EmailMultiAlternatives("【安泰广场】新函件：消防检查", text, None, to)
    message.attach_alternative(html, "text/html")
    return message


def _parts(message) -> tuple[str, str, str, str]:
    parsed = message_from_bytes(message.message().as_bytes(linesep="\r\n"), policy=policy.default)
    text, html = (p.get_content() for p in parsed.iter_parts())
    return str(parsed["To"]), str(parsed["Subject"]), text, html


def test_a_message_of_the_batch_is_the_one_django_would_build():
    batch = EmailBatch("【安泰广场】新函件：消防检查", _render, ("name", "url"))
    for to, name in ((["a@shops.test"], "蜀香<火锅>&“店”"), (["b@shops.test", "c@shops.test"], "Tom's 书店")):
        url = "https://atrium.test/my/letters/12/"
        message = batch.message(to, name=name, url=url)
        assert isinstance(message, PreparedEmail)
        expected = _django(to, name, url)
        assert message.body == expected.body and message.alternatives == expected.alternatives
        assert _parts(message) == _parts(expected)
        assert escape(name) in _parts(message)[3] and name in _parts(message)[2]
    ids = {re.search(rb"Message-ID: (\S+)", batch.message(["a@shops.test"], name="x", url="y").message().as_bytes())[1]
           for _ in range(3)}
    assert len(ids) == 3  # each message its own


def test_a_value_the_shortcut_cannot_hold_gets_djangos_own_message():
    batch = EmailBatch("【安泰广场】新函件：消防检查", _render, ("name", "url"))
    for name in ("两行\n名字", "长" * 400):
        message = batch.message(["a@shops.test"], name=name, url="https://atrium.test/")
        assert not isinstance(message, PreparedEmail)
        assert _parts(message) == _parts(_django(["a@shops.test"], name, "https://atrium.test/"))
        assert name in message.body
