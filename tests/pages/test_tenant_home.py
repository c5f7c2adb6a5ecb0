"""The tenant home shows the centre's published content beside the shop's facts."""

from django.test import Client
from django.urls import reverse

from portal.models import GreetingStatus, HolidayGreeting
from portal.pages.handbook import handbook_edition_issue


def test_the_tenant_home_lists_notices_handbook_and_fees_of_the_tenants_centre(site):
    handbook_edition_issue(actor=site.reviewer_a, handbook=site.handbook_a, changes="第一版", requires_ack=True)
    client = Client()
    client.force_login(site.w.signer_a)
    body = client.get(reverse("portal:tenant_home")).content.decode()
    assert "消防安全通知" in body and "国庆假期营业时间调整公告" in body
    assert site.handbook_a.url in body and site.fees_a.url in body
    assert "请签阅" in body or "please acknowledge" in body


def test_another_centres_tenant_sees_none_of_it(site):
    client = Client()
    client.force_login(site.w.signer_b)
    body = client.get(reverse("portal:tenant_home")).content.decode()
    assert "消防安全通知" not in body and site.handbook_a.url not in body


def test_a_greeting_sent_today_is_shown(site):
    from django.utils import timezone

    HolidayGreeting.objects.create(centre=site.w.centre_a, holiday="国庆节", send_on=timezone.localdate(), title="国庆快乐",
                                   message="祝您节日快乐", status=GreetingStatus.SENT, sent_at=timezone.now())
    client = Client()
    client.force_login(site.w.signer_a)
    assert "国庆快乐" in client.get(reverse("portal:tenant_home")).content.decode()
    client.force_login(site.w.signer_b)
    assert "国庆快乐" not in client.get(reverse("portal:tenant_home")).content.decode()


def test_the_landing_page_links_each_centre_to_its_site(site):
    body = Client().get("/").content.decode()
    assert site.home_a.url in body and site.home_b.url in body
