"""Staff visit pages (on a phone, outside the Wagtail admin) carry the staff's
own header, not the tenant portal's, and the visit mode "message" reads 留言."""

import pytest
from django.urls import reverse

from tests.base import logged_in

pytestmark = pytest.mark.django_db


def test_staff_visit_pages_have_the_staff_header(world):
    client = logged_in(world.ops_a)
    for url in (reverse("visits:my_visits"), reverse("visits:record_new"), reverse("visits:meetings")):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        header = page.split('<header class="topbar">', 1)[1].split("</header>", 1)[0]
        assert "员工工作台" in header and "租户门户" not in header, url


def test_the_tenant_side_keeps_the_tenant_portal_header(world):
    page = logged_in(world.signer_a).get(reverse("notices_inbox:inbox"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "租户门户" in page.split("</header>", 1)[0]


def test_the_visit_form_offers_message_as_liuyan(world):
    page = logged_in(world.ops_a).get(reverse("visits:record_new"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'value="message"' in page
    option = page.split('value="message"', 1)[1].split("<", 1)[0]
    assert "留言" in option and "内容" not in option
