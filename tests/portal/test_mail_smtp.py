"""portal.mail_smtp: the SMTP backend sends what Django's own would — the
same envelope and the same bytes — only checking plain addresses without
parsing them."""

import pytest
from django.core.mail.backends.smtp import EmailBackend as DjangoBackend
from django.core.mail.message import sanitize_address

from portal.mail_batch import PreparedEmail
from portal.mail_smtp import EmailBackend, envelope_address
from tests.fixtures.smtp import smtp_server  # noqa: F401 - fixture

ADDRESSES = [
    "t1@shops.test", "A.B-c+d@Mail.Example.CN", "o'neil@x.cn", "a@1.2.3.4", "a@-x-.com", "a@" + "x" * 63 + ".cn",
    "店长 <t1@shops.test>", "\"Tom, Jr.\" <tom@shops.test>", "张三@例子.中国", "t1@例子.中国", "a.@x.cn",
    ("王店长", "wang@shops.test"), ("", "plain@shops.test"),
]
BAD = ["a@" + "x" * 64, "a@x.com.", "a@@x.cn", "a\n@x.cn", "<a@x.cn> trailing"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_every_address_comes_out_as_django_has_it(address):
    assert envelope_address(address, "utf-8") == sanitize_address(address, "utf-8")


@pytest.mark.parametrize("address", BAD)
def test_an_address_django_refuses_is_refused(address):
    with pytest.raises((ValueError, UnicodeError)):
        sanitize_address(address, "utf-8")
    with pytest.raises((ValueError, UnicodeError)):
        envelope_address(address, "utf-8")


def test_the_server_receives_what_djangos_backend_sends(smtp_server):
    to = ["t1@shops.test", "店长 <t2@shops.test>", "t3@例子.中国"]
    message = PreparedEmail("主题", "正文", "物业 <office@centre.test>", to, mime=b"Subject: x\n\nbody\n")
    for backend in (DjangoBackend, EmailBackend):
        with backend(host="127.0.0.1", port=smtp_server.port, use_tls=False, username="", password="") as mailer:
            assert mailer.send_messages([message]) == 1
    ours, django = smtp_server.messages[1], smtp_server.messages[0]
    assert (ours.sender, ours.recipients, ours.data) == (django.sender, django.recipients, django.data)
    assert ours.recipients == ("t1@shops.test", "t2@shops.test", "t3@xn--fsqu00a.xn--fiqs8s")
